package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Rejected.Reason;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.PositionLock;
import dev.eventsync.support.ServerPair;
import dev.eventsync.support.Servers;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two whole servers, A and B, appending to one PostgreSQL database: the races between instances
 * that DESIGN.md decision 1 and the README's "Where validation happens" promise to settle, made
 * to happen by holding the position lock here until both instances' batches are in flight.
 * B's pool sets {@code idle_in_transaction_session_timeout} to 1 s (A keeps the configured 30 s).
 */
class MultiInstanceAppendTest {

    static ServerPair servers;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    Api apiA;
    Api apiB;
    JdbcTemplate jdbc;

    @BeforeAll
    static void startTwoInstances() {
        servers = ServerPair.start(Map.of(), Map.of("spring.datasource.hikari.connection-init-sql",
                "set idle_in_transaction_session_timeout = '1s'"));
        a = servers.a();
        b = servers.b();
    }

    @AfterAll
    static void stopBothInstances() {
        ServerPair.closeIfStarted(servers);
    }

    @BeforeEach
    void connect() {
        apiA = new Api(Servers.port(a));
        apiB = new Api(Servers.port(b));
        jdbc = new JdbcTemplate(dataSource(a));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        try {
            apiA.close();
        } finally {
            apiB.close();
        }
    }

    @Test
    void twoInstancesCreatingTheSameConversationAtOnceAcceptExactlyOneTheOtherIsAUuidConflict() throws Exception {
        Api.User alice = apiA.newUser();
        Api.User bob = apiB.newUser();
        String conversation = Events.newUuid();
        Event alices = Events.createConversation(conversation, "alice's", bob.uuid());
        Event bobs = Events.createConversation(conversation, "bob's", alice.uuid());
        CompletableFuture<EventResult> throughA;
        CompletableFuture<EventResult> throughB;
        try (PositionLock lock = PositionLock.hold(dataSource(a))) {
            throughA = CompletableFuture.supplyAsync(() -> alice.submit(alices));
            throughB = CompletableFuture.supplyAsync(() -> bob.submit(bobs));
            PositionLock.awaitWaiters(jdbc, 2); // one on the position lock, the other behind the first's row
            lock.release();
        }
        List<EventResult> results = List.of(throughA.get(10, TimeUnit.SECONDS), throughB.get(10, TimeUnit.SECONDS));

        assertThat(results).filteredOn(EventResult::hasAccepted).hasSize(1);
        assertThat(results).filteredOn(EventResult::hasRejected)
                .singleElement().satisfies(r -> assertThat(r.getRejected().getReason()).isEqualTo(Reason.UUID_CONFLICT));
        String winner = results.get(0).hasAccepted() ? alices.getUuid() : bobs.getUuid();
        assertThat(alice.feed()).extracting(Event::getUuid).containsExactly(winner);
        assertThat(bob.feed()).extracting(Event::getUuid).containsExactly(winner);
        assertThat(jdbc.queryForObject("select count(*) from conversations where conversation_uuid = ?::uuid", Long.class,
                conversation)).isEqualTo(1);
    }

    @Test
    void aMessageOrderedBeforeAMembersRemovalOnAnotherInstanceIsDeliveredToThemBeforeIt() throws Exception {
        Race race = race(true);
        assertThat(race.message().getAccepted().getDuplicate()).isFalse();
        assertThat(race.removal().hasAccepted()).isTrue();
        for (Api.User reader : List.of(race.alice(), race.carol())) {
            assertThat(reader.feed()).extracting(Event::getUuid).containsSubsequence(race.sent(), race.removed());
        }
    }

    @Test
    void aMessageOrderedAfterTheSendersRemovalOnAnotherInstanceIsForbiddenAndStoredNowhere() throws Exception {
        Race race = race(false);
        assertThat(race.removal().hasAccepted()).isTrue();
        assertThat(race.message().getRejected().getReason()).isEqualTo(Reason.FORBIDDEN);
        for (Api.User reader : List.of(race.alice(), race.carol())) {
            assertThat(reader.feed()).extracting(Event::getUuid).contains(race.removed()).doesNotContain(race.sent());
        }
    }

    record Race(Api.User alice, Api.User carol, EventResult message, EventResult removal, String sent, String removed) {}

    /**
     * Carol sends a message through B while alice removes her through A; both batches are in
     * flight at once, and {@code messageFirst} decides which one reaches the database first.
     */
    private Race race(boolean messageFirst) throws Exception {
        Api.User alice = apiA.newUser();
        Api.User carol = apiA.newUser();
        String conversation = Events.newUuid();
        assertThat(alice.submit(Events.createConversation(conversation, "race", carol.uuid())).hasAccepted()).isTrue();
        Api.User carolOnB = apiB.user(carol.id);
        Event message = Events.send(conversation, "carol, while being removed");
        Event removal = Events.removeMember(conversation, carol.uuid());
        CompletableFuture<EventResult> sent;
        CompletableFuture<EventResult> removed;
        try (PositionLock lock = PositionLock.hold(dataSource(a))) {
            // The first batch locks the conversation row and waits for the position lock; the
            // second waits for the conversation row, and is decided on what the first committed.
            if (messageFirst) {
                sent = CompletableFuture.supplyAsync(() -> carolOnB.submit(message));
                PositionLock.awaitWaiters(jdbc, 1);
                removed = CompletableFuture.supplyAsync(() -> alice.submit(removal));
            } else {
                removed = CompletableFuture.supplyAsync(() -> alice.submit(removal));
                PositionLock.awaitWaiters(jdbc, 1);
                sent = CompletableFuture.supplyAsync(() -> carolOnB.submit(message));
            }
            PositionLock.awaitWaiters(jdbc, 2);
            lock.release();
        }
        return new Race(alice, carol, sent.get(10, TimeUnit.SECONDS), removed.get(10, TimeUnit.SECONDS),
                message.getUuid(), removal.getUuid());
    }

    /**
     * Two calls, one through each instance, in flight at once: {@code first} reaches the database
     * first (it takes the conversation row and waits for the position lock held here), the other
     * waits for that row and is decided on what the first committed.
     */
    private List<EventResult> inFlightTogether(java.util.function.Supplier<EventResult> first,
                                               java.util.function.Supplier<EventResult> second) throws Exception {
        CompletableFuture<EventResult> one;
        CompletableFuture<EventResult> two;
        try (PositionLock lock = PositionLock.hold(dataSource(a))) {
            one = CompletableFuture.supplyAsync(first);
            PositionLock.awaitWaiters(jdbc, 1);
            two = CompletableFuture.supplyAsync(second);
            PositionLock.awaitWaiters(jdbc, 2);
            lock.release();
        }
        return List.of(one.get(10, TimeUnit.SECONDS), two.get(10, TimeUnit.SECONDS));
    }

    /** A conversation of alice (its admin, on A) and bob (on B), with one message of bob's; returns [conversation, message]. */
    private String[] conversationWithBobsMessage(Api.User alice, Api.User bob) {
        String conversation = Events.newUuid();
        assertThat(alice.submit(Events.createConversation(conversation, "race", bob.uuid())).hasAccepted()).isTrue();
        EventResult sent = bob.submit(Events.send(conversation, "bob's message"));
        return new String[] {conversation, sent.getAccepted().getMessageUuid()};
    }

    @Test
    void ofTwoEditsOnTwoInstancesTheLaterInFeedOrderWinsWhateverTheClientClocksSaid() throws Exception {
        Api.User alice = apiA.newUser();
        Api.User bob = apiB.newUser();
        Api.User bobOnA = apiA.user(bob.id);
        String[] target = conversationWithBobsMessage(alice, bob);
        Event earlier = Events.edit(target[0], target[1], "first edit");
        // the client's clock claims the second edit is older: edited_at is server-set, so it is ignored
        Event later = Events.edit(target[0], target[1], "second edit").toBuilder()
                .setMessageEdited(Events.edit(target[0], target[1], "second edit").getMessageEdited().toBuilder()
                        .setEditedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1))).build();

        List<EventResult> results = inFlightTogether(() -> bobOnA.submit(earlier), () -> bob.submit(later));

        assertThat(results).allSatisfy(r -> assertThat(r.hasAccepted()).isTrue());
        for (Api.User reader : List.of(alice, bob)) {
            List<Event> edits = reader.feed().stream().filter(Event::hasMessageEdited).toList();
            assertThat(edits).extracting(Event::getUuid).containsExactly(earlier.getUuid(), later.getUuid());
            assertThat(edits.get(1).getMessageEdited().getEditedAt().getSeconds())
                    .isGreaterThanOrEqualTo(edits.get(0).getMessageEdited().getEditedAt().getSeconds()).isGreaterThan(1);
        }
        assertThat(jdbc.queryForObject("select edit_event_uuid::text from messages where message_uuid = ?::uuid", String.class,
                target[1])).isEqualTo(later.getUuid());
    }

    @Test
    void anEditOrAReactionOrderedAfterADeleteOnAnotherInstanceIsMessageDeleted() throws Exception {
        Api.User alice = apiA.newUser();
        Api.User bob = apiB.newUser();
        String[] target = conversationWithBobsMessage(alice, bob);
        Event delete = Events.delete(target[0], target[1]);
        Event edit = Events.edit(target[0], target[1], "edited while deleted");

        List<EventResult> results = inFlightTogether(() -> alice.submit(delete), () -> bob.submit(edit));

        assertThat(results.get(0).hasAccepted()).isTrue();
        assertThat(results.get(1).getRejected().getReason()).isEqualTo(Reason.MESSAGE_DELETED);
        assertThat(bob.submit(Events.react(target[0], target[1], "👍")).getRejected().getReason())
                .isEqualTo(Reason.MESSAGE_DELETED);
        assertThat(bob.feed()).extracting(Event::getUuid).contains(delete.getUuid()).doesNotContain(edit.getUuid());
    }

    @Test
    void ofTwoDeletesOfOneMessageOnTwoInstancesTheSecondIsMessageDeleted() throws Exception {
        Api.User alice = apiA.newUser();
        Api.User bob = apiB.newUser();
        String[] target = conversationWithBobsMessage(alice, bob);
        Event byAdmin = Events.delete(target[0], target[1]);
        Event byAuthor = Events.delete(target[0], target[1]);

        List<EventResult> results = inFlightTogether(() -> alice.submit(byAdmin), () -> bob.submit(byAuthor));

        assertThat(results.get(0).hasAccepted()).isTrue();
        assertThat(results.get(1).getRejected().getReason()).isEqualTo(Reason.MESSAGE_DELETED);
        assertThat(alice.feed()).filteredOn(Event::hasMessageDeleted).extracting(Event::getUuid).containsExactly(byAdmin.getUuid());
    }

    @Test
    void aRemovalOrderedAfterTheRemoverWasDemotedOnAnotherInstanceIsForbidden() throws Exception {
        Api.User alice = apiA.newUser();
        Api.User carol = apiB.newUser();
        Api.User bob = apiA.newUser();
        String conversation = Events.newUuid();
        assertThat(alice.submit(Events.createConversation(conversation, "race", carol.uuid(), bob.uuid())).hasAccepted()).isTrue();
        assertThat(alice.submit(Events.role(conversation, carol.uuid(), true)).hasAccepted()).isTrue();
        Event demote = Events.role(conversation, carol.uuid(), false);
        Event removal = Events.removeMember(conversation, bob.uuid());

        List<EventResult> results = inFlightTogether(() -> alice.submit(demote), () -> carol.submit(removal));

        assertThat(results.get(0).hasAccepted()).isTrue();
        assertThat(results.get(1).getRejected().getReason()).isEqualTo(Reason.FORBIDDEN);
        assertThat(bob.feed()).extracting(Event::getUuid).contains(demote.getUuid()).doesNotContain(removal.getUuid());
    }

    @Test
    void idleInTransactionSessionTimeoutEndsAStalledTransactionHoldingThePositionLock() throws Exception {
        try (Connection configured = dataSource(a).getConnection(); Statement show = configured.createStatement()) {
            var result = show.executeQuery("show idle_in_transaction_session_timeout");
            result.next();
            assertThat(result.getString(1)).as("what application.properties sets").isEqualTo("30s");
        }
        Api.User alice = apiA.newUser();
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "stalled"));
        Event message = Events.send(conversation, "behind a transaction left open");

        try (PositionLock stalled = PositionLock.hold(dataSource(b))) {
            long started = System.nanoTime();
            // A waits for the lock (lock-timeout 5 s) until the database ends B's idle transaction after 1 s.
            EventResult result = alice.submit(message);
            assertThat(result.getAccepted().getDuplicate()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> !stalled.connection().isValid(1));
        }
        assertThat(alice.feed()).extracting(Event::getUuid).contains(message.getUuid());
    }

    private static DataSource dataSource(ConfigurableApplicationContext server) {
        return server.getBean(DataSource.class);
    }
}
