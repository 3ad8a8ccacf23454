package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * The push notifier (API.md v1.1, PushService) end to end: a server over real gRPC on a database
 * of its own (the notifier's lock and position are per database), notifying a gateway served
 * inside the test. Who gets what, both payload formats field by field, counts-only badges, and
 * what each kind of gateway answer does. Restarts and failover: {@link NotifierFailoverTest}.
 */
class NotifierTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String APP = "com.example.chat";

    static TestGateway gateway;
    static TestDatabase.Connection db;
    static ConfigurableApplicationContext server;
    static Api api;
    static JdbcTemplate sql;

    Api.User alice;
    Api.User bob;
    Api.User carol;
    String conversation;

    @BeforeAll
    static void start() throws Exception {
        gateway = new TestGateway();
        db = TestDatabase.createDatabase("notifier_" + UUID.randomUUID().toString().replace("-", ""));
        server = Servers.start(properties(db, gateway));
        api = new Api(Servers.port(server));
        sql = new JdbcTemplate(new DriverManagerDataSource(db.url(), db.username(), db.password() == null ? "" : db.password()));
    }

    /** A server on this database whose notifier may send to this gateway, with test-speed timings. */
    static Map<String, Object> properties(TestDatabase.Connection db, TestGateway gateway) {
        Map<String, Object> properties = new HashMap<>(Servers.onDatabase(db));
        properties.put("eventsync.push.allowed-gateways", gateway.allowlistEntry());
        properties.put("eventsync.push.initial-backoff", "100ms");
        properties.put("eventsync.push.request-timeout", "1s");
        properties.put("eventsync.push.safety-poll", "500ms");
        properties.put("eventsync.push.failover", "3s");
        return properties;
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
        server.close();
        gateway.close();
    }

    @BeforeEach
    void aConversationOfThree() {
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
        alice.submit(Events.displayName("Alice"));
        conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "Team", bob.uuid(), carol.uuid()));
    }

    static String register(Api.User user, Pusher.Format format) {
        String pushkey = "key-" + user.uuid();
        user.pushStub().setPusher(Pusher.newBuilder().setAppId(APP).setPushkey(pushkey).setGatewayUrl(gateway.url())
                .setFormat(format).build());
        return pushkey;
    }

    /** Sends and returns the stored event's uuid (the notifications' event_id). */
    static String send(Api.User user, Event message) {
        assertThat(user.submit(message).hasAccepted()).isTrue();
        return message.getUuid();
    }

    /** Every event stored so far has had its notifications handed over (the stored position is the log's head). */
    static void awaitHandedOver() {
        await().atMost(WAIT).until(() -> sql.queryForObject(
                "select (select position from push_position) = (select last_position from log_head)", Boolean.class));
    }

    static long retriesPending() {
        return sql.queryForObject("select count(*) from push_retries", Long.class);
    }

    @Test
    void fullCarriesEverythingAndEventIdOnlyNoNamesNoTextNoSender() {
        String aliceKey = register(alice, Pusher.Format.FULL);
        String bobKey = register(bob, Pusher.Format.FULL);
        String carolKey = register(carol, Pusher.Format.EVENT_ID_ONLY);
        long bobRegistered = sql.queryForObject("select extract(epoch from registered_at)::bigint from pushers where pushkey = ?",
                Long.class, bobKey);
        String first = send(alice, Events.send(conversation, "first"));
        String second = send(alice, Events.mention(conversation, "hi @bob", bob.uuid()));

        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).size() == 2 && gateway.deliveredEventIds(carolKey).size() == 2);
        assertThat(gateway.deliveredEventIds(bobKey)).containsExactly(first, second);

        JsonNode full = gateway.requestsFor(bobKey).get(1).notification();
        assertThat(full.propertyNames()).containsExactlyInAnyOrder("event_id", "room_id", "type", "sender", "sender_display_name",
                "room_name", "prio", "user_is_target", "counts", "content", "devices");
        assertThat(full.path("event_id").asString()).isEqualTo(second);
        assertThat(full.path("room_id").asString()).isEqualTo(conversation);
        assertThat(full.path("type").asString()).isEqualTo("eventsync.new_message");
        assertThat(full.path("sender").asString()).isEqualTo(alice.uuid());
        assertThat(full.path("sender_display_name").asString()).isEqualTo("Alice");
        assertThat(full.path("room_name").asString()).isEqualTo("Team");
        assertThat(full.path("prio").asString()).isEqualTo("high");
        assertThat(full.path("user_is_target").asBoolean()).isTrue();
        assertThat(full.path("counts").path("unread").asLong()).isEqualTo(2);
        assertThat(full.path("content").path("body").asString()).isEqualTo("hi @bob");
        assertThat(full.path("content").path("attachments").asInt()).isZero();
        JsonNode device = full.path("devices").path(0);
        assertThat(full.path("devices").size()).isEqualTo(1);
        assertThat(device.path("app_id").asString()).isEqualTo(APP);
        assertThat(device.path("pushkey").asString()).isEqualTo(bobKey);
        assertThat(device.path("pushkey_ts").asLong()).isEqualTo(bobRegistered);
        assertThat(device.path("data").isObject()).isTrue();
        assertThat(device.path("data").size()).isZero();
        assertThat(gateway.requestsFor(bobKey).get(0).notification().path("user_is_target").asBoolean()).isFalse();

        JsonNode minimal = gateway.requestsFor(carolKey).get(1).notification();
        assertThat(minimal.propertyNames()).containsExactlyInAnyOrder("event_id", "room_id", "prio", "counts", "devices");
        assertThat(minimal.path("event_id").asString()).isEqualTo(second);
        assertThat(minimal.path("room_id").asString()).isEqualTo(conversation);
        assertThat(minimal.path("prio").asString()).isEqualTo("high");
        assertThat(minimal.path("counts").path("unread").asLong()).isEqualTo(2);
        assertThat(minimal.path("devices").path(0).path("pushkey").asString()).isEqualTo(carolKey);
        assertThat(minimal.path("devices").path(0).path("data").path("format").asString()).isEqualTo("event_id_only");
        assertThat(gateway.requestsFor(carolKey).toString()).doesNotContain("Alice").doesNotContain("Team").doesNotContain("hi @bob");
        awaitHandedOver();
        assertThat(gateway.requestsFor(aliceKey)).as("the author gets none").isEmpty();
    }

    @Test
    void aUserWithAnOpenFollowStreamGetsNoneAndAnOfflineOneDoes() {
        String bobKey = register(bob, Pusher.Format.FULL);
        String carolKey = register(carol, Pusher.Format.FULL);
        Follower follows = Follower.follow(bob, "");
        try {
            await().atMost(WAIT).until(() -> sql.queryForObject("select count(*) from presence where user_uuid = ?", Long.class, bob.id) > 0);
            String message = send(alice, Events.send(conversation, "while bob looks"));
            await().atMost(WAIT).until(() -> gateway.deliveredEventIds(carolKey).contains(message));
            awaitHandedOver();
            assertThat(gateway.requestsFor(bobKey)).isEmpty();
        } finally {
            follows.cancel();
        }
        await().atMost(WAIT).until(() -> sql.queryForObject("select count(*) from presence where user_uuid = ?", Long.class, bob.id) == 0);
        String later = send(alice, Events.send(conversation, "after bob left"));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).contains(later));
    }

    @Test
    void aMutedConversationNotifiesOnlyOfMentions() {
        String bobKey = register(bob, Pusher.Format.FULL);
        String carolKey = register(carol, Pusher.Format.FULL);
        Event settings = Events.settings(conversation, false, false);
        bob.submit(settings.toBuilder().setConversationSettingsChanged(settings.getConversationSettingsChanged().toBuilder()
                .setMutedUntil(Timestamp.newBuilder().setSeconds(Instant.now().plus(Duration.ofDays(1)).getEpochSecond()))).build());
        String plain = send(alice, Events.send(conversation, "no one in particular"));
        String mention = send(alice, Events.mention(conversation, "bob, look", bob.uuid()));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(carolKey).size() == 2);
        awaitHandedOver();
        assertThat(gateway.deliveredEventIds(carolKey)).containsExactly(plain, mention);
        assertThat(gateway.deliveredEventIds(bobKey)).containsExactly(mention);
        JsonNode notification = gateway.requestsFor(bobKey).get(0).notification();
        assertThat(notification.path("user_is_target").asBoolean()).isTrue();
        assertThat(notification.path("counts").path("unread").asLong()).as("a muted conversation is left out of the badge").isZero();
    }

    @Test
    void aUserWhoBlockedTheAuthorGetsNone() {
        String bobKey = register(bob, Pusher.Format.FULL);
        String carolKey = register(carol, Pusher.Format.FULL);
        bob.submit(Events.block(alice.uuid(), true));
        String message = send(alice, Events.mention(conversation, "even a mention", bob.uuid()));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(carolKey).contains(message));
        awaitHandedOver();
        assertThat(gateway.requestsFor(bobKey)).isEmpty();
    }

    @Test
    void aMovedReadMarkerSendsCountsOnlyAtMostOncePerTwoSecondsWithTheLatestCount() {
        String bobKey = register(bob, Pusher.Format.FULL);
        List<String> messages = List.of(
                alice.submit(Events.send(conversation, "one")).getAccepted().getMessageUuid(),
                alice.submit(Events.send(conversation, "two")).getAccepted().getMessageUuid(),
                alice.submit(Events.send(conversation, "three")).getAccepted().getMessageUuid());
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).size() == 3);
        for (String message : messages) {
            bob.submit(Events.read(conversation, message));
        }
        await().atMost(WAIT).until(() -> {
            List<TestGateway.Request> badges = gateway.requestsFor(bobKey).stream().filter(TestGateway.Request::countsOnly).toList();
            return !badges.isEmpty() && badges.get(badges.size() - 1).notification().path("counts").path("unread").asLong() == 0;
        });
        awaitHandedOver();
        List<TestGateway.Request> badges = gateway.requestsFor(bobKey).stream().filter(TestGateway.Request::countsOnly).toList();
        assertThat(badges).hasSizeBetween(1, 2);
        if (badges.size() == 2) {
            assertThat(Duration.between(badges.get(0).at(), badges.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
        JsonNode badge = badges.get(badges.size() - 1).notification();
        assertThat(badge.propertyNames()).containsExactlyInAnyOrder("prio", "counts", "devices");
        assertThat(badge.path("prio").asString()).isEqualTo("low");
        assertThat(badge.path("devices").path(0).path("pushkey").asString()).isEqualTo(bobKey);

        // three markers more, at once: the first goes now (or when the interval ends), the rest are one more, 2 s on
        int before = badges.size();
        String four = alice.submit(Events.send(conversation, "four")).getAccepted().getMessageUuid();
        String five = alice.submit(Events.send(conversation, "five")).getAccepted().getMessageUuid();
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).size() == 5);
        bob.submit(Events.read(conversation, four));
        bob.submit(Events.read(conversation, five));
        await().atMost(WAIT).until(() -> {
            List<TestGateway.Request> all = gateway.requestsFor(bobKey).stream().filter(TestGateway.Request::countsOnly).toList();
            return all.size() > before && all.get(all.size() - 1).notification().path("counts").path("unread").asLong() == 0;
        });
        List<TestGateway.Request> all = gateway.requestsFor(bobKey).stream().filter(TestGateway.Request::countsOnly).toList();
        for (int i = 1; i < all.size(); i++) {
            assertThat(Duration.between(all.get(i - 1).at(), all.get(i).at())).as("badge " + i).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
    }

    @Test
    void aServerErrorOrTooManyRequestsIsRetriedAndDeliveredOnceInOrder() {
        String bobKey = register(bob, Pusher.Format.FULL);
        gateway.script(bobKey, TestGateway.Answer.status(500), TestGateway.Answer.status(429), TestGateway.Answer.status(503));
        String first = send(alice, Events.send(conversation, "first"));
        String second = send(alice, Events.send(conversation, "second"));
        String third = send(alice, Events.send(conversation, "third"));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).size() == 3);
        assertThat(gateway.deliveredEventIds(bobKey)).containsExactly(first, second, third);
        assertThat(gateway.requestsFor(bobKey)).extracting(TestGateway.Request::eventId)
                .as("only the head of the queue is retried: nothing newer overtakes it")
                .containsExactly(first, first, first, first, second, third);
        awaitHandedOver();
        await().atMost(WAIT).until(() -> retriesPending() == 0);
    }

    @Test
    void aGatewayTooSlowToAnswerIsRetried() {
        String bobKey = register(bob, Pusher.Format.FULL);
        gateway.script(bobKey, TestGateway.Answer.after(Duration.ofSeconds(20)));
        String message = send(alice, Events.send(conversation, "slow"));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).contains(message));
        assertThat(gateway.requestsFor(bobKey)).extracting(TestGateway.Request::eventId).containsExactly(message, message);
    }

    @Test
    void anyOtherClientErrorIsDroppedNotRetried() {
        String bobKey = register(bob, Pusher.Format.FULL);
        gateway.script(bobKey, TestGateway.Answer.status(400));
        String dropped = send(alice, Events.send(conversation, "refused"));
        String next = send(alice, Events.send(conversation, "accepted"));
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).contains(next));
        awaitHandedOver();
        assertThat(gateway.requestsFor(bobKey)).extracting(TestGateway.Request::eventId).containsExactly(dropped, next);
        assertThat(sql.queryForObject("select count(*) from push_retries where app_id = ? and pushkey = ?", Long.class, APP, bobKey)).isZero();
    }

    @Test
    void aPushkeyTheGatewayRejectsIsDeleted() {
        String bobKey = register(bob, Pusher.Format.FULL);
        gateway.script(bobKey, TestGateway.Answer.rejecting(bobKey));
        String message = send(alice, Events.send(conversation, "to a phone that is gone"));
        await().atMost(WAIT).until(() -> bob.pushStub().listPushers(ListPushersRequest.getDefaultInstance()).getPushersCount() == 0);
        send(alice, Events.send(conversation, "no pusher any more"));
        awaitHandedOver();
        assertThat(gateway.requestsFor(bobKey)).extracting(TestGateway.Request::eventId).containsExactly(message);
    }
}
