package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.ServerTest;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The safety net for a lost wake-up, end to end: an event committed by a writer that sends no
 * NOTIFY (written here straight into the log) reaches a follow stream through the safety poll,
 * which counts the lost wake-up; events the server appends announce their position, so the
 * same polls find nothing lost.
 */
@ServerTest
@TestPropertySource(properties = "eventsync.live.safety-poll=200ms")
class SafetyPollTest {

    static final Duration LIVE = Duration.ofSeconds(10);
    static final Duration POLL = Duration.ofMillis(200);

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    LiveHub hub;

    Api api;
    Follower follower;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        if (follower != null) {
            follower.cancel();
        }
        api.close();
    }

    @Test
    void anEventCommittedWithoutAWakeUpReachesTheFollowerThroughTheSafetyPoll() {
        Api.User bob = api.newUser();
        bob.submit(Events.displayName("Bob"));
        follower = Follower.follow(bob, "");
        await().atMost(LIVE).until(follower::caughtUp);
        long lostBefore = hub.lostWakeups();

        String unannounced = commitWithoutWakeUp(bob.id);

        await().atMost(LIVE).untilAsserted(() -> assertThat(follower.storedUuids()).endsWith(unannounced));
        assertThat(hub.lostWakeups()).as("the safety poll found the lost wake-up").isGreaterThan(lostBefore);
    }

    @Test
    void appendedEventsAnnounceTheirPositionSoNoPollFindsAWakeUpLost() {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "announced", bob.uuid()));
        follower = Follower.follow(bob, "");
        await().atMost(LIVE).until(follower::caughtUp);
        long lostBefore = hub.lostWakeups();
        long head = head();
        long sent = 0;

        // Messages, each delivered before the next, for five polls' time.
        for (long until = System.nanoTime() + POLL.multipliedBy(5).toNanos(); System.nanoTime() < until; ) {
            Event message = Events.send(conversation, "m" + sent++);
            alice.submit(message);
            await().atMost(LIVE).untilAsserted(() -> assertThat(follower.storedUuids()).endsWith(message.getUuid()));
        }

        assertThat(hub.announcedHead()).as("wake-ups carry the position of their batch").isGreaterThanOrEqualTo(head + sent);
        assertThat(hub.announcedHead()).isLessThanOrEqualTo(head());
        assertThat(hub.lostWakeups()).as("no safety poll woke every stream").isEqualTo(lostBefore);
    }

    long head() {
        return new JdbcTemplate(dataSource).queryForObject("select last_position from log_head", Long.class);
    }

    /** An event in the user's feed, committed as the server would but without its NOTIFY. */
    String commitWithoutWakeUp(UUID user) {
        Event event = Events.displayName("written behind the server's back").toBuilder()
                .setAuthorUuid(user.toString()).build();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(tx -> {
            long position = jdbc.queryForObject("update log_head set last_position = last_position + 1 returning last_position",
                    Long.class);
            jdbc.update("insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body)"
                    + " values (?, ?, ?, 'display_name_changed', null, now(), ?)",
                    position, UUID.fromString(event.getUuid()), user, event.toByteArray());
            jdbc.update("insert into feed (user_uuid, position, event_uuid) values (?, ?, ?)",
                    user, position, UUID.fromString(event.getUuid()));
        });
        return event.getUuid();
    }
}
