package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * SyncFromServer respects gRPC flow control (API.md, SyncFromServer): a client that takes nothing
 * holds its stream back, the server reads its backlog from the database only as the client takes
 * it, and a client going away mid-stream costs the server nothing.
 *
 * <p>The slow clients use a small HTTP/2 flow-control window (16 KiB, no auto-tuning): with
 * grpc-java's default (1 MiB, growing with BDP probes), the transport alone would accept the whole
 * ~1 MB backlog before the client asks for it, and the test would measure the window, not the
 * server. The server may still read ahead what fits in that window, its own outbound buffer
 * (~32 KiB) and two pages (50 rows each: the one being sent and the next, read ahead): a few hundred rows, far below the backlog.
 */
@ServerTest
// alice writes backlogs of thousands of events at once, far above a person's rate limit.
@TestPropertySource(properties = {"eventsync.feed.page-rows=50", "eventsync.rate-limit.sync-events-burst=1000000"})
class FlowControlTest {

    static final int BACKLOG_MESSAGES = 3000;
    static final int EVENTS_PER_CALL = 500;
    /** Rows the server may read ahead of a client that asked for one event. */
    static final int READ_AHEAD_LIMIT = 500;
    static final int CLIENT_WINDOW = 16 * 1024;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @LocalGrpcServerPort
    int port;

    @Autowired
    FeedReader reader;

    @Autowired
    FeedProperties properties;

    Api api;
    /** One connection per slow client: a stalled stream holds its connection's window too. */
    final List<ManagedChannel> slowChannels = new ArrayList<>();
    Api.User alice;
    Api.User bob;

    @BeforeEach
    void connect() {
        assertThat(properties.pageRows()).isEqualTo(50);
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        for (ManagedChannel channel : slowChannels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        api.close();
    }

    @Test
    void aClientThatTakesNothingHoldsTheServerBackThenReceivesTheWholeBacklogWhenItAsks() {
        List<String> backlog = bobHasABacklog(BACKLOG_MESSAGES);
        long rowsBefore = reader.rowsRead();

        SlowReader slow = startSlowReader(bob, "");
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.received.size() == 1);
        // The client asked for one event and got it: whatever the server does for a second now, it does unasked.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> slow.received.size() == 1);
        long readAhead = reader.rowsRead() - rowsBefore;
        assertThat(readAhead).as("feed rows the server read for a client that took 1 event of %d", backlog.size())
                .isLessThan(READ_AHEAD_LIMIT);

        slow.request(Integer.MAX_VALUE);

        await().atMost(Duration.ofSeconds(60)).until(slow.done::isDone);
        assertThat(slow.done).isCompleted();
        List<Event> received = List.copyOf(slow.received);
        assertThat(received.get(received.size() - 1).hasSyncCaughtUp()).as("the last event").isTrue();
        assertThat(received.get(received.size() - 1).getSyncCaughtUp().getLastEventUuid())
                .isEqualTo(backlog.get(backlog.size() - 1));
        List<String> stored = received.subList(0, received.size() - 1).stream().map(Event::getUuid).toList();
        assertThat(stored).as("the whole backlog, in order, each once").hasSize(backlog.size())
                .doesNotHaveDuplicates().isEqualTo(backlog);
    }

    @Test
    void aSlowClientDoesNotHoldBackOtherStreams() {
        bobHasABacklog(1000);
        Api.User carol = api.newUser();
        Event carolsChange = Events.displayName("Carol");
        accept(carol, List.of(carolsChange));
        // More stalled streams than the server has reader threads: none of them may occupy one.
        List<SlowReader> stalled = new ArrayList<>();
        for (int i = 0; i < properties.readerThreads() + 4; i++) {
            stalled.add(startSlowReader(bob, ""));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stalled.stream().allMatch(s -> s.received.size() == 1));

        assertThat(carol.feed()).extracting(Event::getUuid).containsExactly(carolsChange.getUuid());
        assertThat(bob.read("")).hasSize(1000 + 2);

        stalled.forEach(SlowReader::cancel);
    }

    @Test
    void clientsCancellingMidStreamDoNotBreakTheServer() {
        List<String> backlog = bobHasABacklog(1000);

        // Stalled streams cancelled while the server waits for them to become ready, more of them
        // than the server has reader threads.
        List<SlowReader> cancelled = new ArrayList<>();
        for (int i = 0; i < properties.readerThreads() + 4; i++) {
            cancelled.add(startSlowReader(bob, ""));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cancelled.stream().allMatch(s -> s.received.size() == 1));
        cancelled.forEach(SlowReader::cancel);
        // A stream cancelled by a client that was reading as fast as it could.
        SlowReader eager = startSlowReader(bob, "");
        eager.cancelAfter = 100;
        eager.request(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(10)).until(eager.done::isDone);
        cancelled.add(eager);
        for (SlowReader client : cancelled) {
            await().atMost(Duration.ofSeconds(10)).until(client.done::isDone);
            Throwable error = client.done.handle((ignored, failure) -> failure).join();
            assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.CANCELLED);
        }
        // Cancelled streams stop reading the feed.
        long[] last = {reader.rowsRead()};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(500))
                .until(() -> {
                    long now = reader.rowsRead();
                    boolean unchanged = now == last[0];
                    last[0] = now;
                    return unchanged;
                });

        List<Event> following = bob.read("");
        assertThat(following.subList(0, following.size() - 1)).extracting(Event::getUuid).isEqualTo(backlog);
        assertThat(following.get(following.size() - 1).hasSyncCaughtUp()).isTrue();
        String conversation = following.get(0).getConversationCreated().getConversationUuid();
        Event afterwards = Events.send(conversation, "still working");
        accept(bob, List.of(afterwards));
        assertThat(bob.feed(backlog.get(backlog.size() - 1))).extracting(Event::getUuid)
                .containsExactly(afterwards.getUuid());
    }

    /**
     * alice and bob share a conversation in which alice sent {@code messages} messages, written
     * in Sync calls of 500: bob's feed, in order.
     */
    List<String> bobHasABacklog(int messages) {
        String conversation = Events.newUuid();
        List<Event> events = new ArrayList<>();
        events.add(Events.createConversation(conversation, "Backlog", bob.uuid()));
        for (int i = 0; i < messages; i++) {
            events.add(Events.send(conversation, "backlog message " + i));
        }
        for (int from = 0; from < events.size(); from += EVENTS_PER_CALL) {
            accept(alice, events.subList(from, Math.min(events.size(), from + EVENTS_PER_CALL)));
        }
        return events.stream().map(Event::getUuid).toList();
    }

    static void accept(Api.User user, List<Event> events) {
        SubmitEventOutput output = user.sync(events.toArray(Event[]::new));
        assertThat(output.getResultsList()).hasSize(events.size())
                .allSatisfy(result -> assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue());
    }

    /** Starts SyncFromServer for the user on a new small-window connection, asking for one event only. */
    SlowReader startSlowReader(Api.User user, String cursor) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .flowControlWindow(CLIENT_WINDOW).build();
        slowChannels.add(channel);
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + user.token);
        SlowReader slow = new SlowReader();
        EventServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .syncFromServer(SyncFromServerRequest.newBuilder().setAfterEventUuid(cursor).build(), slow);
        return slow;
    }

    /** A client with manual flow control: it receives exactly what it requests. */
    static final class SlowReader implements ClientResponseObserver<SyncFromServerRequest, Event> {

        final List<Event> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile ClientCallStreamObserver<SyncFromServerRequest> call;
        /** Cancels the call once this many events arrived (0: never). */
        volatile int cancelAfter;

        @Override
        public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(Event event) {
            received.add(event);
            if (cancelAfter > 0 && received.size() == cancelAfter) {
                cancel();
            }
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }

        void request(int events) {
            call.request(events);
        }

        void cancel() {
            call.cancel("the test client goes away", null);
        }
    }
}
