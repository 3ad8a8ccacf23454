package dev.eventsync.live;

import static dev.eventsync.live.MultiInstanceTest.LIVE;
import static dev.eventsync.live.MultiInstanceTest.accept;
import static dev.eventsync.live.MultiInstanceTest.conversation;
import static dev.eventsync.live.MultiInstanceTest.instanceArguments;
import static dev.eventsync.live.MultiInstanceTest.startInstance;
import static dev.eventsync.live.MultiInstanceTest.uuids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.EventsyncApplication;
import dev.eventsync.live.MultiInstanceTest.FollowStream;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.JavaProcesses;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An instance going away, seen from its clients and from the other instances (API.md,
 * SyncFromServer and guarantee 2): an orderly shutdown ends follow streams with UNAVAILABLE at
 * once (not after the 30 s grace period), answers every Sync in flight or none of it, and its
 * users go offline elsewhere; an instance that vanishes without any cleanup (its process killed)
 * has its users go offline elsewhere once the instance expiry has passed.
 *
 * <p>Each test starts its own instances (every one is closed or killed in a finally block).
 */
class ShutdownTest {

    /** An orderly close must return well under the 30 s grace period. */
    static final Duration PROMPT = Duration.ofSeconds(10);
    /** Messages behind the one event a stalled client took: far more than its 16 KiB window holds. */
    static final int STALLED_BACKLOG = 2000;
    static final int STARTING_STREAMS = 3;
    static final int WRITERS = 12;
    static final int EVENTS_PER_CALL = 20;
    /** Acknowledged calls before the shutdown starts. */
    static final int ACKNOWLEDGED_BEFORE_CLOSE = 40;
    /** Heartbeat and expiry of both instances in the vanishing test. */
    static final Map<String, String> FAST_EXPIRY = Map.of(
            "eventsync.live.heartbeat", "500ms",
            "eventsync.live.instance-expiry", "2s");

    @Test
    void closingAnInstanceEndsItsFollowStreamsWithUnavailablePromptlyAndItsUsersGoOfflineOnTheOther() throws Exception {
        ConfigurableApplicationContext a = startInstance(Map.of());
        try {
            ConfigurableApplicationContext b = startInstance(Map.of());
            try (Api apiA = new Api(Servers.port(a)); Api apiB = new Api(Servers.port(b))) {
                Api.User alice = apiA.newUser();
                Api.User bob = apiA.newUser();
                Api.User carolOnB = apiB.newUser();
                String conversation = conversation(carolOnB, alice, bob);
                Event before = Events.send(conversation, "before the shutdown");
                accept(carolOnB, before);

                FollowStream carols = FollowStream.open(carolOnB.asyncStub(), "", 0).awaitCaughtUp();
                List<FollowStream> onA = List.of(
                        FollowStream.open(alice.asyncStub(), "", 0),
                        FollowStream.open(alice.asyncStub(), "", 0),
                        FollowStream.open(bob.asyncStub(), "", 0));
                try {
                    onA.forEach(FollowStream::awaitCaughtUp);
                    await().atMost(LIVE).until(() -> carols.sawPresence(alice, true) && carols.sawPresence(bob, true));
                    await().atMost(LIVE).until(() -> onA.get(0).received(before.getUuid()));

                    Closing.begin(a, "3 open follow streams").awaitPrompt();

                    for (FollowStream stream : onA) {
                        await().atMost(LIVE).until(stream.done::isDone);
                        assertThat(stream.endedWith()).as("how a follow stream ends on shutdown").isEqualTo(Status.Code.UNAVAILABLE);
                    }
                    // The users of the closed instance go offline on the other one; its own streams go on.
                    await().atMost(LIVE).until(() -> carols.sawPresence(alice, false) && carols.sawPresence(bob, false));
                    assertThat(carols.presenceOf(alice)).extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true, false);
                    assertThat(carols.presenceOf(bob)).extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true, false);
                    assertThat(carols.done).isNotDone();

                    // The client reconnects, to the other instance, with its cursor: nothing again, nothing missed.
                    String cursor = onA.get(0).storedUuids().get(onA.get(0).storedUuids().size() - 1);
                    Event whileAway = Events.send(conversation, "while alice reconnected");
                    accept(carolOnB, whileAway);
                    FollowStream again = FollowStream.open(apiB.user(alice.id).asyncStub(), cursor, 0).awaitCaughtUp();
                    try {
                        assertThat(again.storedUuids()).containsExactly(whileAway.getUuid());
                        await().atMost(LIVE).until(() -> carols.presenceOf(alice).size() == 3);
                        assertThat(carols.presenceOf(alice).get(2).getUserIsConnected().getConnected()).isTrue();
                    } finally {
                        again.cancel();
                    }
                } finally {
                    onA.forEach(FollowStream::cancel);
                    carols.cancel();
                }
            } finally {
                b.close();
            }
        } finally {
            a.close();
        }
    }

    @Test
    void closingAnInstanceEndsPromptlyAFollowStreamWhoseClientReadsNothing() throws Exception {
        ConfigurableApplicationContext a = startInstance(Map.of());
        ManagedChannel smallWindow = null;
        try (Api apiA = new Api(Servers.port(a))) {
            Api.User alice = apiA.newUser();
            Api.User bob = apiA.newUser();
            String conversation = conversation(alice, bob);
            List<Event> backlog = new ArrayList<>();
            for (int i = 0; i < STALLED_BACKLOG; i++) {
                backlog.add(Events.send(conversation, "backlog message " + i));
            }
            for (int from = 0; from < backlog.size(); from += 500) {
                accept(alice, backlog.subList(from, Math.min(backlog.size(), from + 500)));
            }
            // bob's client takes one event, then nothing: the server cannot send him more (HTTP/2 flow control).
            smallWindow = NettyChannelBuilder.forAddress("127.0.0.1", Servers.port(a)).usePlaintext()
                    .flowControlWindow(MultiInstanceTest.CLIENT_WINDOW).build();
            Metadata headers = new Metadata();
            headers.put(MultiInstanceTest.AUTHORIZATION, "Bearer " + bob.token);
            FollowStream stalled = FollowStream.open(EventServiceGrpc.newStub(smallWindow)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)), "", 1);
            await().atMost(LIVE).until(() -> stalled.events.size() == 1);
            // and bob's other device reads everything, and waits for more.
            FollowStream reading = FollowStream.open(bob.asyncStub(), "", 0).awaitCaughtUp();

            Closing.begin(a, "a follow stream whose client reads nothing").awaitPrompt();
            await().atMost(LIVE).until(reading.done::isDone);
            assertThat(reading.endedWith()).isEqualTo(Status.Code.UNAVAILABLE);
            // The stalled client, once it reads again, learns that the stream ended. Its status cannot
            // always be UNAVAILABLE: the trailers queue behind the data its closed flow-control window
            // holds back, so the only prompt end is a stream reset, which gRPC clients report as CANCELLED.
            // Either way it reconnects with its cursor.
            stalled.request(Integer.MAX_VALUE);
            await().atMost(LIVE).until(stalled.done::isDone);
            assertThat(stalled.endedWith()).as("how a stalled follow stream ends on shutdown")
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
            assertThat(stalled.storedUuids()).as("what it got before: a prefix of the feed, in order")
                    .isEqualTo(reading.storedUuids().subList(0, stalled.storedUuids().size()));
        } finally {
            if (smallWindow != null) {
                smallWindow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            a.close();
        }
    }

    /**
     * Follow streams that are still starting (resolving their cursor in the database) when the
     * shutdown begins: they must end with UNAVAILABLE like the others, not hold the instance for
     * the grace period. To be sure they are starting at that moment, a test transaction holds an
     * exclusive lock on the feed table, where a starting stream resolves its cursor, until the
     * close has begun. Not the log head: the push notifier reads it too, whenever a commit wakes
     * it, and a notifier waiting beside the streams made their count wrong (a flaky run in CI).
     */
    @Test
    void followStreamsStillStartingWhenAnInstanceClosesAreEndedPromptlyToo() throws Exception {
        ConfigurableApplicationContext a = startInstance(Map.of());
        List<FollowStream> starting = new ArrayList<>();
        try (Api apiA = new Api(Servers.port(a)); Connection db = connectToTheTestDatabase()) {
            List<Api.User> users = new ArrayList<>();
            for (int i = 0; i < STARTING_STREAMS; i++) {
                users.add(apiA.newUser());
            }
            conversation(users.get(0), users.subList(1, users.size()).toArray(Api.User[]::new));

            List<String> cursors = users.stream().map(user -> user.read("").get(0).getUuid()).toList();

            db.setAutoCommit(false);
            try (Statement lock = db.createStatement()) {
                lock.execute("lock table feed in access exclusive mode");
            }
            for (int i = 0; i < users.size(); i++) {
                starting.add(FollowStream.open(users.get(i).asyncStub(), cursors.get(i), 0));
            }
            await().atMost(LIVE).until(() -> waitingForTheFeed(a) == STARTING_STREAMS);

            Closing closing = Closing.begin(a, STARTING_STREAMS + " follow streams still starting");
            // The close has begun once a new SyncFromServer is refused (with a malformed cursor, a
            // call refused before it touches the database: INVALID_ARGUMENT while the instance runs).
            await().atMost(LIVE).until(() -> statusOfSyncFromServer(users.get(0), "not-a-uuid") == Status.Code.UNAVAILABLE);
            db.commit();
            closing.awaitPrompt();
            for (FollowStream stream : starting) {
                await().atMost(LIVE).until(stream.done::isDone);
                assertThat(stream.endedWith()).as("how a follow stream that was starting ends on shutdown")
                        .isEqualTo(Status.Code.UNAVAILABLE);
            }
        } finally {
            starting.forEach(FollowStream::cancel);
            a.close();
        }
    }

    static Status.Code statusOfSyncFromServer(Api.User user, String cursor) {
        try {
            user.read(cursor);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    /** A connection of the test's own, outside the instance's pool (which closes with it). */
    static Connection connectToTheTestDatabase() throws SQLException {
        TestDatabase.Connection db = TestDatabase.get();
        return DriverManager.getConnection(db.url(), db.username(), db.password());
    }

    /** Sessions waiting for a lock on the feed table (the streams blocked while resolving their cursor). */
    static long waitingForTheFeed(ConfigurableApplicationContext instance) {
        return JdbcClient.create(instance.getBean(DataSource.class))
                .sql("select count(*) from pg_locks where not granted and relation = 'feed'::regclass")
                .query(Long.class).single();
    }

    /** One Sync call of a writer and what came back. */
    record Call(int writer, List<Event> events, long startedAt, long endedAt, SubmitEventOutput output, Status status) {
        boolean acknowledged() {
            return output != null;
        }
    }

    @Test
    void syncCallsInFlightWhileAnInstanceClosesAreAcknowledgedAndDurableOrNotWrittenAtAll() throws Exception {
        ConfigurableApplicationContext a = startInstance(Map.of());
        try {
            ConfigurableApplicationContext b = startInstance(Map.of());
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            AtomicBoolean stop = new AtomicBoolean();
            try (Api apiA = new Api(Servers.port(a)); Api apiB = new Api(Servers.port(b))) {
                Api.User aliceOnA = apiA.newUser();
                Api.User bobOnB = apiB.newUser();
                String conversation = conversation(aliceOnA, bobOnB);
                String created = bobOnB.feed().get(0).getUuid();

                List<Call> calls = new CopyOnWriteArrayList<>();
                AtomicInteger acknowledged = new AtomicInteger();
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    running.add(writers.submit(() -> {
                        for (int n = 0; !stop.get(); n++) {
                            List<Event> events = new ArrayList<>();
                            for (int i = 0; i < EVENTS_PER_CALL; i++) {
                                events.add(Events.send(conversation, "writer " + writer + " call " + n + " event " + i));
                            }
                            long startedAt = System.nanoTime();
                            try {
                                SubmitEventOutput output = aliceOnA.sync(events.toArray(Event[]::new));
                                calls.add(new Call(writer, events, startedAt, System.nanoTime(), output, null));
                                acknowledged.incrementAndGet();
                            } catch (StatusRuntimeException e) {
                                calls.add(new Call(writer, events, startedAt, System.nanoTime(), null, e.getStatus()));
                                return; // the instance is gone: this writer stops at its first failure
                            }
                        }
                    }));
                }
                await().atMost(LIVE).until(() -> acknowledged.get() >= ACKNOWLEDGED_BEFORE_CLOSE);
                Closing closing = Closing.begin(a, WRITERS + " clients calling Sync");
                long closeStartedAt = closing.startedAt();
                closing.awaitPrompt();
                await().atMost(LIVE).until(() -> running.stream().allMatch(Future::isDone));
                stop.set(true);
                for (Future<?> writer : running) {
                    writer.get(); // a writer's own failure (not a gRPC status) fails the test
                }

                List<Call> acked = calls.stream().filter(Call::acknowledged).toList();
                List<Call> failed = calls.stream().filter(call -> !call.acknowledged()).toList();
                assertThat(failed).as("every writer ends with a failed call").hasSize(WRITERS);
                List<Call> inFlight = calls.stream()
                        .filter(call -> call.startedAt() < closeStartedAt && call.endedAt() > closeStartedAt).toList();
                assertThat(inFlight).as("calls in flight when the close began").isNotEmpty();
                System.out.printf("Sync calls: %d acknowledged, %d refused; in flight when the close began: %d, of them"
                                + " acknowledged: %d%n", acked.size(), failed.size(), inFlight.size(),
                        inFlight.stream().filter(Call::acknowledged).count());
                for (Call call : acked) {
                    assertThat(call.output().getResultsList()).hasSize(EVENTS_PER_CALL).allSatisfy(result -> {
                        assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue();
                        assertThat(result.getAccepted().getDuplicate()).isFalse();
                    });
                }
                assertThat(failed).extracting(call -> call.status().getCode()).as("status of a Sync refused by a closing instance")
                        .containsOnly(Status.Code.UNAVAILABLE);

                // On the other instance: every acknowledged event, once, each writer's in the order it wrote them ...
                List<String> feed = uuids(bobOnB.feed());
                assertThat(feed).doesNotHaveDuplicates().startsWith(created);
                List<String> acknowledgedUuids = acked.stream().flatMap(call -> call.events().stream()).map(Event::getUuid).toList();
                assertThat(feed.subList(1, feed.size())).as("the feed after the shutdown: exactly the acknowledged events")
                        .containsExactlyInAnyOrderElementsOf(acknowledgedUuids);
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    List<String> written = acked.stream().filter(call -> call.writer() == writer)
                            .flatMap(call -> call.events().stream()).map(Event::getUuid).toList();
                    Set<String> ofWriter = new HashSet<>(written);
                    assertThat(feed.stream().filter(ofWriter::contains).toList()).as("writer %d's events in the feed", writer)
                            .isEqualTo(written);
                }
                // ... a resend of an acknowledged call is a duplicate of what was acknowledged ...
                Api.User aliceOnB = apiB.user(aliceOnA.id);
                for (Call call : acked) {
                    List<EventResult> resent = aliceOnB.sync(call.events().toArray(Event[]::new)).getResultsList();
                    assertThat(resent).hasSize(EVENTS_PER_CALL);
                    for (int i = 0; i < resent.size(); i++) {
                        EventResult original = call.output().getResults(i);
                        assertThat(resent.get(i).getAccepted().getDuplicate()).as("resent %s", resent.get(i)).isTrue();
                        assertThat(resent.get(i).getAccepted().getStoredAt()).isEqualTo(original.getAccepted().getStoredAt());
                        assertThat(resent.get(i).getAccepted().getMessageUuid()).isEqualTo(original.getAccepted().getMessageUuid());
                    }
                }
                // ... and of an unacknowledged one, nothing was written: resent, it is new.
                for (Call call : failed) {
                    assertThat(aliceOnB.sync(call.events().toArray(Event[]::new)).getResultsList()).hasSize(EVENTS_PER_CALL)
                            .allSatisfy(result -> assertThat(result.getAccepted().getDuplicate())
                                    .as("an event of a call that was not acknowledged, resent: %s", result).isFalse());
                }
                List<String> after = uuids(bobOnB.feed());
                assertThat(after).doesNotHaveDuplicates().hasSize(1 + (acked.size() + failed.size()) * EVENTS_PER_CALL);
            } finally {
                stop.set(true);
                writers.shutdownNow();
                b.close();
            }
        } finally {
            a.close();
        }
    }

    @Test
    void theUsersOfAnInstanceWhoseProcessVanishedGoOfflineOnTheOtherAfterTheInstanceExpiry() throws Exception {
        // Instance A runs in a process of its own, to be killed (SIGKILL): no shutdown hook, no leave, no NOTIFY.
        int portA = freePort();
        Path logA = JavaProcesses.logFile("vanishing-instance-");
        Process processA = JavaProcesses.of(EventsyncApplication.class, instanceArguments(portA, FAST_EXPIRY))
                .redirectErrorStream(true).redirectOutput(logA.toFile()).start();
        try {
            ConfigurableApplicationContext b = startInstance(FAST_EXPIRY);
            try (Api apiA = new Api(portA); Api apiB = new Api(Servers.port(b))) {
                Api.User aliceOnA = apiA.newUser();
                Api.User bobOnB = apiB.newUser();
                await().atMost(JavaProcesses.STARTUP).ignoreExceptions()
                        .failFast("instance A exited; see " + logA, () -> !processA.isAlive())
                        .until(() -> aliceOnA.read("").get(0).hasSyncCaughtUp());
                String conversation = conversation(aliceOnA, bobOnB);

                FollowStream bobs = FollowStream.open(bobOnB.asyncStub(), "", 0).awaitCaughtUp();
                FollowStream alices = FollowStream.open(aliceOnA.asyncStub(), "", 0).awaitCaughtUp();
                try {
                    await().atMost(LIVE).until(() -> bobs.sawPresence(aliceOnA, true));
                    await().atMost(LIVE).until(() -> alices.sawPresence(bobOnB, true));

                    long killedAt = System.nanoTime();
                    processA.destroyForcibly();
                    assertThat(processA.waitFor(10, TimeUnit.SECONDS)).as("instance A killed").isTrue();
                    await().atMost(LIVE).until(alices.done::isDone);
                    assertThat(alices.endedWith()).isEqualTo(Status.Code.UNAVAILABLE);

                    await().atMost(LIVE).until(() -> bobs.sawPresence(aliceOnA, false));
                    Duration offlineAfter = Duration.ofNanos(System.nanoTime() - killedAt);
                    System.out.println("alice went offline on B " + offlineAfter.toMillis() + " ms after her instance was killed");
                    assertThat(bobs.presenceOf(aliceOnA)).extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true, false);
                    assertThat(bobs.presenceOf(aliceOnA).get(1).getAuthorUuid()).isEqualTo(aliceOnA.uuid());
                    assertThat(bobs.done).isNotDone();

                    // A stream opened now does not list her as online.
                    FollowStream later = FollowStream.open(apiB.user(bobOnB.id).asyncStub(), "", 0).awaitCaughtUp();
                    try {
                        Event marker = Events.send(conversation, "is alice there?");
                        accept(bobOnB, marker);
                        await().atMost(LIVE).until(() -> later.received(marker.getUuid()));
                        assertThat(later.presence()).isEmpty();
                    } finally {
                        later.cancel();
                    }
                    // And she comes back online when she reconnects, to B.
                    FollowStream back = FollowStream.open(apiB.user(aliceOnA.id).asyncStub(), "", 0).awaitCaughtUp();
                    try {
                        await().atMost(LIVE).until(() -> bobs.presenceOf(aliceOnA).size() == 3);
                        assertThat(bobs.presenceOf(aliceOnA).get(2).getUserIsConnected().getConnected()).isTrue();
                    } finally {
                        back.cancel();
                    }
                } finally {
                    alices.cancel();
                    bobs.cancel();
                }
            } finally {
                b.close();
            }
        } finally {
            processA.destroyForcibly();
            processA.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The expiry is a duration like any other: with a sub-second one (valid: at least twice the
     * heartbeat), an instance that keeps heartbeating must not be presumed dead, by itself or by
     * others, and its users must not flicker offline.
     */
    @Test
    void anInstanceThatKeepsHeartbeatingIsNeverPresumedDeadEvenWithASubSecondExpiry() throws Exception {
        ConfigurableApplicationContext a = startInstance(Map.of(
                "eventsync.live.heartbeat", "200ms",
                "eventsync.live.instance-expiry", "800ms"));
        try (Api apiA = new Api(Servers.port(a))) {
            Api.User alice = apiA.newUser();
            Api.User bob = apiA.newUser();
            conversation(alice, bob);
            FollowStream bobs = FollowStream.open(bob.asyncStub(), "", 0).awaitCaughtUp();
            FollowStream alices = FollowStream.open(alice.asyncStub(), "", 0).awaitCaughtUp();
            try {
                await().atMost(LIVE).untilAsserted(() -> assertThat(bobs.presenceOf(alice))
                        .as("alice's presence on bob's stream, once both streams are open").isNotEmpty());
                // Ten heartbeats, four expiries: both streams stay open, so both users stay online, once.
                await().alias("presence while both streams stay open").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                        .untilAsserted(() -> {
                            assertThat(bobs.presenceOf(alice)).extracting(e -> e.getUserIsConnected().getConnected())
                                    .as("alice's presence on bob's stream").containsExactly(true);
                            assertThat(alices.presenceOf(bob)).extracting(e -> e.getUserIsConnected().getConnected())
                                    .as("bob's presence on alice's stream").containsExactly(true);
                        });
            } finally {
                alices.cancel();
                bobs.cancel();
            }
        } finally {
            a.close();
        }
    }

    /** An instance's context closing on another thread (a close blocks), timed. */
    record Closing(ConfigurableApplicationContext instance, String with, long startedAt, CompletableFuture<Void> done) {

        static Closing begin(ConfigurableApplicationContext instance, String with) {
            return new Closing(instance, with, System.nanoTime(), CompletableFuture.runAsync(instance::close));
        }

        /**
         * Waits for the close to end within {@link #PROMPT}; when it does not, still waits for it
         * to end (so that no test overlaps a closing instance) and fails with the time it took.
         */
        Duration awaitPrompt() throws InterruptedException, ExecutionException {
            try {
                done.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                try {
                    done.get(60, TimeUnit.SECONDS);
                } catch (TimeoutException stillClosing) {
                    // reported below
                }
                throw new AssertionError("closing an instance with " + with + " took " + took().toMillis()
                        + " ms (done: " + done.isDone() + "); expected less than " + PROMPT.toSeconds() + " s");
            }
            Duration took = took();
            System.out.println("closing an instance with " + with + " took " + took.toMillis() + " ms");
            return took;
        }

        private Duration took() {
            return Duration.ofNanos(System.nanoTime() - startedAt);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
