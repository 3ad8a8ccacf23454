package dev.eventsync.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.support.Api;
import dev.eventsync.support.ControlledPostgres;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The database backend of one instance's writer stopped (SIGSTOP) while it holds the position
 * lock, for longer than the lock timeout (issue 10, item 7; StoreProperties: "a stalled writer
 * elsewhere must not stall every instance for ever"). Two instances, A and B, share one
 * PostgreSQL of the test's own. Callers of B get UNAVAILABLE within about one lock timeout
 * (nothing of their calls written) and B keeps serving reads; after SIGCONT both instances
 * acknowledge calls again at once, and the stalled call of A is answered: stored if accepted,
 * not stored if refused.
 *
 * <p>To stop A's backend exactly while it holds the position lock, the test holds a SHARE lock on
 * {@code feed}: A's batch takes the head row of the log, then waits to insert its feed rows. The
 * test stops that backend (found in {@code pg_locks}), then releases its lock: PostgreSQL grants
 * it to the stopped backend, which now holds both and runs no further.
 */
class StalledWriterTest {

    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);
    /** How long the backend stays stopped: several lock timeouts. */
    static final Duration STALL = LOCK_TIMEOUT.multipliedBy(4);
    /** Scheduling slack on a loaded 2-core machine, on top of the lock timeouts a call may wait. */
    static final Duration SLACK = Duration.ofMillis(1500);
    static final int CONCURRENT_CALLERS = 4;

    @TempDir
    static Path dir;
    static ControlledPostgres postgres;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    Api apiA;
    Api apiB;
    Api.User aliceOnA;
    Api.User bobOnB;
    String conversation;
    final ExecutorService callers = Executors.newCachedThreadPool();

    @BeforeAll
    static void startPostgresAndTwoInstances() throws Exception {
        postgres = ControlledPostgres.start(dir.resolve("postgres"));
        Map<String, Object> properties = Servers.onDatabase(postgres.connection());
        properties.put("eventsync.store.lock-timeout", LOCK_TIMEOUT.toMillis() + "ms");
        a = Servers.start(properties);
        b = Servers.start(properties);
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            postgres.close();
        }
    }

    @BeforeEach
    void connect() {
        apiA = new Api(Servers.port(a));
        apiB = new Api(Servers.port(b));
        aliceOnA = apiA.newUser();
        bobOnB = apiB.newUser();
        conversation = Events.newUuid();
        accept(aliceOnA, Events.createConversation(conversation, "stalled", bobOnB.uuid()));
        accept(bobOnB, Events.send(conversation, "B's writer is connected"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        callers.shutdownNow();
        apiA.close();
        apiB.close();
    }

    @Test
    void aCallerOfAnotherInstanceGetsUnavailableWithinAboutOneLockTimeoutAndBothAnswerAtOnceAfterSigcont() throws Exception {
        stallWritersBackendOfA(1);
    }

    @Test
    void concurrentCallersOfAnotherInstanceEachGetUnavailableWithinAboutOneLockTimeout() throws Exception {
        stallWritersBackendOfA(CONCURRENT_CALLERS);
    }

    /** What one caller saw: its events, how long it waited, and what came back. */
    record Call(List<Event> events, long tookMs, SubmitEventOutput output, Status status) {}

    private void stallWritersBackendOfA(int callersOfB) throws Exception {
        Event stalled = Events.send(conversation, "the call A's stalled writer holds");
        CompletableFuture<Call> stalledCall;
        long pid;
        try (Connection test = connectToPostgres()) {
            test.setAutoCommit(false);
            try (Statement lock = test.createStatement()) {
                lock.execute("lock table feed in share mode");
            }
            stalledCall = call(aliceOnA, List.of(stalled));
            pid = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(this::waitingForFeed, p -> p != null);
            ControlledPostgres.signal(pid, "STOP");
            test.commit(); // granted to the stopped backend, which also holds the head row of the log
        }
        long stoppedAt = System.nanoTime();
        List<Call> onB = new ArrayList<>();
        try {
            List<CompletableFuture<Call>> calls = new ArrayList<>();
            for (int i = 0; i < callersOfB; i++) {
                calls.add(call(bobOnB, List.of(Events.send(conversation, "B's caller " + i + " during the stall"))));
            }
            for (CompletableFuture<Call> call : calls) {
                onB.add(call.get(STALL.toMillis() * 3, TimeUnit.MILLISECONDS));
            }
            // Reads need no lock: B serves them throughout.
            assertThat(bobOnB.feed()).extracting(Event::getUuid).doesNotContain(stalled.getUuid());
            await().atMost(STALL.multipliedBy(2)).until(() -> System.nanoTime() - stoppedAt >= STALL.toNanos());
            assertThat(stalledCall).as("A's call, while its backend is stopped").isNotDone();
        } finally {
            ControlledPostgres.signal(pid, "CONT");
        }
        long continuedAt = System.nanoTime();
        Call afterOnA = call(aliceOnA, List.of(Events.send(conversation, "A after SIGCONT"))).get(30, TimeUnit.SECONDS);
        long aAnsweredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - continuedAt);
        Call afterOnB = call(bobOnB, List.of(Events.send(conversation, "B after SIGCONT"))).get(30, TimeUnit.SECONDS);
        long bAnsweredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - continuedAt);
        Call held = stalledCall.get(30, TimeUnit.SECONDS);
        System.out.printf("FAULT writer_sigstop callers=%d lock_timeout_ms=%d stalled_ms=%d other_instance=%s"
                        + " held_call=%s after_sigcont_a_ms=%d after_sigcont_b_ms=%d%n", callersOfB, LOCK_TIMEOUT.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(continuedAt - stoppedAt),
                onB.stream().map(c -> c.status().getCode() + "@" + c.tookMs() + "ms").toList(),
                held.status().getCode(), aAnsweredMs, bAnsweredMs);

        long allowedMs = LOCK_TIMEOUT.multipliedBy(callersOfB == 1 ? 1 : 2).plus(SLACK).toMillis();
        for (Call call : onB) {
            assertThat(call.status().getCode()).as("a caller of B while A's writer holds the lock").isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(call.tookMs()).as("how long a caller of B waited for its UNAVAILABLE (lock timeout %s)", LOCK_TIMEOUT)
                    .isLessThanOrEqualTo(allowedMs);
        }
        assertThat(afterOnA.status().getCode()).as("A after SIGCONT").isEqualTo(Status.Code.OK);
        assertThat(afterOnB.status().getCode()).as("B after SIGCONT").isEqualTo(Status.Code.OK);
        assertThat(bAnsweredMs).as("B answers at once after SIGCONT").isLessThanOrEqualTo(SLACK.toMillis() * 2);
        assertThat(held.status().getCode()).as("A's stalled call, after SIGCONT").isIn(Status.Code.OK, Status.Code.UNAVAILABLE);

        // Nothing of a refused call is stored; everything acknowledged is, once.
        List<String> feed = ChattingClients.uuids(bobOnB.feed());
        assertThat(feed).doesNotHaveDuplicates()
                .containsAll(ChattingClients.uuids(afterOnA.events())).containsAll(ChattingClients.uuids(afterOnB.events()));
        for (Call call : onB) {
            assertThat(feed).doesNotContainAnyElementsOf(ChattingClients.uuids(call.events()));
        }
        if (held.status().isOk()) {
            assertThat(feed).contains(stalled.getUuid());
        } else {
            assertThat(feed).doesNotContain(stalled.getUuid());
        }
    }

    private CompletableFuture<Call> call(Api.User user, List<Event> events) {
        return CompletableFuture.supplyAsync(() -> {
            long started = System.nanoTime();
            try {
                SubmitEventOutput output = user.sync(events.toArray(Event[]::new));
                assertThat(output.getResultsList()).allMatch(EventResult::hasAccepted);
                return new Call(events, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), output, Status.OK);
            } catch (StatusRuntimeException e) {
                return new Call(events, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), null, e.getStatus());
            }
        }, callers);
    }

    /** The backend waiting to write into {@code feed}: A's writer, the only one writing then. */
    private Long waitingForFeed() {
        return JdbcClient.create(b.getBean(DataSource.class))
                .sql("select pid from pg_locks where locktype = 'relation' and relation = 'feed'::regclass and not granted")
                .query(Long.class).optional().orElse(null);
    }

    private static Connection connectToPostgres() throws Exception {
        var db = postgres.connection();
        return DriverManager.getConnection(db.url(), db.username(), db.password());
    }

    private static void accept(Api.User user, Event event) {
        assertThat(user.submit(event).hasAccepted()).as("accepted: %s", event).isTrue();
    }
}
