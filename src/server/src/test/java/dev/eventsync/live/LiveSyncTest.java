package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.ServerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/** SyncFromServer(follow = true) on one instance: live delivery, typing, presence, a lost listener. */
@ServerTest
// A long safety poll: these tests must pass on wake-ups alone.
@TestPropertySource(properties = "eventsync.live.safety-poll=1h")
class LiveSyncTest {

    static final Duration LIVE = Duration.ofSeconds(10);

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;
    List<Follower> followers = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        followers.forEach(f -> {
            if (f.ended() == null) {
                f.cancel();
            }
        });
        api.close();
    }

    Follower follow(Api.User user, String after) {
        Follower follower = Follower.follow(user, after);
        followers.add(follower);
        return follower;
    }

    @Nested
    class Follow {

        @Test
        void deliversNewMessagesLiveInOrderAfterCaughtUpAndStaysOpen() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            String conversation = Events.newUuid();
            Event created = Events.createConversation(conversation, "live", bob.uuid());
            alice.submit(created);
            Follower bobLive = follow(bob, "");
            await().atMost(LIVE).until(bobLive::caughtUp);

            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Event message = Events.send(conversation, "m" + i);
                alice.submit(message);
                sent.add(message.getUuid());
            }

            List<String> expected = new ArrayList<>(List.of(created.getUuid()));
            expected.addAll(sent);
            await().atMost(LIVE).untilAsserted(() -> assertThat(bobLive.storedUuids()).containsExactlyElementsOf(expected));
            assertThat(bobLive.ended()).as("a follow stream stays open").isNull();
            assertThat(bobLive.ofKind(Event.ContentCase.SYNC_CAUGHT_UP)).hasSize(1);
        }

        @Test
        void noEventIsLostOrDoubledAcrossTheCatchUpToLiveBoundaryWhileWritersRun() throws Exception {
            Api.User reader = api.newUser();
            List<Api.User> writers = List.of(api.newUser(), api.newUser(), api.newUser(), api.newUser());
            String conversation = Events.newUuid();
            Event created = Events.createConversation(conversation, "boundary",
                    writers.stream().map(Api.User::uuid).toArray(String[]::new));
            reader.submit(created);
            for (int i = 0; i < 300; i++) { // a backlog, so the catch-up takes a while
                writers.get(i % 4).submit(Events.send(conversation, "backlog " + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> writing = new ArrayList<>();
            for (Api.User writer : writers) {
                writing.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        writer.submit(Events.send(conversation, "during " + i));
                    }
                }));
            }
            Follower live = follow(reader, created.getUuid());
            for (Future<?> done : writing) {
                done.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            List<String> feed = reader.feed(created.getUuid()).stream().map(Event::getUuid).toList();
            assertThat(feed).hasSize(700);
            await().atMost(LIVE).untilAsserted(() -> assertThat(live.storedUuids()).containsExactlyElementsOf(feed));
            assertThat(new HashSet<>(live.storedUuids())).hasSize(700);
        }

        @Test
        void aLostListenConnectionIsReopenedAndNothingIsMissed() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            String conversation = Events.newUuid();
            alice.submit(Events.createConversation(conversation, "reconnect", bob.uuid()));
            Follower bobLive = follow(bob, "");
            await().atMost(LIVE).until(bobLive::caughtUp);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);

            Integer killed = jdbc.queryForObject("""
                    select count(pg_terminate_backend(pid)) from pg_stat_activity
                    where application_name = ?""", Integer.class, Listener.APPLICATION_NAME);
            assertThat(killed).as("the dedicated LISTEN connection was found").isPositive();
            Event sentMeanwhile = Events.send(conversation, "while nobody listened");
            alice.submit(sentMeanwhile);

            await().atMost(LIVE).untilAsserted(() -> assertThat(bobLive.storedUuids()).contains(sentMeanwhile.getUuid()));
            Event sentAfter = Events.send(conversation, "after the reconnect");
            alice.submit(sentAfter);
            await().atMost(LIVE).untilAsserted(() -> assertThat(bobLive.storedUuids()).endsWith(sentAfter.getUuid()));
        }
    }

    @Nested
    class Typing {

        @Test
        void reachesTheOtherMembersLiveAndIsNeverStored() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            Api.User outsider = api.newUser();
            String conversation = Events.newUuid();
            alice.submit(Events.createConversation(conversation, "typing", bob.uuid()));
            Follower bobLive = follow(bob, "");
            Follower aliceLive = follow(alice, "");
            Follower outsiderLive = follow(outsider, "");
            await().atMost(LIVE).until(() -> bobLive.caughtUp() && aliceLive.caughtUp() && outsiderLive.caughtUp());

            Event typing = Events.typing(conversation);
            assertThat(alice.submit(typing).getAccepted().getTransitory()).isTrue();

            await().atMost(LIVE).untilAsserted(() -> assertThat(bobLive.ofKind(Event.ContentCase.USER_IS_TYPING)).hasSize(1));
            Event received = bobLive.ofKind(Event.ContentCase.USER_IS_TYPING).get(0);
            assertThat(received.getUuid()).isEmpty();
            assertThat(received.getAuthorUuid()).isEqualTo(alice.uuid());
            assertThat(received.getUserIsTyping().getConversationUuid()).isEqualTo(conversation);
            assertThat(received.getUserIsTyping().getTyping()).isTrue();
            assertThat(received.hasOccurredAt()).isTrue();
            // a stored event sent after the typing arrives after it: by then the typing would have too
            Event after = Events.send(conversation, "done typing");
            alice.submit(after);
            await().atMost(LIVE).untilAsserted(() -> assertThat(aliceLive.storedUuids()).contains(after.getUuid()));
            assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_TYPING)).as("not to the typer's own devices").isEmpty();
            assertThat(outsiderLive.ofKind(Event.ContentCase.USER_IS_TYPING)).isEmpty();
            assertThat(bob.feed()).noneMatch(Event::hasUserIsTyping);
        }
    }

    @Nested
    class Presence {

        @Test
        void contactsSeeAUserConnectAndDisconnectButNeverTheirOwnPresence() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            Api.User stranger = api.newUser();
            alice.submit(Events.createConversation(Events.newUuid(), "presence", bob.uuid()));
            Follower aliceLive = follow(alice, "");
            Follower strangerLive = follow(stranger, "");
            await().atMost(LIVE).until(() -> aliceLive.caughtUp() && strangerLive.caughtUp());

            Follower bobLive = follow(bob, "");
            await().atMost(LIVE).untilAsserted(() -> assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                    .extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true));
            Event connected = aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED).get(0);
            assertThat(connected.getUserIsConnected().getUserUuid()).isEqualTo(bob.uuid());
            assertThat(connected.getAuthorUuid()).isEqualTo(bob.uuid());
            assertThat(connected.getUuid()).isEmpty();
            // Bob, arriving second, is told right after catching up that Alice is online.
            await().atMost(LIVE).untilAsserted(() -> assertThat(bobLive.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                    .extracting(e -> e.getUserIsConnected().getUserUuid()).containsExactly(alice.uuid()));
            List<Event> bobsEvents = bobLive.events();
            int caughtUpAt = bobsEvents.indexOf(bobLive.ofKind(Event.ContentCase.SYNC_CAUGHT_UP).get(0));
            assertThat(bobsEvents.get(caughtUpAt + 1).hasUserIsConnected()).isTrue();

            bobLive.cancel();
            await().atMost(LIVE).untilAsserted(() -> assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                    .extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true, false));
            assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                    .allMatch(e -> e.getUserIsConnected().getUserUuid().equals(bob.uuid()));
            assertThat(strangerLive.ofKind(Event.ContentCase.USER_IS_CONNECTED)).isEmpty();
        }

        @Test
        void aSecondDeviceDoesNotAnnounceAgainAndTheUserStaysOnlineUntilTheLastOneCloses() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            alice.submit(Events.createConversation(Events.newUuid(), "devices", bob.uuid()));
            Follower aliceLive = follow(alice, "");
            await().atMost(LIVE).until(aliceLive::caughtUp);

            Follower phone = follow(bob, "");
            await().atMost(LIVE).until(() -> aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED).size() == 1);
            Follower laptop = follow(bob, "");
            await().atMost(LIVE).until(laptop::caughtUp);
            phone.cancel();
            Event marker = Events.send(aliceLive.events().get(0).getConversationCreated().getConversationUuid(), "marker");
            bob.submit(marker);
            await().atMost(LIVE).untilAsserted(() -> assertThat(aliceLive.storedUuids()).contains(marker.getUuid()));
            assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED)).as("still online: the laptop is open").hasSize(1);

            laptop.cancel();
            await().atMost(LIVE).untilAsserted(() -> assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                    .extracting(e -> e.getUserIsConnected().getConnected()).containsExactly(true, false));
        }
    }

    /** API.md v1.1, Blocking: typing and presence never cross a block, in either direction. */
    @Nested
    class AcrossABlock {

        @Test
        void typingAndPresenceReachTheOthersButNeverTheBlockedOrTheBlocker() {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            Api.User carol = api.newUser();
            String conversation = Events.newUuid();
            alice.submit(Events.createConversation(conversation, "blocked", bob.uuid(), carol.uuid()));
            assertThat(carol.submit(Events.block(alice.uuid(), true)).hasAccepted()).isTrue();
            Follower bobLive = follow(bob, "");
            await().atMost(LIVE).until(bobLive::caughtUp);
            Follower aliceLive = follow(alice, "");
            await().atMost(LIVE).until(aliceLive::caughtUp);
            Follower carolLive = follow(carol, "");
            await().atMost(LIVE).until(carolLive::caughtUp);

            alice.submit(Events.typing(conversation));
            carol.submit(Events.typing(conversation));
            Event marker = Events.send(conversation, "after the typing and the connects");
            bob.submit(marker);

            await().atMost(LIVE).untilAsserted(() -> {
                assertThat(bobLive.ofKind(Event.ContentCase.USER_IS_TYPING)).extracting(Event::getAuthorUuid)
                        .containsExactlyInAnyOrder(alice.uuid(), carol.uuid());
                assertThat(bobLive.ofKind(Event.ContentCase.USER_IS_CONNECTED)).extracting(e -> e.getUserIsConnected().getUserUuid())
                        .containsExactlyInAnyOrder(alice.uuid(), carol.uuid());
                assertThat(aliceLive.storedUuids()).contains(marker.getUuid());
                assertThat(carolLive.storedUuids()).contains(marker.getUuid());
            });
            assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_TYPING)).isEmpty();
            assertThat(carolLive.ofKind(Event.ContentCase.USER_IS_TYPING)).isEmpty();
            assertThat(aliceLive.ofKind(Event.ContentCase.USER_IS_CONNECTED)).extracting(e -> e.getUserIsConnected().getUserUuid())
                    .containsOnly(bob.uuid());
            assertThat(carolLive.ofKind(Event.ContentCase.USER_IS_CONNECTED)).extracting(e -> e.getUserIsConnected().getUserUuid())
                    .containsOnly(bob.uuid());
        }
    }
}
