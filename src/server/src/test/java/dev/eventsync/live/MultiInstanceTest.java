package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.feed.FeedReader;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Live sync across server instances (API.md, SyncFromServer): two whole servers, A and B, on one
 * PostgreSQL database and two real gRPC ports. Whatever is written through one instance reaches
 * follow streams held on the other, live: stored events, typing, and presence, each under the
 * rules of API.md; and a follower that reads nothing on one instance neither loses nor repeats
 * anything written meanwhile through the other.
 *
 * <p>The instances run with a safety poll of an hour: what arrives live can only have come through
 * the cross-instance notifications (LISTEN/NOTIFY). Instance B reads feed pages
 * of 50 rows (as {@code FlowControlTest} does), so the read-ahead for a stalled follower is
 * measurable. The two servers are shared by the tests of this class; every test uses new users.
 */
class MultiInstanceTest {

    static final Duration LIVE = Duration.ofSeconds(10);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    Api apiA;
    Api apiB;
    /** Every follow stream a test opened: cancelled after it, so none outlives its test. */
    final List<FollowStream> followers = new ArrayList<>();
    final List<ManagedChannel> extraChannels = new ArrayList<>();

    @BeforeAll
    static void startTwoInstances() {
        a = startInstance(Map.of());
        try {
            b = startInstance(Map.of("eventsync.feed.page-rows", "50"));
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
    }

    @AfterAll
    static void stopBothInstances() {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    @BeforeEach
    void connect() {
        apiA = new Api(Servers.port(a));
        apiB = new Api(Servers.port(b));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        try {
            followers.forEach(FollowStream::cancel);
            for (ManagedChannel channel : extraChannels) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // Cancelled streams are unregistered on both instances (the next test counts on it).
            await().atMost(LIVE).until(() -> openStreams(a) == 0 && openStreams(b) == 0);
        } finally {
            try {
                apiA.close();
            } finally {
                apiB.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Stored events
    // ------------------------------------------------------------------------------------------

    @Test
    void aMessageSentThroughOneInstanceArrivesLiveOnFollowStreamsHeldOnTheOtherAndViceVersa() {
        Api.User aliceOnA = apiA.newUser();
        Api.User bobOnB = apiB.newUser();
        String conversation = conversation(aliceOnA, bobOnB);

        FollowStream alicesStreamOnA = follow(aliceOnA);
        FollowStream bobsStreamOnB = follow(bobOnB);
        alicesStreamOnA.awaitCaughtUp();
        bobsStreamOnB.awaitCaughtUp();

        Event fromAlice = Events.send(conversation, "sent through A");
        EventResult sent = accept(aliceOnA, fromAlice);
        await().atMost(LIVE).until(() -> bobsStreamOnB.received(fromAlice.getUuid()));
        Event arrived = bobsStreamOnB.stored(fromAlice.getUuid());
        assertThat(arrived.hasNewMessage()).as("delivered as new_message: %s", arrived).isTrue();
        assertThat(arrived.getAuthorUuid()).isEqualTo(aliceOnA.uuid());
        assertThat(arrived.getNewMessage().getUuid()).isEqualTo(sent.getAccepted().getMessageUuid());
        assertThat(arrived.getNewMessage().getMessage().getText()).isEqualTo("sent through A");
        assertThat(arrived.getNewMessage().getMessage().getAuthorUuid()).isEqualTo(aliceOnA.uuid());
        // The sender's own devices get it too.
        await().atMost(LIVE).until(() -> alicesStreamOnA.received(fromAlice.getUuid()));

        Event fromBob = Events.send(conversation, "sent through B");
        accept(bobOnB, fromBob);
        await().atMost(LIVE).until(() -> alicesStreamOnA.received(fromBob.getUuid()));
        assertThat(alicesStreamOnA.stored(fromBob.getUuid()).getNewMessage().getMessage().getText()).isEqualTo("sent through B");
        assertThat(alicesStreamOnA.stored(fromBob.getUuid()).getAuthorUuid()).isEqualTo(bobOnB.uuid());
        await().atMost(LIVE).until(() -> bobsStreamOnB.received(fromBob.getUuid()));

        // Live and catch-up are one sequence: each stream holds exactly the feed, in feed order, each event once.
        assertThat(bobsStreamOnB.storedUuids()).doesNotHaveDuplicates()
                .isEqualTo(uuids(apiA.user(bobOnB.id).feed()));
        assertThat(alicesStreamOnA.storedUuids()).doesNotHaveDuplicates()
                .isEqualTo(uuids(apiB.user(aliceOnA.id).feed()));
        assertThat(bobsStreamOnB.storedUuids()).endsWith(fromAlice.getUuid(), fromBob.getUuid());
        assertThat(bobsStreamOnB.done).isNotDone();
        assertThat(alicesStreamOnA.done).isNotDone();
    }

    // ------------------------------------------------------------------------------------------
    // Typing
    // ------------------------------------------------------------------------------------------

    @Test
    void typingCrossesInstancesBothWaysAndNeverReachesTheTypersOwnStreams() {
        Api.User aliceOnA = apiA.newUser();
        Api.User bobOnB = apiB.newUser();
        String conversation = conversation(aliceOnA, bobOnB);

        // Both users have a device on each instance.
        FollowStream alicesA = follow(aliceOnA);
        FollowStream alicesB = follow(apiB.user(aliceOnA.id));
        FollowStream bobsB = follow(bobOnB);
        FollowStream bobsA = follow(apiA.user(bobOnB.id));
        // Each stream is live once it got the other user's presence (sent only after sync_caught_up).
        for (FollowStream stream : List.of(alicesA, alicesB)) {
            await().atMost(LIVE).until(() -> stream.sawPresence(bobOnB, true));
        }
        for (FollowStream stream : List.of(bobsA, bobsB)) {
            await().atMost(LIVE).until(() -> stream.sawPresence(aliceOnA, true));
        }

        Event alicesTyping = Events.typing(conversation);
        EventResult typed = aliceOnA.submit(alicesTyping);
        assertThat(typed.hasAccepted()).as("typing accepted: %s", typed).isTrue();
        assertThat(typed.getAccepted().getTransitory()).isTrue();
        assertThat(typed.getAccepted().getEventUuid()).isEqualTo(alicesTyping.getUuid());
        for (FollowStream stream : List.of(bobsB, bobsA)) {
            await().atMost(LIVE).until(() -> !stream.typingBy(aliceOnA).isEmpty());
            assertThat(stream.typingBy(aliceOnA)).singleElement().satisfies(event -> {
                assertThat(event.getUuid()).as("a transitory event has no uuid").isEmpty();
                assertThat(event.getAuthorUuid()).isEqualTo(aliceOnA.uuid());
                assertThat(event.getUserIsTyping().getConversationUuid()).isEqualTo(conversation);
                assertThat(event.getUserIsTyping().getTyping()).isTrue();
                assertThat(event.hasOccurredAt()).isTrue();
            });
        }

        Event bobsTyping = Events.typing(conversation);
        assertThat(bobOnB.submit(bobsTyping).getAccepted().getTransitory()).isTrue();
        for (FollowStream stream : List.of(alicesA, alicesB)) {
            await().atMost(LIVE).until(() -> !stream.typingBy(bobOnB).isEmpty());
            assertThat(stream.typingBy(bobOnB)).singleElement().satisfies(event -> {
                assertThat(event.getUuid()).isEmpty();
                assertThat(event.getAuthorUuid()).isEqualTo(bobOnB.uuid());
                assertThat(event.getUserIsTyping().getConversationUuid()).isEqualTo(conversation);
            });
        }

        // Markers written after the typing: once every stream has them, any typing delivered to
        // the typer's own devices would already be there (notifications arrive in commit order).
        Event markerFromAlice = Events.send(conversation, "marker through A");
        accept(aliceOnA, markerFromAlice);
        Event markerFromBob = Events.send(conversation, "marker through B");
        accept(bobOnB, markerFromBob);
        for (FollowStream stream : List.of(alicesA, alicesB, bobsA, bobsB)) {
            await().atMost(LIVE).until(() -> stream.received(markerFromAlice.getUuid()) && stream.received(markerFromBob.getUuid()));
        }
        assertThat(alicesA.typingBy(aliceOnA)).as("alice's own typing on her stream on A").isEmpty();
        assertThat(alicesB.typingBy(aliceOnA)).as("alice's own typing on her stream on B").isEmpty();
        assertThat(bobsA.typingBy(bobOnB)).as("bob's own typing on his stream on A").isEmpty();
        assertThat(bobsB.typingBy(bobOnB)).as("bob's own typing on his stream on B").isEmpty();
        // Typing is not stored: no feed has it, and the streams' stored part is still exactly the feed.
        assertThat(apiA.user(bobOnB.id).feed()).noneMatch(Event::hasUserIsTyping);
        assertThat(bobsB.storedUuids()).isEqualTo(uuids(apiA.user(bobOnB.id).feed()));
    }

    // ------------------------------------------------------------------------------------------
    // Presence
    // ------------------------------------------------------------------------------------------

    @Test
    void presenceCrossesInstancesBothWaysAndAUserNeverReceivesTheirOwn() {
        Api.User aliceOnA = apiA.newUser();
        Api.User bobOnB = apiB.newUser();
        String conversation = conversation(aliceOnA, bobOnB);

        FollowStream bobsFirst = follow(bobOnB).awaitCaughtUp();
        awaitOnline(bobOnB, aliceOnA);

        // alice opens her first follow stream, on A: bob's stream on B hears it.
        FollowStream alices = follow(aliceOnA);
        await().atMost(LIVE).until(() -> bobsFirst.sawPresence(aliceOnA, true));
        assertThat(bobsFirst.presence()).singleElement().satisfies(event -> {
            assertThat(event.getUuid()).as("a transitory event has no uuid").isEmpty();
            assertThat(event.getAuthorUuid()).as("author of user_is_connected is that user").isEqualTo(aliceOnA.uuid());
            assertThat(event.getUserIsConnected().getUserUuid()).isEqualTo(aliceOnA.uuid());
            assertThat(event.getUserIsConnected().getConnected()).isTrue();
            assertThat(event.hasOccurredAt()).isTrue();
        });
        // bob was online before: alice's stream lists him right after sync_caught_up.
        await().atMost(LIVE).until(() -> alices.afterCaughtUp().size() >= 1);
        assertThat(alices.afterCaughtUp().get(0)).as("the event right after sync_caught_up").satisfies(event -> {
            assertThat(event.hasUserIsConnected()).as("user_is_connected: %s", event).isTrue();
            assertThat(event.getUserIsConnected().getUserUuid()).isEqualTo(bobOnB.uuid());
            assertThat(event.getUserIsConnected().getConnected()).isTrue();
            assertThat(event.getAuthorUuid()).isEqualTo(bobOnB.uuid());
            assertThat(event.getUuid()).isEmpty();
        });

        // bob's only stream (on B) ends: alice's stream on A hears him go offline ...
        bobsFirst.cancel();
        await().atMost(LIVE).until(() -> alices.sawPresence(bobOnB, false));
        // ... and come back, now on A (same instance as alice) ...
        FollowStream bobsSecond = follow(apiA.user(bobOnB.id));
        await().atMost(LIVE).until(() -> alices.presenceOf(bobOnB).size() == 3);
        assertThat(alices.presenceOf(bobOnB)).extracting(event -> event.getUserIsConnected().getConnected())
                .containsExactly(true, false, true);
        await().atMost(LIVE).until(() -> bobsSecond.afterCaughtUp().size() >= 1);
        assertThat(bobsSecond.afterCaughtUp().get(0).getUserIsConnected().getUserUuid()).isEqualTo(aliceOnA.uuid());
        assertThat(bobsSecond.afterCaughtUp().get(0).getUserIsConnected().getConnected()).isTrue();
        // ... and then on B, while alice's stream on A ends: bob's stream on B hears her go offline.
        FollowStream bobsThird = follow(bobOnB);
        await().atMost(LIVE).until(() -> bobsThird.sawPresence(aliceOnA, true));
        alices.cancel();
        await().atMost(LIVE).until(() -> bobsThird.sawPresence(aliceOnA, false) && bobsSecond.sawPresence(aliceOnA, false));
        assertThat(bobsThird.presenceOf(aliceOnA)).extracting(event -> event.getUserIsConnected().getConnected())
                .containsExactly(true, false);
        assertThat(bobsThird.presenceOf(aliceOnA).get(1).getAuthorUuid()).isEqualTo(aliceOnA.uuid());
        assertThat(bobsThird.presenceOf(aliceOnA).get(1).getUuid()).isEmpty();

        // A stored marker after everything: by the time it arrives, any presence of one's own would have too.
        Event marker = Events.send(conversation, "marker");
        accept(bobOnB, marker);
        await().atMost(LIVE).until(() -> bobsSecond.received(marker.getUuid()) && bobsThird.received(marker.getUuid()));
        for (FollowStream stream : List.of(bobsFirst, bobsSecond, bobsThird)) {
            assertThat(stream.presenceOf(bobOnB)).as("bob's own presence on his streams").isEmpty();
        }
        assertThat(alices.presenceOf(aliceOnA)).as("alice's own presence on her stream").isEmpty();
        assertThat(apiA.user(bobOnB.id).feed()).as("presence is not stored").noneMatch(Event::hasUserIsConnected);
    }

    @Test
    void aUserStaysOnlineWhileAnyOfTheirFollowStreamsOnAnyInstanceIsOpen() {
        Api.User aliceOnA = apiA.newUser();
        Api.User aliceOnB = apiB.user(aliceOnA.id);
        Api.User bobOnB = apiB.newUser();
        String conversation = conversation(aliceOnA, bobOnB);
        FollowStream bobs = follow(bobOnB).awaitCaughtUp();
        awaitOnline(bobOnB, aliceOnA);

        FollowStream alicesOnA = follow(aliceOnA);
        await().atMost(LIVE).until(() -> bobs.sawPresence(aliceOnA, true));
        // A second stream on the other instance, and a third on the first: she is online already.
        FollowStream alicesOnB = follow(aliceOnB);
        FollowStream alicesSecondOnA = follow(aliceOnA);
        await().atMost(LIVE).until(() -> instancesServing(aliceOnA) == 2);
        alicesOnB.awaitCaughtUp();
        alicesSecondOnA.awaitCaughtUp();
        assertThat(openStreams(a)).isEqualTo(2);
        assertThat(openStreams(b)).isEqualTo(2);
        // Closing streams while another one stays open, on this or the other instance: still online.
        alicesOnA.cancel();
        await().atMost(LIVE).until(() -> openStreams(a) == 1);
        assertThat(instancesServing(aliceOnA)).isEqualTo(2);
        alicesOnB.cancel();
        await().atMost(LIVE).until(() -> openStreams(b) == 1 && instancesServing(aliceOnA) == 1);
        Event marker = Events.send(conversation, "alice is still online");
        accept(aliceOnA, marker);
        await().atMost(LIVE).until(() -> bobs.received(marker.getUuid()));
        assertThat(bobs.presenceOf(aliceOnA)).as("alice's presence while some stream of hers stayed open")
                .extracting(event -> event.getUserIsConnected().getConnected()).containsExactly(true);

        // Her last stream closes: now she is offline, once.
        alicesSecondOnA.cancel();
        await().atMost(LIVE).until(() -> bobs.sawPresence(aliceOnA, false));
        Event secondMarker = Events.send(conversation, "alice is gone");
        accept(bobOnB, secondMarker);
        await().atMost(LIVE).until(() -> bobs.received(secondMarker.getUuid()));
        assertThat(bobs.presenceOf(aliceOnA)).extracting(event -> event.getUserIsConnected().getConnected())
                .containsExactly(true, false);

        // A stream opened now does not list her.
        FollowStream bobsLater = follow(apiA.user(bobOnB.id)).awaitCaughtUp();
        Event thirdMarker = Events.send(conversation, "anyone?");
        accept(bobOnB, thirdMarker);
        await().atMost(LIVE).until(() -> bobsLater.received(thirdMarker.getUuid()));
        assertThat(bobsLater.presence()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------
    // A follower that reads nothing
    // ------------------------------------------------------------------------------------------

    static final int BACKLOG_MESSAGES = 3000;
    static final int EVENTS_PER_CALL = 500;
    static final int CLIENT_WINDOW = 16 * 1024;
    /** Rows B may read ahead for a follower that took one event (see FlowControlTest). */
    static final int READ_AHEAD_LIMIT = 500;

    @Test
    void aFollowerOnOneInstanceThatReadsNothingGetsEverythingWrittenThroughTheOtherInOrderOnceThenStaysLive() {
        Api.User aliceOnA = apiA.newUser();
        Api.User bobOnB = apiB.newUser();
        FeedReader readerOfB = b.getBean(FeedReader.class);

        // bob's feed is empty: his one requested event is sync_caught_up, and then he reads nothing.
        FollowStream stalled = slowFollow(bobOnB, 1);
        stalled.awaitCaughtUp();
        assertThat(stalled.events).hasSize(1);
        // bob's other device on B reads normally.
        FollowStream eager = follow(bobOnB).awaitCaughtUp();
        long rowsBefore = readerOfB.rowsRead();

        String conversation = Events.newUuid();
        List<Event> written = new ArrayList<>();
        written.add(Events.createConversation(conversation, "Backlog", bobOnB.uuid()));
        for (int i = 0; i < BACKLOG_MESSAGES; i++) {
            written.add(Events.send(conversation, "message " + i));
        }
        for (int from = 0; from < written.size(); from += EVENTS_PER_CALL) {
            accept(aliceOnA, written.subList(from, Math.min(written.size(), from + EVENTS_PER_CALL)));
        }
        List<String> expected = uuids(written);

        // The stalled stream holds nothing back: the other device gets it all, live.
        await().atMost(LIVE).until(() -> eager.storedUuids().size() >= expected.size());
        assertThat(eager.storedUuids()).isEqualTo(expected);
        // The stalled one got nothing more, and B read only a bounded part of the backlog for it.
        assertThat(stalled.events).hasSize(1);
        long[] last = {-1};
        await().atMost(LIVE).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(500)).until(() -> {
            long now = readerOfB.rowsRead();
            boolean unchanged = now == last[0];
            last[0] = now;
            return unchanged;
        });
        long readForBoth = readerOfB.rowsRead() - rowsBefore;
        assertThat(readForBoth - expected.size())
                .as("rows B read ahead for a follower that took nothing of %d", expected.size())
                .isLessThan(READ_AHEAD_LIMIT);

        stalled.request(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(60)).until(() -> stalled.storedUuids().size() >= expected.size());
        assertThat(stalled.storedUuids()).as("every event, in order, each once").hasSize(expected.size())
                .doesNotHaveDuplicates().isEqualTo(expected);
        assertThat(stalled.done).isNotDone();

        // Still live.
        Event oneMore = Events.send(conversation, "one more");
        accept(aliceOnA, oneMore);
        await().atMost(LIVE).until(() -> stalled.received(oneMore.getUuid()));
        assertThat(stalled.storedUuids()).hasSize(expected.size() + 1).endsWith(oneMore.getUuid()).doesNotHaveDuplicates();
        assertThat(stalled.events.get(0).hasSyncCaughtUp()).isTrue();
        assertThat(stalled.events).filteredOn(Event::hasSyncCaughtUp).hasSize(1);
        assertThat(stalled.done).isNotDone();
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /**
     * Every instance of these tests: a long safety poll, so that live delivery can only come from
     * the cross-instance notifications.
     */
    static final Map<String, String> INSTANCE = Map.of("eventsync.live.safety-poll", "1h",
            // Test users write thousands of events at once and poll: far above a person's rate limits.
            "eventsync.rate-limit.sync-events-burst", "1000000", "eventsync.rate-limit.stream-opens-burst", "1000000");

    /** A whole server on the test database and random ports. */
    static ConfigurableApplicationContext startInstance(Map<String, String> extra) {
        Map<String, Object> properties = new LinkedHashMap<>(INSTANCE);
        properties.putAll(extra);
        return Servers.startOnTestDatabase(properties);
    }

    /** The command-line arguments of a server in a process of its own: {@link Servers#startOnTestDatabase}'s, on this gRPC port. */
    static List<String> instanceArguments(int port, Map<String, String> extra) {
        Map<String, Object> properties = Servers.testDatabase();
        properties.putAll(INSTANCE);
        properties.putAll(extra);
        properties.put("spring.grpc.server.port", Integer.toString(port));
        return Servers.arguments(properties);
    }

    FollowStream follow(Api.User user) {
        FollowStream follower = FollowStream.open(user.asyncStub(), "", 0);
        followers.add(follower);
        return follower;
    }

    /** A follow stream on B over a new connection with a small HTTP/2 window, asking for {@code initial} events only. */
    FollowStream slowFollow(Api.User userOnB, int initial) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Servers.port(b)).usePlaintext()
                .flowControlWindow(CLIENT_WINDOW).build();
        extraChannels.add(channel);
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + userOnB.token);
        FollowStream follower = FollowStream.open(EventServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)), "", initial);
        followers.add(follower);
        return follower;
    }

    /** Waits until {@code user}'s follow stream counts as online (it is announced asynchronously). */
    void awaitOnline(Api.User user, Api.User contact) {
        await().atMost(LIVE).until(() -> a.getBean(Presence.class).onlineContacts(contact.id, null, Integer.MAX_VALUE).contains(user.id));
    }

    /** Follow streams open on an instance (all users). */
    static int openStreams(ConfigurableApplicationContext instance) {
        return instance.getBean(LiveHub.class).openStreams();
    }

    /** On how many instances the user has a follow stream open (the presence table, shared by all instances). */
    long instancesServing(Api.User user) {
        return JdbcClient.create(a.getBean(DataSource.class))
                .sql("select count(*) from presence where user_uuid = ?").param(user.id).query(Long.class).single();
    }

    /** A conversation created by the first user with the others as members. */
    static String conversation(Api.User creator, Api.User... members) {
        String conversation = Events.newUuid();
        accept(creator, Events.createConversation(conversation, "Live",
                Arrays.stream(members).map(Api.User::uuid).toArray(String[]::new)));
        return conversation;
    }

    static EventResult accept(Api.User user, Event event) {
        return accept(user, List.of(event)).get(0);
    }

    static List<EventResult> accept(Api.User user, List<Event> events) {
        SubmitEventOutput output = user.sync(events.toArray(Event[]::new));
        assertThat(output.getResultsList()).hasSize(events.size())
                .allSatisfy(result -> assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue());
        return output.getResultsList();
    }

    static List<String> uuids(List<Event> events) {
        return events.stream().map(Event::getUuid).toList();
    }

    /**
     * A SyncFromServer(follow = true) call as a client holds it: collects what arrives, in a
     * thread-safe list; with {@code initial > 0} it takes only what it requests.
     */
    static final class FollowStream implements ClientResponseObserver<SyncFromServerRequest, Event> {

        final List<Event> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final int initial;
        private volatile ClientCallStreamObserver<SyncFromServerRequest> call;

        private FollowStream(int initial) {
            this.initial = initial;
        }

        static FollowStream open(EventServiceGrpc.EventServiceStub stub, String cursor, int initial) {
            FollowStream follower = new FollowStream(initial);
            stub.syncFromServer(SyncFromServerRequest.newBuilder().setAfterEventUuid(cursor).setFollow(true).build(), follower);
            return follower;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> requestStream) {
            call = requestStream;
            if (initial > 0) {
                requestStream.disableAutoRequestWithInitial(initial);
            }
        }

        @Override
        public void onNext(Event event) {
            events.add(event);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }

        void request(int count) {
            call.request(count);
        }

        void cancel() {
            if (!done.isDone()) {
                call.cancel("the test client goes away", null);
            }
        }

        FollowStream awaitCaughtUp() {
            await().atMost(LIVE).until(() -> events.stream().anyMatch(Event::hasSyncCaughtUp) || done.isDone());
            assertThat(done).as("the follow stream is still open").isNotDone();
            return this;
        }

        /** The events after the (first) sync_caught_up. */
        List<Event> afterCaughtUp() {
            List<Event> all = List.copyOf(events);
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).hasSyncCaughtUp()) {
                    return all.subList(i + 1, all.size());
                }
            }
            return List.of();
        }

        /** The uuids of the stored events received (transitory ones have none), in order. */
        List<String> storedUuids() {
            return events.stream().map(Event::getUuid).filter(uuid -> !uuid.isEmpty()).toList();
        }

        boolean received(String uuid) {
            return events.stream().anyMatch(event -> event.getUuid().equals(uuid));
        }

        Event stored(String uuid) {
            return events.stream().filter(event -> event.getUuid().equals(uuid)).findFirst().orElseThrow();
        }

        List<Event> presence() {
            return events.stream().filter(Event::hasUserIsConnected).toList();
        }

        List<Event> presenceOf(Api.User user) {
            return events.stream()
                    .filter(event -> event.hasUserIsConnected() && event.getUserIsConnected().getUserUuid().equals(user.uuid()))
                    .toList();
        }

        boolean sawPresence(Api.User user, boolean connected) {
            return presenceOf(user).stream().anyMatch(event -> event.getUserIsConnected().getConnected() == connected);
        }

        List<Event> typingBy(Api.User user) {
            return events.stream().filter(event -> event.hasUserIsTyping() && event.getAuthorUuid().equals(user.uuid())).toList();
        }

        /** How the call ended (it must have). */
        Status.Code endedWith() {
            assertThat(done).isDone();
            return done.handle((ignored, error) -> error == null ? Status.Code.OK : Status.fromThrowable(error).getCode()).join();
        }
    }
}
