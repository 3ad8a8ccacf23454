package dev.eventsync.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.ControlledPostgres;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * PostgreSQL restarted under load while the server keeps running (issue 10, item 7): once with
 * {@code pg_ctl restart -m fast} (sessions terminated, a shutdown checkpoint) and once with
 * {@code -m immediate} (every backend quits at once, crash recovery at start). The server is
 * neither restarted nor told: it recovers by itself. Callers see UNAVAILABLE only while the
 * database is away, nothing acknowledged is lost, and the follow streams of the clients deliver
 * everything afterwards (with the safety poll off, through the LISTEN connection, which must
 * reconnect by itself). Prints how long the database was away and how long after it was back the
 * server acknowledged a call again.
 */
class DatabaseRestartTest {

    static final int CLIENTS = 3;
    static final int MESSAGES_PER_CLIENT = 200;
    static final Duration RECOVERY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theServerRecoversByItselfFromFastAndImmediateRestartsOfPostgresqlAndLosesNothingAcknowledged() throws Exception {
        try (ControlledPostgres postgres = ControlledPostgres.start(dir.resolve("postgres"))) {
            Map<String, Object> properties = Servers.onDatabase(postgres.connection());
            // Live delivery after the restarts can then only come through the LISTEN connection.
            properties.put("eventsync.live.safety-poll", "1h");
            ConfigurableApplicationContext server = Servers.start(properties);
            int port = Servers.port(server);
            try (Api api = new Api(port);
                 ChattingClients clients = new ChattingClients(api, port, dir, CLIENTS, MESSAGES_PER_CLIENT)) {
                Api.User prober = clients.users.get(0);
                List<String> probes = new ArrayList<>();
                Map<Status.Code, Integer> probeStatuses = new TreeMap<>();
                List<String> modes = List.of("fast", "immediate");
                for (int i = 0; i < modes.size(); i++) {
                    clients.awaitAcknowledged(clients.total() * (i + 1) / 3);
                    int inOutboxes = clients.inOutboxes();
                    long restartAt = System.nanoTime();
                    postgres.restart(modes.get(i));
                    long backAt = System.nanoTime();
                    // A call of the test's own, resent (same event uuid) until the server acknowledges it.
                    Event probe = Events.send(clients.conversation, "probe after the " + modes.get(i) + " restart");
                    await().atMost(RECOVERY).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                            .until(() -> acknowledged(prober, probe, probeStatuses));
                    long recoveredAt = System.nanoTime();
                    probes.add(probe.getUuid());
                    System.out.printf("FAULT pg_restart_%s db_away_ms=%d recovered_in_ms=%d in_outboxes=%d%n", modes.get(i),
                            TimeUnit.NANOSECONDS.toMillis(backAt - restartAt), TimeUnit.NANOSECONDS.toMillis(recoveredAt - backAt),
                            inOutboxes);
                    assertThat(inOutboxes).as("messages waiting in the outboxes when PostgreSQL went away").isPositive();
                }
                clients.awaitAllAcknowledged();
                System.out.printf("FAULT pg_restart messages=%d answered_as_duplicate=%d failed_calls=%s probe_statuses=%s%n",
                        clients.total(), clients.answeredAsDuplicate(), clients.failedCalls(), probeStatuses);

                assertThat(probeStatuses.keySet()).as("what a caller sees while PostgreSQL restarts")
                        .isSubsetOf(Status.Code.OK, Status.Code.UNAVAILABLE);
                assertThat(clients.failedCalls().keySet()).as("the failed calls of the clients, by kind and status")
                        .allMatch(kind -> kind.endsWith(":" + Status.Code.UNAVAILABLE));
                clients.assertEveryMessageStoredOnceInOneOrderForAll(probes);
            } finally {
                server.close();
            }
        }
    }

    /** One Sync of the probe event: true once accepted; records every status. */
    private static boolean acknowledged(Api.User user, Event probe, Map<Status.Code, Integer> statuses) {
        try {
            boolean accepted = user.submit(probe).hasAccepted();
            statuses.merge(Status.Code.OK, 1, Integer::sum);
            return accepted;
        } catch (StatusRuntimeException e) {
            statuses.merge(e.getStatus().getCode(), 1, Integer::sum);
            return false;
        }
    }
}
