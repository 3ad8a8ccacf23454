package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Decider;
import dev.eventsync.events.Limits;
import dev.eventsync.events.Outcome;
import dev.eventsync.events.Result;
import dev.eventsync.events.State;
import dev.eventsync.events.Submission;
import dev.eventsync.events.Submissions;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.PositionLock;
import dev.eventsync.support.ServerTest;
import dev.eventsync.proto.v1.SubmitEventOutput;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * The traps of DESIGN.md decisions 1 and 10: stalled writers, rolled-back batches, positions
 * without gaps, and each kind of failure answered as what it is. Several tests make calls queue
 * up behind a writer that waits for the position lock held here, so that they are written as one
 * batch when it is released.
 */
@ServerTest
@TestPropertySource(properties = "eventsync.store.lock-timeout=2s")
class AppendFailureTest {

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    MeterRegistry meters;

    Api api;
    JdbcTemplate jdbc;
    final List<Appender> otherInstances = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api(port);
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        otherInstances.forEach(Appender::stop);
        api.close();
    }

    @Test
    void aWriterStalledOnThePositionLockGivesUpWithUnavailableAndStoresNothing() throws Exception {
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "stall");
        Event message = Events.send(conversation, "waits for the lock");

        try (Connection stalled = dataSource.getConnection()) {
            stalled.setAutoCommit(false);
            try (Statement statement = stalled.createStatement()) {
                statement.execute("update log_head set last_position = last_position"); // holds the position lock
            }
            assertThatThrownBy(() -> alice.submit(message))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            stalled.rollback();
        }

        EventResult resent = alice.submit(message);
        assertThat(resent.getAccepted().getDuplicate()).as("the first attempt wrote nothing").isFalse();
        assertThat(alice.feed()).extracting(Event::getUuid).containsOnlyOnce(message.getUuid());
        assertPositionsAreDense();
    }

    @Test
    void aCallFailingInTheDatabaseIsInternalRolledBackWholeAndTakesNoPosition() {
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "rollback");
        Event first = Events.send(conversation, "fine");
        Event poisoned = Events.send(conversation, "fails in the database");
        String poisonedLocalUuid = poisoned.getSendingNewMessage().getLocalUuid();
        poison(poisoned);
        try {
            assertThatThrownBy(() -> alice.sync(first, poisoned))
                    .as("a fault that fails again on every retry is never answered 'retry'")
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
        } finally {
            curePoison();
        }

        assertThat(alice.feed()).extracting(Event::getUuid).doesNotContain(first.getUuid(), poisoned.getUuid());
        assertThat(alice.sync(first, poisoned).getResultsList())
                .allSatisfy(r -> assertThat(r.getAccepted().getDuplicate()).isFalse());
        assertPositionsAreDense();
    }

    @Test
    void aPoisonedCallIsInternalAloneAndAnotherCallersCallInTheSameBatchIsAcceptedAndStored() throws Exception {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "poison", bob.uuid()));
        Event stall = Events.send(conversation, "waits for the lock");
        Event good = Events.send(conversation, "bob's, in the poisoned batch");
        Event poisoned = Events.send(conversation, "fails in the database");
        poison(poisoned);
        double callFaults = batchFailures("CALL_FAULT");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<SubmitEventOutput> stalled = async(() -> alice.sync(stall));
            awaitWriterWaitingForTheLock(0);
            CompletableFuture<SubmitEventOutput> bobs = async(() -> bob.sync(good));
            CompletableFuture<SubmitEventOutput> alices = async(() -> alice.sync(poisoned));
            awaitQueued(2);
            lock.release(); // the two queued calls are now taken as one batch

            assertThat(stalled.get(10, TimeUnit.SECONDS).getResults(0).hasAccepted()).isTrue();
            assertThat(bobs.get(10, TimeUnit.SECONDS).getResults(0).getAccepted().getDuplicate()).isFalse();
            assertThat(codeOf(alices)).isEqualTo(Status.Code.INTERNAL);
        } finally {
            curePoison();
        }
        assertThat(batchFailures("CALL_FAULT")).as("the batch of two, then the poisoned call alone").isEqualTo(callFaults + 2);
        assertThat(bob.feed()).extracting(Event::getUuid).contains(good.getUuid()).doesNotContain(poisoned.getUuid());
        assertPositionsAreDense();
    }

    @Test
    void anOutageFailsTheWholeBatchAtOnceWithUnavailableAndRunsNoCallAgain() throws Exception {
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "outage");
        List<Api.User> callers = List.of(api.newUser(), api.newUser(), api.newUser());
        List<Event> messages = new ArrayList<>();
        for (Api.User caller : callers) {
            alice.submit(Events.addMember(conversation, caller.uuid()));
            messages.add(Events.send(conversation, "from " + caller.uuid()));
        }
        double outages = batchFailures("OUTAGE");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<SubmitEventOutput> stalled = async(() -> alice.sync(Events.send(conversation, "stalled")));
            int first = awaitWriterWaitingForTheLock(0);
            List<CompletableFuture<SubmitEventOutput>> batch = new ArrayList<>();
            for (int i = 0; i < callers.size(); i++) {
                Event message = messages.get(i);
                Api.User caller = callers.get(i);
                batch.add(async(() -> caller.sync(message)));
            }
            awaitQueued(callers.size());
            terminate(first); // the stalled call's batch loses its connection
            assertThat(codeOf(stalled)).isEqualTo(Status.Code.UNAVAILABLE);

            terminate(awaitWriterWaitingForTheLock(first)); // and so does the batch of three
            long lost = System.nanoTime();
            for (CompletableFuture<SubmitEventOutput> call : batch) {
                assertThat(codeOf(call)).isEqualTo(Status.Code.UNAVAILABLE);
            }
            Duration answered = Duration.ofNanos(System.nanoTime() - lost);
            // A call run again would wait for the lock still held here and fail once more.
            assertThat(batchFailures("OUTAGE")).as("one failure per batch, none per call").isEqualTo(outages + 2);
            assertThat(waitingForTheLock()).as("no call is being run again").isEmpty();
            assertThat(answered).as("all at once, not one lock timeout after another").isLessThan(Duration.ofSeconds(2));
        }
        for (int i = 0; i < callers.size(); i++) {
            assertThat(callers.get(i).submit(messages.get(i)).getAccepted().getDuplicate())
                    .as("nothing of the failed batch was written").isFalse();
        }
        assertPositionsAreDense();
    }

    @Test
    void aDeciderFailingOnOneCallIsolatesItAndTheRestOfTheBatchIsCommitted() throws Exception {
        Decider failing = new Decider(Limits.defaults()) {
            @Override
            public Outcome decide(UUID caller, Submission submission, State state) {
                if (submission instanceof Submission.Storable storable
                        && storable.command() instanceof dev.eventsync.events.Command.SendMessage send
                        && send.text().equals("the decider fails on this")) {
                    throw new IllegalStateException("a bug in a rule");
                }
                return super.decide(caller, submission, state);
            }
        };
        Appender appender = otherInstance(failing, StoreProperties.of(2000, 100, Duration.ofSeconds(2)), new SimpleMeterRegistry());
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "decider");
        Event before = Events.send(conversation, "before");
        Event faulty = Events.send(conversation, "the decider fails on this");
        Event after = Events.send(conversation, "after");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<List<Result>> stalled = submit(appender, alice, Events.send(conversation, "stalled"));
            awaitWriterWaitingForTheLock(0);
            CompletableFuture<List<Result>> first = submit(appender, alice, before);
            CompletableFuture<List<Result>> bad = submit(appender, alice, faulty);
            CompletableFuture<List<Result>> last = submit(appender, alice, after);
            lock.release();

            assertThat(stalled.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(first.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(last.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(bad).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                    .isInstanceOf(Failures.CallFault.class);
        }
        assertThat(alice.feed()).extracting(Event::getUuid)
                .contains(before.getUuid(), after.getUuid()).doesNotContain(faulty.getUuid());
        assertPositionsAreDense();
    }

    @Test
    void aCallWhoseClientIsGoneIsSkippedBeforeItsBatchIsWritten() throws Exception {
        Appender appender = otherInstance(new Decider(Limits.defaults()), StoreProperties.of(2000, 100, Duration.ofSeconds(2)),
                new SimpleMeterRegistry());
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "gone");
        Event abandoned = Events.send(conversation, "nobody waits for this");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<List<Result>> stalled = submit(appender, alice, Events.send(conversation, "stalled"));
            awaitWriterWaitingForTheLock(0);
            Context.CancellableContext client = Context.current().withCancellation();
            CompletableFuture<List<Result>> gone = client.call(() -> submit(appender, alice, abandoned));
            client.cancel(null);
            lock.release();

            assertThat(stalled.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(gone).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(CallRejected.class,
                            e -> assertThat(e.problem()).isEqualTo(CallRejected.Problem.UNAVAILABLE));
        }
        assertThat(alice.feed()).extracting(Event::getUuid).doesNotContain(abandoned.getUuid());
    }

    @Test
    void theQueueIsBoundedInBytesAFullQueueIsUnavailableAndABatchInBytes() throws Exception {
        Event small = Events.send(Events.newUuid(), "x");
        int callBytes = small.getSerializedSize();
        // Room for two calls in the queue, one in a batch.
        StoreProperties properties = new StoreProperties(2000, 100, Duration.ofSeconds(2), DataSize.ofBytes(2L * callBytes),
                DataSize.ofBytes(callBytes), Duration.ofSeconds(10), 2);
        SimpleMeterRegistry appenderMeters = new SimpleMeterRegistry();
        Appender appender = otherInstance(new Decider(Limits.defaults()), properties, appenderMeters);
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "bytes");
        Event refused = Events.send(conversation, "y");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<List<Result>> stalled = submit(appender, alice, Events.send(conversation, "z"));
            awaitWriterWaitingForTheLock(0);
            CompletableFuture<List<Result>> one = submit(appender, alice, Events.send(conversation, "1"));
            CompletableFuture<List<Result>> two = submit(appender, alice, Events.send(conversation, "2"));
            assertThatThrownBy(() -> submit(appender, alice, refused))
                    .isInstanceOfSatisfying(CallRejected.class, e -> {
                        assertThat(e.problem()).isEqualTo(CallRejected.Problem.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("max-queue-bytes");
                    });
            lock.release();

            for (CompletableFuture<List<Result>> call : List.of(stalled, one, two)) {
                assertThat(call.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            }
        }
        assertThat(appenderMeters.get("eventsync.append.batch.events").summary().count())
                .as("each call its own batch: a second would exceed max-batch-bytes").isEqualTo(3);
        assertThat(appenderMeters.get("eventsync.append.queue.bytes").gauge().value()).isZero();
        assertThat(alice.feed()).extracting(Event::getUuid).doesNotContain(refused.getUuid());
        assertPositionsAreDense();
    }

    @Test
    void stopIsBoundedAndAnswersWhatIsStillQueuedUnavailable() throws Exception {
        StoreProperties properties = new StoreProperties(2000, 100, Duration.ofSeconds(5), DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(8), Duration.ofMillis(200), 2);
        Appender appender = otherInstance(new Decider(Limits.defaults()), properties, new SimpleMeterRegistry());
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "stop");
        Event queued = Events.send(conversation, "queued when the server stops");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            submit(appender, alice, Events.send(conversation, "stalled"));
            awaitWriterWaitingForTheLock(0);
            CompletableFuture<List<Result>> waiting = submit(appender, alice, queued);

            long started = System.nanoTime();
            appender.stop(); // the writer still waits for the lock held here
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(waiting).failsWithin(Duration.ofSeconds(1)).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(CallRejected.class,
                            e -> assertThat(e.problem()).isEqualTo(CallRejected.Problem.UNAVAILABLE));
            lock.release();
        }
        assertThat(alice.feed()).extracting(Event::getUuid).doesNotContain(queued.getUuid());
    }

    @Test
    void aSlowCompletionCallbackDoesNotStallTheWriter() throws Exception {
        Appender appender = otherInstance(new Decider(Limits.defaults()), StoreProperties.of(1, 100, Duration.ofSeconds(2)),
                new SimpleMeterRegistry());
        Api.User alice = api.newUser();
        String conversation = conversationOf(alice, "slow");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<List<Result>> slow;
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            slow = submit(appender, alice, Events.send(conversation, "its caller is slow"));
            awaitWriterWaitingForTheLock(0);
            slow.thenRun(() -> awaitQuietly(release)); // registered before it completes: runs where it completes
            lock.release();
        }
        try {
            List<Result> next = submit(appender, alice, Events.send(conversation, "next")).get(10, TimeUnit.SECONDS);
            assertThat(next.get(0)).isInstanceOf(Result.Accepted.class);
        } finally {
            release.countDown();
        }
        assertThat(slow.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String conversationOf(Api.User creator, String name) {
        String conversation = Events.newUuid();
        creator.submit(Events.createConversation(conversation, name));
        return conversation;
    }

    /** Another appender on the test database, as another instance's would be. */
    private Appender otherInstance(Decider decider, StoreProperties properties, MeterRegistry registry) {
        Appender appender = new Appender(dataSource, decider, properties, registry);
        appender.start();
        otherInstances.add(appender);
        return appender;
    }

    private static CompletableFuture<List<Result>> submit(Appender appender, Api.User user, Event event) {
        return appender.submit(user.id, new Submissions(Limits.defaults()).parseCall(List.of(event)), event.getSerializedSize());
    }

    private static <T> CompletableFuture<T> async(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call);
    }

    private static Status.Code codeOf(CompletableFuture<?> call) {
        assertThat(call).failsWithin(Duration.ofSeconds(10));
        Throwable failure = call.handle((result, error) -> error).join();
        assertThat(failure).hasCauseInstanceOf(StatusRuntimeException.class);
        return ((StatusRuntimeException) failure.getCause()).getStatus().getCode();
    }

    private List<Integer> waitingForTheLock() {
        return PositionLock.waiters(jdbc);
    }

    /** Waits until a writer backend other than {@code not} waits for the lock, and returns it. */
    private int awaitWriterWaitingForTheLock(int not) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> waitingForTheLock().stream().filter(pid -> pid != not).findFirst().orElse(0), pid -> pid != 0);
    }

    private void awaitQueued(int calls) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("eventsync.append.queue.calls").gauge().value() == calls);
    }

    private void terminate(int pid) {
        assertThat(jdbc.queryForObject("select pg_terminate_backend(?)", Boolean.class, pid)).isTrue();
    }

    private double batchFailures(String kind) {
        return meters.get("eventsync.append.batch.failures").tag("kind", kind).counter().count();
    }

    /** A test-only trigger that raises for this message: a call that passes the rules and fails in SQL. */
    private void poison(Event message) {
        jdbc.execute("""
                create function test_poison() returns trigger language plpgsql as $$
                begin
                    if new.local_uuid = '%s' then raise exception 'poisoned row'; end if;
                    return new;
                end $$""".formatted(message.getSendingNewMessage().getLocalUuid()));
        jdbc.execute("create trigger test_poison before insert on messages for each row execute function test_poison()");
    }

    private void curePoison() {
        jdbc.execute("drop trigger test_poison on messages");
        jdbc.execute("drop function test_poison()");
    }

    /**
     * Positions are handed out 1, 2, 3, … with none lost to a failed or rolled-back batch, and
     * every feed row belongs to a stored event.
     */
    private void assertPositionsAreDense() {
        Long gaps = jdbc.queryForObject("select (select last_position from log_head) - count(*) from events", Long.class);
        assertThat(gaps).isZero();
        Long orphanFeedRows = jdbc.queryForObject(
                "select count(*) from feed f where not exists (select 1 from events e where e.position = f.position)", Long.class);
        assertThat(orphanFeedRows).isZero();
        // Still written for instances of the previous version during a rolling deploy (V3).
        Long feedRowsNamingAnotherEvent = jdbc.queryForObject(
                "select count(*) from feed f join events e on e.position = f.position where f.event_uuid <> e.event_uuid",
                Long.class);
        assertThat(feedRowsNamingAnotherEvent).isZero();
    }
}
