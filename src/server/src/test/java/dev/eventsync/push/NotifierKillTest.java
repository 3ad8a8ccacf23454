package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The instance sending push notifications SIGKILLed in the middle of sending (issue 15, item 3): no
 * shutdown hook, requests cut, its lock's connection gone with the process. Two server processes
 * on a database of their own; the gateway inside the test answers slowly, so the holder is always
 * busy. The other instance takes over within eventsync.push.failover (the default 30 s) and
 * resumes from the stored position: every notification arrives at least once, the first arrivals
 * are in feed order per user, and every resend carries an event_id that already arrived.
 */
class NotifierKillTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final Duration FAILOVER = Duration.ofSeconds(30);
    static final int BEFORE_KILL = 20;
    static final int AFTER_KILL = 10;

    final List<Process> processes = new ArrayList<>();

    @Test
    void theOtherInstanceTakesOverWithin30sFromTheStoredPositionAndNothingIsLost() throws Exception {
        try (TestGateway gateway = new TestGateway()) {
            run(gateway);
        } finally {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void run(TestGateway gateway) throws Exception {
        TestDatabase.Connection db = TestDatabase.createDatabase("notifier_kill_" + UUID.randomUUID().toString().replace("-", ""));
        JdbcTemplate sql = new JdbcTemplate(new DriverManagerDataSource(db.url(), db.username(), db.password() == null ? "" : db.password()));
        gateway.answerEachAfter(Duration.ofMillis(150));

        int holderPort = freePort();
        Process holder = startServer(db, gateway, holderPort);
        // Alone, it takes the lock; the second one started after it only tries.
        await().atMost(WAIT).until(() -> sql.queryForObject("""
                select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and a.application_name = ? and a.datname = current_database()""",
                Long.class, NotifierLock.APPLICATION_NAME) == 1);
        int otherPort = freePort();
        startServer(db, gateway, otherPort);

        try (Api api = new Api(otherPort)) {
            Api.User alice = api.newUser();
            String conversation = Events.newUuid();
            List<Api.User> recipients = List.of(api.newUser(), api.newUser(), api.newUser());
            List<String> pushkeys = new ArrayList<>();
            for (Api.User user : recipients) {
                String pushkey = "key-" + user.uuid();
                user.pushStub().setPusher(Pusher.newBuilder().setAppId(NotifierTest.APP).setPushkey(pushkey)
                        .setGatewayUrl(gateway.url()).build());
                pushkeys.add(pushkey);
            }
            alice.submit(Events.createConversation(conversation, "Team",
                    recipients.stream().map(Api.User::uuid).toArray(String[]::new)));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < BEFORE_KILL; i++) {
                sent.add(NotifierTest.send(alice, Events.send(conversation, "before " + i)));
            }
            // Mid-way: some handed over and stored, more still to send (each request takes 150 ms).
            String first = pushkeys.get(0);
            long firstMessage = sql.queryForObject("select position from events where event_uuid = ?::uuid", Long.class, sent.get(0));
            await().atMost(WAIT).until(() -> gateway.requestsFor(first).size() >= 5
                    && sql.queryForObject("select position from push_position", Long.class) >= firstMessage);
            assertThat(gateway.requestsFor(first).size()).as("still sending when killed").isLessThan(BEFORE_KILL);

            holder.destroyForcibly(); // SIGKILL: no shutdown hook, the advisory lock goes with the connection
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Instant killed = Instant.now();
            long storedAtKill = sql.queryForObject("select position from push_position", Long.class);
            for (int i = 0; i < AFTER_KILL; i++) {
                sent.add(NotifierTest.send(alice, Events.send(conversation, "after " + i)));
            }

            for (String pushkey : pushkeys) {
                await().atMost(WAIT).until(() -> gateway.deliveredEventIds(pushkey).containsAll(sent));
            }
            Duration takeover = Duration.between(killed, pushkeys.stream().flatMap(k -> gateway.requestsFor(k).stream())
                    .map(TestGateway.Request::at).filter(at -> at.isAfter(killed)).min(Instant::compareTo).orElseThrow());
            long resent = pushkeys.stream().mapToLong(k -> gateway.deliveredEventIds(k).size() - sent.size()).sum();
            System.out.printf("PUSH notifier_sigkill takeover_ms=%d failover=%ds notifications=%d resent=%d%n",
                    takeover.toMillis(), FAILOVER.toSeconds(), sent.size() * pushkeys.size(), resent);
            assertThat(takeover).as("taken over within eventsync.push.failover").isLessThan(FAILOVER);

            for (String pushkey : pushkeys) {
                List<String> delivered = gateway.deliveredEventIds(pushkey);
                assertThat(delivered.stream().distinct().toList()).as("each at least once, first arrivals in feed order")
                        .containsExactlyElementsOf(sent);
                // The successor starts after the stored position: what it sends again was not yet stored as handed over.
                for (TestGateway.Request request : gateway.requestsFor(pushkey)) {
                    if (request.at().isAfter(killed)) {
                        assertThat(sql.queryForObject("select position from events where event_uuid = ?::uuid", Long.class,
                                request.eventId())).as("sent by the successor").isGreaterThan(storedAtKill);
                    }
                }
            }
        }
    }

    /** A server in a JVM of its own on this database and port, allowed to send to the gateway; returns once it answers. */
    private Process startServer(TestDatabase.Connection db, TestGateway gateway, int port) throws IOException, InterruptedException {
        Map<String, Object> properties = new HashMap<>(NotifierTest.properties(db, gateway));
        properties.put("eventsync.push.failover", FAILOVER.toSeconds() + "s");
        return Servers.startProcess(properties, port, "notifier-kill-", processes);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
