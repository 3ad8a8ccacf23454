package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The notifier across instances and restarts (API.md v1.1: at least once, one instance sending,
 * a successor within eventsync.push.failover resuming from the stored position), each test on a
 * database of its own.
 */
class NotifierFailoverTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    TestGateway gateway;
    TestDatabase.Connection db;
    JdbcTemplate sql;
    final List<ConfigurableApplicationContext> servers = new ArrayList<>();

    @BeforeEach
    void aDatabaseAndAGateway() throws Exception {
        gateway = new TestGateway();
        db = TestDatabase.createDatabase("failover_" + UUID.randomUUID().toString().replace("-", ""));
        sql = new JdbcTemplate(new DriverManagerDataSource(db.url(), db.username(), db.password() == null ? "" : db.password()));
    }

    @AfterEach
    void stop() {
        servers.forEach(ConfigurableApplicationContext::close);
        gateway.close();
    }

    ConfigurableApplicationContext startServer() {
        return startServer(Map.of());
    }

    ConfigurableApplicationContext startServer(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(NotifierTest.properties(db, gateway));
        properties.putAll(extra);
        ConfigurableApplicationContext server = Servers.start(properties);
        servers.add(server);
        return server;
    }

    static String register(Api.User user, TestGateway gateway) {
        String pushkey = "key-" + user.uuid();
        user.pushStub().setPusher(Pusher.newBuilder().setAppId(NotifierTest.APP).setPushkey(pushkey).setGatewayUrl(gateway.url()).build());
        return pushkey;
    }

    static String send(Api.User user, String conversation, String text) {
        var message = Events.send(conversation, text);
        assertThat(user.submit(message).hasAccepted()).isTrue();
        return message.getUuid();
    }

    @Test
    void aRetryPendingWhenTheServerStopsIsDeliveredAfterItsRestart() throws Exception {
        ConfigurableApplicationContext first = startServer();
        String conversation = Events.newUuid();
        String bobKey;
        String message;
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        try (Api api = new Api(Servers.port(first))) {
            bobKey = register(api.user(bob), gateway);
            TestGateway.Answer[] failing = new TestGateway.Answer[1000];
            java.util.Arrays.fill(failing, TestGateway.Answer.status(502));
            gateway.script(bobKey, failing);
            api.user(alice).submit(Events.createConversation(conversation, "Team", bob.toString()));
            message = send(api.user(alice), conversation, "through a restart");
            await().atMost(WAIT).until(() -> sql.queryForObject("select count(*) from push_retries where event_uuid = ?::uuid",
                    Long.class, message) == 1);
        }
        first.close();
        servers.remove(first);
        assertThat(gateway.deliveredEventIds(bobKey)).isEmpty();
        gateway.unscript(bobKey);

        startServer();
        await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).contains(message));
        assertThat(gateway.deliveredEventIds(bobKey)).containsExactly(message);
        await().atMost(WAIT).until(() -> sql.queryForObject("select count(*) from push_retries", Long.class) == 0);
    }

    @Test
    void ofTwoInstancesOnlyOneSendsAndClosingItHandsOverWithoutLoss() throws Exception {
        ConfigurableApplicationContext a = startServer();
        ConfigurableApplicationContext b = startServer();
        await().atMost(WAIT).until(() -> a.getBean(Notifier.class).holding() || b.getBean(Notifier.class).holding());
        ConfigurableApplicationContext holder = a.getBean(Notifier.class).holding() ? a : b;
        ConfigurableApplicationContext other = holder == a ? b : a;
        assertThat(other.getBean(Notifier.class).holding()).isFalse();
        // (the other instance's tries open a connection of the same name for a moment: count the locks, not the connections)
        assertThat(sql.queryForObject("""
                select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and a.application_name = ? and a.datname = current_database()""",
                Long.class, NotifierLock.APPLICATION_NAME)).as("one notifier lock held").isEqualTo(1);

        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String conversation = Events.newUuid();
        List<String> sent = new ArrayList<>();
        String bobKey;
        try (Api toHolder = new Api(Servers.port(holder)); Api toOther = new Api(Servers.port(other))) {
            bobKey = register(toOther.user(bob), gateway);
            toOther.user(alice).submit(Events.createConversation(conversation, "Team", bob.toString()));
            for (int i = 0; i < 3; i++) {
                sent.add(send(toHolder.user(alice), conversation, "via the holder " + i));
                sent.add(send(toOther.user(alice), conversation, "via the other " + i));
            }
            await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).size() >= sent.size());
            assertThat(gateway.deliveredEventIds(bobKey)).as("sent once each, by one instance, in order").containsExactlyElementsOf(sent);

            sent.add(send(toHolder.user(alice), conversation, "just before the holder closes"));
            holder.close();
            servers.remove(holder);
            Instant closed = Instant.now();
            for (int i = 0; i < 3; i++) {
                sent.add(send(toOther.user(alice), conversation, "after " + i));
            }
            await().atMost(WAIT).until(() -> new HashSet<>(gateway.deliveredEventIds(bobKey)).containsAll(sent));
            assertThat(Duration.between(closed, gateway.requestsFor(bobKey).get(gateway.requestsFor(bobKey).size() - 1).at()))
                    .as("taken over within eventsync.push.failover (3 s here)").isLessThan(Duration.ofSeconds(3));
            assertThat(other.getBean(Notifier.class).holding()).isTrue();
        }
        List<String> delivered = gateway.deliveredEventIds(bobKey);
        assertThat(new HashSet<>(delivered)).as("no loss, and nothing but resends of the same event_id").isEqualTo(new HashSet<>(sent));
        assertThat(delivered.stream().distinct().toList()).as("in order").containsExactlyElementsOf(sent);
    }

    @Test
    void aCountsNotificationHeldBackWhenTheServerStopsIsSentAfterItsRestart() throws Exception {
        // An hour between badges: the second marker's counts notification is held when the server goes.
        ConfigurableApplicationContext first = startServer(Map.of("eventsync.push.counts-interval", "1h"));
        String conversation = Events.newUuid();
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String bobKey;
        try (Api api = new Api(Servers.port(first))) {
            bobKey = register(api.user(bob), gateway);
            api.user(alice).submit(Events.createConversation(conversation, "Team", bob.toString()));
            String one = api.user(alice).submit(Events.send(conversation, "one")).getAccepted().getMessageUuid();
            String two = api.user(alice).submit(Events.send(conversation, "two")).getAccepted().getMessageUuid();
            api.user(bob).submit(Events.read(conversation, one));
            await().atMost(WAIT).until(() -> badges(bobKey).size() == 1);
            assertThat(badges(bobKey).get(0).notification().path("counts").path("unread").asLong()).isEqualTo(1);
            api.user(bob).submit(Events.read(conversation, two));
            String three = send(api.user(alice), conversation, "three");
            // The message after the held marker is handed over: the notifier has read past the marker.
            await().atMost(WAIT).until(() -> gateway.deliveredEventIds(bobKey).contains(three));
        }
        first.close();
        servers.remove(first);
        assertThat(badges(bobKey)).as("the second badge was still held").hasSize(1);

        startServer();
        await().atMost(WAIT).until(() -> badges(bobKey).size() == 2);
        assertThat(badges(bobKey).get(1).notification().path("counts").path("unread").asLong())
                .as("the count when sent: 'three' is unread").isEqualTo(1);
    }

    List<TestGateway.Request> badges(String pushkey) {
        return gateway.requestsFor(pushkey).stream().filter(TestGateway.Request::countsOnly).toList();
    }
}
