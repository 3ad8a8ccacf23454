package dev.eventsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.client.ClientListener;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.JavaProcesses;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server process SIGKILLed twice while clients send (issue 10, item 7): no shutdown hook, no
 * drain, calls cut in the middle of a commit. The clients are the reference client library
 * (outbox in SQLite, resending unanswered batches with the same event uuids), each keeping a
 * window of unacknowledged messages in flight the whole time. Afterwards every message is
 * acknowledged, stored exactly once, in each sender's order, and every member of the
 * conversation reads one and the same sequence from the start.
 *
 * <p>The server runs in a JVM of its own ({@link JavaProcesses}) on a fixed port, so a new
 * process takes over where the killed one was; the database is the shared test database.
 */
class ServerKillTest {

    static final int CLIENTS = 3;
    static final int MESSAGES_PER_CLIENT = 1000;
    // A JVM start on a loaded machine (several builds on two cores) took 81 s here.
    static final Duration START = JavaProcesses.STARTUP;

    @TempDir
    Path dir;

    final List<Process> processes = new ArrayList<>();

    @Test
    void everyMessageIsAcknowledgedAndStoredOnceInOneOrderForAllWhenTheServerIsKilledTwiceUnderLoad() throws Exception {
        int port = freePort();
        // Every process started is killed in the finally block, whether or not it came up.
        try {
            runKillingTheServerTwice(port);
        } finally {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void runKillingTheServerTwice(int port) throws Exception {
        Process server = startServer(port);
        try (Api api = new Api(port); ChattingClients clients = new ChattingClients(api, port, dir, CLIENTS, MESSAGES_PER_CLIENT)) {
            List<Long> firstAckAfterKillMs = new ArrayList<>();
            for (int kill = 1; kill <= 2; kill++) {
                clients.awaitAcknowledged(clients.total() * kill / 3);
                int inOutboxes = clients.inOutboxes();
                long killedAt = System.nanoTime();
                server.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("server killed").isTrue();
                int acknowledgedAtKill = clients.acknowledged();
                System.out.printf("FAULT server_sigkill kill=%d acknowledged=%d in_outboxes=%d%n", kill, acknowledgedAtKill, inOutboxes);
                assertThat(inOutboxes).as("messages waiting in the outboxes when the server was killed").isPositive();

                server = startServer(port);
                clients.awaitAcknowledged(acknowledgedAtKill + 1);
                firstAckAfterKillMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            }
            clients.awaitAllAcknowledged();
            System.out.printf("FAULT server_sigkill kills=2 messages=%d answered_as_duplicate=%d first_ack_after_kill_ms=%s"
                            + " failed_calls=%s%n", clients.total(), clients.answeredAsDuplicate(), firstAckAfterKillMs,
                    clients.failedCalls());
            clients.assertEveryMessageStoredOnceInOneOrderForAll(List.of());
        }
    }

    /** A server in a JVM of its own on this port and the test database; returns once it answers. */
    private Process startServer(int port) throws IOException, InterruptedException {
        return Servers.startProcess(Servers.testDatabase(), port, "killed-server-", processes);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
