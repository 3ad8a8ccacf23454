package dev.eventsync.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.ServerPair;
import dev.eventsync.support.Servers;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seam of API.md guarantee 5 under load: two whole servers, A and B, on one database; writers
 * on both commit a steady mix of stored events into U's conversations while U's new device reads
 * a Snapshot from B one item at a time (gRPC flow control: the server reads the next
 * conversations only as the client takes items) and then follows from its cursor on A. No event
 * may be delivered twice or go missing across the seam, and the state built from the snapshot and
 * the tail must equal the state of U's whole feed replayed ({@link ChatState}).
 *
 * <p>The snapshot is made large (24 conversations of 2 KB messages, far over a stream's
 * flow-control window) so the server is still reading it while the writers commit; the three
 * conversations written to are the oldest, so their views are read last.
 */
class SnapshotSeamTest {

    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final int MESSAGES = 20;
    static final int COLD = 24;
    static final int RECENT = 5;

    static ServerPair servers;

    Api apiA;
    Api apiB;
    final List<Follower> followers = new ArrayList<>();

    @BeforeAll
    static void startTwoInstances() {
        Map<String, Object> unlimited = Map.of(
                "eventsync.rate-limit.sync-events-per-second", "10000",
                "eventsync.rate-limit.sync-events-burst", "10000");
        servers = ServerPair.start(unlimited, unlimited);
    }

    @AfterAll
    static void stopBothInstances() {
        ServerPair.closeIfStarted(servers);
    }

    @BeforeEach
    void connect() {
        apiA = new Api(Servers.port(servers.a()));
        apiB = new Api(Servers.port(servers.b()));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        followers.forEach(f -> {
            if (f.ended() == null) {
                f.cancel();
            }
        });
        try {
            apiA.close();
        } finally {
            apiB.close();
        }
    }

    /** Where the new device is: before its first snapshot item, reading the snapshot, following. */
    enum Phase { BEFORE, SNAPSHOT, FOLLOWING }

    /** The messages the writers got accepted, each with the phase its submission began and ended in. */
    record Committed(String eventUuid, Phase submitted, Phase accepted) {}

    @Test
    void eventsCommittedOnBothInstancesDuringASlowSnapshotAreDeliveredAfterItsCursorEachOnceAndTheStatesAgree()
            throws Exception {
        Api.User u = apiA.newUser();
        Api.User w1 = apiA.newUser();
        Api.User w2 = apiB.user(apiA.newUser().id);
        Api.User x = apiA.newUser();
        List<Conversation> hot = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            hot.add(conversation(w1, "hot " + i, u, w2));
        }
        String big = "x".repeat(2000);
        for (int i = 0; i < COLD; i++) {
            String cold = Events.newUuid();
            List<Event> events = new ArrayList<>(List.of(Events.createConversation(cold, "cold " + i, u.uuid(), w2.uuid())));
            for (int m = 0; m < 10; m++) {
                events.add(Events.send(cold, big + m));
            }
            assertThat(w1.sync(events.toArray(Event[]::new)).getResultsList()).allMatch(EventResult::hasAccepted);
        }

        AtomicInteger phase = new AtomicInteger(Phase.BEFORE.ordinal());
        List<Committed> committed = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Api.User uOtherDevice = apiB.user(u.id);
        List<CompletableFuture<Void>> writers = List.of(
                CompletableFuture.runAsync(() -> new Writer(w1, hot, phase, committed, stop, 1).run(x)),
                CompletableFuture.runAsync(() -> new Writer(w2, hot, phase, committed, stop, 2).run(null)),
                CompletableFuture.runAsync(() -> new Writer(uOtherDevice, hot, phase, committed, stop, 3).run(null)));
        await().atMost(PATIENCE).until(() -> committed.size() >= 10 || writers.stream().anyMatch(CompletableFuture::isDone));

        List<SnapshotItem> items = slowSnapshot(apiB.user(u.id), committed, phase, writers);
        String cursor = items.get(items.size() - 1).getEnd().getCursor();
        Follower tail = Follower.follow(apiA.user(u.id), cursor);
        followers.add(tail);
        int followedFrom = committed.size();
        await().atMost(PATIENCE).until(() -> committed.size() >= followedFrom + 15 || writers.stream().anyMatch(CompletableFuture::isDone));
        stop.set(true);
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        List<Event> feed = u.feed();
        List<String> uuids = feed.stream().map(Event::getUuid).toList();
        assertThat(new HashSet<>(uuids)).as("the feed holds each event once").hasSameSizeAs(uuids);
        String last = uuids.get(uuids.size() - 1);
        await().atMost(PATIENCE).until(() -> tail.storedUuids().contains(last));
        List<String> afterCursor = uuids.subList(uuids.indexOf(cursor) + 1, uuids.size());

        assertThat(uuids).contains(cursor);
        assertThat(tail.storedUuids()).as("the tail is exactly the feed after the cursor, in order").isEqualTo(afterCursor);
        List<String> duringSnapshot = committed.stream()
                .filter(c -> c.submitted() == Phase.SNAPSHOT && c.accepted() == Phase.SNAPSHOT).map(Committed::eventUuid).toList();
        assertThat(duringSnapshot).as("messages committed between the snapshot's first and last item").hasSizeGreaterThanOrEqualTo(3);
        assertThat(afterCursor).as("committed after the snapshot began: after its cursor").containsAll(duringSnapshot);
        assertThat(committed.stream().map(Committed::eventUuid)).as("every message the writers got accepted").isSubsetOf(uuids);
        assertThat(feed).as("the writers did each kind of change").extracting(Event::getContentCase).contains(
                Event.ContentCase.NEW_MESSAGE, Event.ContentCase.MESSAGE_EDITED, Event.ContentCase.MESSAGE_DELETED,
                Event.ContentCase.REACTIONS_CHANGED, Event.ContentCase.READ_NEW_MESSAGE, Event.ContentCase.MESSAGES_DELIVERED,
                Event.ContentCase.MEMBER_JOINED, Event.ContentCase.MEMBER_LEFT, Event.ContentCase.CONVERSATION_SETTINGS_CHANGED,
                Event.ContentCase.DISPLAY_NAME_CHANGED);

        ChatState.State resumed = ChatState.fromSnapshot(u.uuid(), items).applyAll(tail.events()).comparable(MESSAGES);
        ChatState.State replayed = ChatState.empty(u.uuid()).applyAll(feed).comparable(MESSAGES);
        assertThat(resumed.profiles()).isEqualTo(replayed.profiles());
        assertThat(resumed.blocked()).isEqualTo(replayed.blocked());
        assertThat(resumed.conversations().keySet()).isEqualTo(replayed.conversations().keySet());
        replayed.conversations().forEach((uuid, conversation) ->
                assertThat(resumed.conversations().get(uuid)).as("conversation " + uuid).isEqualTo(conversation));
    }

    /**
     * The snapshot read one item at a time: after each item, waits until the writers have committed
     * two more messages before asking for the next one.
     */
    List<SnapshotItem> slowSnapshot(Api.User user, List<Committed> committed, AtomicInteger phase,
                                    List<CompletableFuture<Void>> writers) throws InterruptedException {
        BlockingQueue<SnapshotItem> received = new LinkedBlockingQueue<>();
        AtomicBoolean failed = new AtomicBoolean();
        List<ClientCallStreamObserver<SnapshotRequest>> call = new ArrayList<>(1);
        user.asyncStub().snapshot(SnapshotRequest.newBuilder().setMessagesPerConversation(MESSAGES).build(),
                new ClientResponseObserver<SnapshotRequest, SnapshotItem>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SnapshotRequest> requestStream) {
                        requestStream.disableAutoRequestWithInitial(1);
                        call.add(requestStream);
                    }

                    @Override
                    public void onNext(SnapshotItem item) {
                        received.add(item);
                    }

                    @Override
                    public void onError(Throwable error) {
                        failed.set(true);
                    }

                    @Override
                    public void onCompleted() {
                        // the end item came before
                    }
                });
        List<SnapshotItem> items = new ArrayList<>();
        while (items.isEmpty() || !items.get(items.size() - 1).hasEnd()) {
            SnapshotItem item = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(item).as("the next snapshot item (the call failed: %s)", failed.get()).isNotNull();
            items.add(item);
            if (item.hasEnd()) {
                phase.set(Phase.FOLLOWING.ordinal());
            } else {
                phase.set(Phase.SNAPSHOT.ordinal());
                int before = committed.size();
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5))
                        .until(() -> committed.size() >= before + 2 || writers.stream().anyMatch(CompletableFuture::isDone));
                call.get(0).request(1);
            }
        }
        assertThat(writers).as("the writers are still writing").noneMatch(CompletableFuture::isDone);
        return items;
    }

    /** A conversation the writers use, with its messages so far (uuid and author). */
    record Conversation(String uuid, List<String[]> messages) {

        List<String[]> recent() {
            synchronized (messages) {
                return List.copyOf(messages.subList(Math.max(0, messages.size() - RECENT), messages.size()));
            }
        }
    }

    static Conversation conversation(Api.User creator, String name, Api.User... members) {
        String uuid = Events.newUuid();
        Event created = Events.createConversation(uuid, name, java.util.Arrays.stream(members).map(Api.User::uuid)
                .toArray(String[]::new));
        assertThat(creator.submit(created).hasAccepted()).isTrue();
        Conversation conversation = new Conversation(uuid, new ArrayList<>());
        String first = creator.submit(Events.send(uuid, "hello")).getAccepted().getMessageUuid();
        conversation.messages().add(new String[] {first, creator.uuid()});
        return conversation;
    }

    /** One writer: a steady random mix of stored events in the hot conversations until told to stop. */
    static final class Writer {
        final Api.User user;
        final List<Conversation> hot;
        final AtomicInteger phase;
        final List<Committed> committed;
        final AtomicBoolean stop;
        final Random random;

        Writer(Api.User user, List<Conversation> hot, AtomicInteger phase, List<Committed> committed, AtomicBoolean stop,
               long seed) {
            this.user = user;
            this.hot = hot;
            this.phase = phase;
            this.committed = committed;
            this.stop = stop;
            this.random = new Random(seed);
        }

        /** {@code joiner}: a user this writer adds to the first conversation and who then writes and leaves. */
        void run(Api.User joiner) {
            for (int i = 0; !stop.get(); i++) {
                if (joiner != null && i == 8) {
                    assertThat(user.submit(Events.addMember(hot.get(0).uuid(), joiner.uuid())).hasAccepted()).isTrue();
                } else if (joiner != null && i == 30) {
                    send(joiner, hot.get(0), "hello and goodbye");
                    assertThat(joiner.submit(Events.leave(hot.get(0).uuid())).hasAccepted()).isTrue();
                } else {
                    step();
                }
            }
        }

        void step() {
            Conversation c = hot.get(random.nextInt(hot.size()));
            List<String[]> recent = c.recent();
            String[] target = recent.get(random.nextInt(recent.size()));
            int kind = random.nextInt(100);
            if (kind < 35) {
                send(user, c, random.nextBoolean() ? "text " + random.nextInt(1000) : null);
            } else if (kind < 45) {
                if (target[1].equals(user.uuid())) {
                    user.submit(Events.edit(c.uuid(), target[0], "edited " + random.nextInt(1000)));
                }
            } else if (kind < 52) {
                if (target[1].equals(user.uuid())) {
                    user.submit(Events.delete(c.uuid(), target[0]));
                }
            } else if (kind < 65) {
                user.submit(Events.react(c.uuid(), target[0], random.nextBoolean() ? new String[] {"👍"} : new String[0]));
            } else if (kind < 78) {
                user.submit(Events.read(c.uuid(), target[0]));
            } else if (kind < 90) {
                user.submit(Events.delivered(c.uuid(), target[0]));
            } else if (kind < 96) {
                user.submit(Events.settings(c.uuid(), random.nextBoolean(), random.nextBoolean()));
            } else {
                user.submit(Events.displayName("name " + random.nextInt(1000)));
            }
        }

        /** {@code text} null: a reply to a recent message that mentions its author. */
        void send(Api.User author, Conversation c, String text) {
            Phase submitted = Phase.values()[phase.get()];
            Event event;
            if (text == null) {
                List<String[]> recent = c.recent();
                String[] replyTo = recent.get(random.nextInt(recent.size()));
                event = Events.reply(c.uuid(), "re " + random.nextInt(1000), replyTo[0], replyTo[1]);
            } else {
                event = Events.send(c.uuid(), text);
            }
            EventResult result = author.submit(event);
            if (result.hasAccepted()) {
                synchronized (c.messages()) {
                    c.messages().add(new String[] {result.getAccepted().getMessageUuid(), author.uuid()});
                }
                committed.add(new Committed(event.getUuid(), submitted, Phase.values()[phase.get()]));
            }
        }
    }
}
