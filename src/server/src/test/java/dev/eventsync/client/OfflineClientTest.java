package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** The reference client against a real server and PostgreSQL: crashes, lost replies, rejections, two users. */
@ServerTest
class OfflineClientTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    Api api;
    final List<EventsyncClient> clients = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        clients.forEach(EventsyncClient::close);
        api.close();
    }

    EventsyncClient started(EventsyncClient.Builder builder) {
        EventsyncClient client = builder.build();
        clients.add(client);
        return client.start();
    }

    static List<String> texts(List<Event> feed) {
        return feed.stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage().getText()).toList();
    }

    @Nested
    class Crashes {

        @Test
        void clientKilledWithPendingOutboxEntriesSendsThemOnceAfterRestart() {
            UUID alice = UUID.randomUUID();
            UUID bob = UUID.randomUUID();
            Path file = dir.resolve("alice.db");
            // Offline from the start: nothing listens on this port.
            EventsyncClient offline = Clients.builder(Clients.freePort(), file, alice).build().start();
            String conversation = offline.createConversation("queued", List.of(bob.toString()));
            for (int i = 0; i < 5; i++) {
                offline.sendMessage(conversation, "q" + i);
            }
            offline.abandon(); // killed: no close, the store is left as the last commit wrote it

            EventsyncClient restarted = started(Clients.builder(port, file, alice));
            assertThat(restarted.pending()).hasSize(6);
            await().atMost(WAIT).until(() -> restarted.pending().isEmpty());
            await().atMost(WAIT).until(() -> restarted.model().messages(conversation).stream()
                    .allMatch(m -> m.state() == LocalModel.State.SENT && m.sentAt() != null));

            List<Event> bobsFeed = api.user(bob).feed();
            assertThat(bobsFeed).filteredOn(Event::hasConversationCreated).hasSize(1);
            assertThat(texts(bobsFeed)).containsExactly("q0", "q1", "q2", "q3", "q4");
            assertThat(restarted.model().conversation(conversation).confirmed()).isTrue();
        }

        @Test
        void replyLostAfterCommitIsResentAndAnsweredAsDuplicateWithNothingStoredTwice() {
            UUID alice = UUID.randomUUID();
            UUID bob = UUID.randomUUID();
            Clients.Recorder recorder = new Clients.Recorder();
            DropFirstSyncReply drop = new DropFirstSyncReply();
            EventsyncClient client = Clients.builder(port, dir.resolve("alice.db"), alice)
                    .listener(recorder).interceptor(drop).build();
            clients.add(client);
            String conversation = client.createConversation("lost reply", List.of(bob.toString()));
            List<String> locals = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                locals.add(client.sendMessage(conversation, "r" + i));
            }
            client.start();

            await().atMost(WAIT).until(() -> client.pending().isEmpty());
            assertThat(drop.dropped).isTrue();
            // The server committed the first call; the resend finds every uuid already stored.
            assertThat(recorder.acceptances).hasSize(4).allMatch(a -> a.getDuplicate());
            List<Event> bobsFeed = api.user(bob).feed();
            assertThat(bobsFeed).hasSize(4);
            assertThat(texts(bobsFeed)).containsExactly("r0", "r1", "r2");
            List<String> serverUuids = bobsFeed.stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getUuid()).toList();
            await().atMost(WAIT).until(() -> client.model().messages(conversation).stream()
                    .map(LocalModel.LocalMessage::uuid).toList().equals(serverUuids));
            assertThat(client.model().messages(conversation)).extracting(LocalModel.LocalMessage::localUuid)
                    .containsExactlyElementsOf(locals);
        }

        @Test
        void feedEventWhoseHandlerFailedIsHandedAgainAndNothingIsSkipped() {
            UUID alice = UUID.randomUUID();
            Api.User user = api.user(alice);
            String conversation = Events.newUuid();
            List<String> handed = new CopyOnWriteArrayList<>();
            AtomicBoolean failed = new AtomicBoolean();
            // A device on an empty feed (its snapshot is empty): every later event reaches the handler.
            EventsyncClient client = started(Clients.builder(port, dir.resolve("alice.db"), alice).handler(event -> {
                handed.add(event.getUuid());
                if (event.hasNewMessage() && event.getNewMessage().getMessage().getText().equals("h0")
                        && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("the app crashed on this one");
                }
            }));
            await().atMost(WAIT).until(() -> client.connectionState() == ConnectionState.LIVE);
            user.submit(Events.createConversation(conversation, "handler"));
            user.submit(Events.send(conversation, "h0"));
            user.submit(Events.send(conversation, "h1"));
            List<String> expected = user.feed().stream().map(Event::getUuid).toList();

            await().atMost(WAIT).until(() -> client.cursor().equals(expected.get(2)));
            assertThat(handed).containsExactly(expected.get(0), expected.get(1), expected.get(1), expected.get(2));
            assertThat(client.model().messages(conversation)).extracting(LocalModel.LocalMessage::text).containsExactly("h0", "h1");
        }

        @Test
        void unknownCursorIsReportedAndTheStateIsTakenAgainBySnapshot() {
            UUID alice = UUID.randomUUID();
            Path file = dir.resolve("alice.db");
            Api.User user = api.user(alice);
            String conversation = Events.newUuid();
            user.submit(Events.createConversation(conversation, "resync"));
            user.submit(Events.send(conversation, "again"));
            String last = user.feed().get(1).getUuid();
            try (ClientStore store = ClientStore.open(file)) {
                store.setCursor(UUID.randomUUID().toString()); // e.g. a backup restored against another server
            }

            Clients.Recorder recorder = new Clients.Recorder();
            EventsyncClient client = started(Clients.builder(port, file, alice).listener(recorder));

            await().atMost(WAIT).until(() -> client.cursor().equals(last));
            assertThat(recorder.cursorResets).hasSize(1);
            assertThat(client.model().conversations()).extracting(LocalModel.Conversation::uuid).containsExactly(conversation);
            assertThat(client.model().messages(conversation)).extracting(LocalModel.LocalMessage::text).containsExactly("again");
        }
    }

    @Nested
    class Results {

        @Test
        void rejectionReachesTheAppRollsBackTheMessageAndTheQueueGoesOn() {
            UUID alice = UUID.randomUUID();
            Clients.Recorder recorder = new Clients.Recorder();
            EventsyncClient client = Clients.builder(port, dir.resolve("alice.db"), alice).listener(recorder).build();
            clients.add(client);
            String nowhere = UUID.randomUUID().toString();
            String doomed = client.sendMessage(nowhere, "into the void");
            String conversation = client.createConversation("after the rejection", List.of());
            client.sendMessage(conversation, "still delivered");
            client.start();

            await().atMost(WAIT).until(() -> client.pending().isEmpty());
            assertThat(recorder.rejections).extracting(Rejected::getReason).containsExactly(Rejected.Reason.UNKNOWN_CONVERSATION);
            assertThat(recorder.rejected.get(0).getSendingNewMessage().getLocalUuid()).isEqualTo(doomed);
            assertThat(recorder.accepted).hasSize(2);
            assertThat(client.model().messages(nowhere)).singleElement()
                    .satisfies(m -> assertThat(m.state()).isEqualTo(LocalModel.State.FAILED));
            assertThat(texts(api.user(alice).feed())).containsExactly("still delivered");
        }

        @Test
        void rejectedConversationDisappearsFromTheModel() {
            UUID alice = UUID.randomUUID();
            Api.User other = api.newUser();
            String taken = Events.newUuid();
            other.submit(Events.createConversation(taken, "someone else's"));
            EventsyncClient client = Clients.builder(port, dir.resolve("alice.db"), alice).build();
            clients.add(client);
            client.send(Events.createConversation(taken, "mine?"));
            assertThat(client.model().conversation(taken)).isNotNull();
            client.start();

            await().atMost(WAIT).until(() -> client.pending().isEmpty());
            assertThat(client.model().conversation(taken)).isNull();
        }
    }

    @Nested
    class TwoUsers {

        @Test
        void twoClientsOfTwoUsersConvergeToTheSameConversationState() {
            UUID aliceId = UUID.randomUUID();
            UUID bobId = UUID.randomUUID();
            UUID carol = UUID.randomUUID();
            EventsyncClient alice = started(Clients.builder(port, dir.resolve("alice.db"), aliceId));
            EventsyncClient bob = started(Clients.builder(port, dir.resolve("bob.db"), bobId));
            String conversation = alice.createConversation("converge", List.of(bobId.toString()));
            await().atMost(WAIT).until(() -> bob.model().conversation(conversation) != null);
            for (int i = 0; i < 5; i++) {
                alice.sendMessage(conversation, "a" + i);
                bob.sendMessage(conversation, "b" + i);
            }
            alice.rename(conversation, "converged");
            bob.addMember(conversation, carol.toString());
            await().atMost(WAIT).until(() -> bob.model().messages(conversation).stream()
                    .filter(m -> m.authorUuid().equals(aliceId.toString())).count() == 5);
            bob.markRead(conversation, bob.model().messages(conversation).stream()
                    .filter(m -> m.authorUuid().equals(aliceId.toString())).findFirst().orElseThrow().uuid());

            await().atMost(WAIT).until(() -> alice.pending().isEmpty() && bob.pending().isEmpty()
                    && view(alice, conversation).equals(view(bob, conversation))
                    && alice.model().messages(conversation).size() == 10
                    && alice.model().messages(conversation).stream().anyMatch(m -> m.state() == LocalModel.State.READ));
            LocalModel.Conversation seen = alice.model().conversation(conversation);
            assertThat(seen.name()).isEqualTo("converged");
            assertThat(new HashSet<>(seen.members())).isEqualTo(Set.of(aliceId.toString(), bobId.toString(), carol.toString()));
            assertThat(alice.model().messages(conversation)).allMatch(m -> m.state() != LocalModel.State.PENDING);
        }

        /** What both users must agree on: name, members, messages in order (uuid, author, text). */
        List<Object> view(EventsyncClient client, String conversation) {
            LocalModel.Conversation c = client.model().conversation(conversation);
            return List.of(c.name(), new HashSet<>(c.members()), client.model().messages(conversation).stream()
                    .map(m -> List.of(m.uuid(), m.authorUuid(), m.text())).toList());
        }

        @Test
        void typingAndPresenceReachTheTransitoryListenerAndStateIsObservable() {
            Api.User aliceUser = api.newUser();
            Api.User bobUser = api.newUser();
            String conversation = Events.newUuid();
            aliceUser.submit(Events.createConversation(conversation, "live", bobUser.uuid()));
            List<Event> aliceHears = new CopyOnWriteArrayList<>();
            List<Event> bobHears = new CopyOnWriteArrayList<>();
            List<ConnectionState> aliceStates = new CopyOnWriteArrayList<>();
            EventsyncClient alice = Clients.builder(port, dir.resolve("alice.db"), aliceUser.id)
                    .transitoryListener(aliceHears::add).build();
            clients.add(alice);
            alice.onConnectionState(aliceStates::add);
            alice.start();
            await().atMost(WAIT).until(() -> alice.connectionState() == ConnectionState.LIVE);
            EventsyncClient bob = started(Clients.builder(port, dir.resolve("bob.db"), bobUser.id).transitoryListener(bobHears::add));
            await().atMost(WAIT).until(() -> bob.connectionState() == ConnectionState.LIVE);

            await().atMost(WAIT).until(() -> aliceHears.stream().anyMatch(e -> e.hasUserIsConnected()
                    && e.getUserIsConnected().getUserUuid().equals(bobUser.uuid()) && e.getUserIsConnected().getConnected()));
            await().atMost(WAIT).until(() -> alice.typing(conversation, true)
                    && bobHears.stream().anyMatch(e -> e.hasUserIsTyping() && e.getAuthorUuid().equals(aliceUser.uuid())));
            assertThat(aliceStates).containsSubsequence(ConnectionState.CATCHING_UP, ConnectionState.LIVE);
            assertThat(alice.pending()).isEmpty(); // typing never enters the outbox
        }
    }

    /** Lets the first Sync reach the server (which commits it), then loses the reply: UNAVAILABLE. */
    static final class DropFirstSyncReply implements ClientInterceptor {
        volatile boolean dropped;
        private final AtomicBoolean armed = new AtomicBoolean(true);

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            ClientCall<Q, R> call = next.newCall(method, options);
            if (!method.equals(EventServiceGrpc.getSyncMethod()) || !armed.compareAndSet(true, false)) {
                return call;
            }
            return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onMessage(R message) {
                            dropped = true; // the server has answered, so it has committed
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            super.onClose(Status.UNAVAILABLE.withDescription("reply lost (test)"), new Metadata());
                        }
                    }, headers);
                }
            };
        }
    }
}
