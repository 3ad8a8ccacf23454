package dev.eventsync.store;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Decider;
import dev.eventsync.events.Delivery;
import dev.eventsync.events.Outcome;
import dev.eventsync.events.Result;
import dev.eventsync.events.Submission;
import dev.eventsync.live.Notifications;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Group commit: Sync calls put their parsed events on a queue; one writer thread takes what is
 * waiting (up to {@code max-batch-events}), decides and writes it in one transaction, commits,
 * and only then completes every call of the batch. So a call's Accepted results always mean
 * "committed", and latency stays about one commit however many calls arrive together.
 *
 * <p>Within a batch, calls are decided in arrival order and each call's events in the order
 * given; a later event sees the effects of every earlier accepted one.
 */
@Component
public class Appender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Appender.class);
    /** Users remembered as stored, at most (then forgotten all at once: they are only re-inserted). */
    private static final int STORED_USERS_CACHE = 100_000;
    /** Conflicts with a concurrent batch elsewhere are rare; a few retries always settle them. */
    private static final int ATTEMPTS = 5;

    private final DataSource dataSource;
    private final Decider decider;
    private final StoreProperties properties;
    private final BlockingQueue<Pending> queue;
    private final String sessionSettings;
    private final Counter eventsAppended;
    private final Counter feedRowsWritten;
    private final DistributionSummary batchSize;
    private final Timer commit;
    // Owned by the writer thread.
    private Connection writerConnection;
    private final Set<UUID> storedUsers = new HashSet<>();
    private volatile boolean accepting;
    private volatile Thread writer;

    public Appender(DataSource dataSource, Decider decider, StoreProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.decider = decider;
        this.properties = properties;
        this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
        this.sessionSettings = "set lock_timeout = '" + properties.lockTimeout().toMillis() + "ms'";
        this.eventsAppended = meters.counter("eventsync.events.appended");
        this.feedRowsWritten = meters.counter("eventsync.feed.rows.written");
        this.batchSize = DistributionSummary.builder("eventsync.append.batch.events")
                .description("submitted events decided in one group-commit transaction").register(meters);
        this.commit = Timer.builder("eventsync.append.commit")
                .description("one group-commit transaction, from its first statement to its commit").register(meters);
        Gauge.builder("eventsync.append.queue.calls", queue, BlockingQueue::size).register(meters);
    }

    /**
     * Queues one call's events. The future completes after the batch holding them committed (or
     * failed: then nothing of the call was written).
     */
    public CompletableFuture<List<Result>> submit(UUID caller, List<Submission> submissions) {
        CompletableFuture<List<Result>> results = new CompletableFuture<>();
        if (submissions.isEmpty()) {
            results.complete(List.of());
            return results;
        }
        if (!accepting) {
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the server is shutting down; retry on another instance");
        }
        if (!queue.offer(new Pending(caller, List.copyOf(submissions), results))) {
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the append queue is full ("
                    + properties.queueCapacity() + " calls waiting); retry with backoff");
        }
        return results;
    }

    @Override
    public void start() {
        accepting = true;
        Thread thread = new Thread(this::run, "eventsync-appender");
        thread.setDaemon(false);
        writer = thread;
        thread.start();
    }

    /** Stops taking calls, writes what is queued, then ends the writer. */
    @Override
    public void stop() {
        accepting = false;
        Thread thread = writer;
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writer = null;
    }

    @Override
    public boolean isRunning() {
        return writer != null;
    }

    /** Stops after the gRPC server (which stops with a grace period for in-flight calls). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (accepting || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int events = first.submissions().size();
                Pending next;
                // Single consumer: what peek saw is what poll takes.
                while ((next = queue.peek()) != null && events + next.submissions().size() <= properties.maxBatchEvents()) {
                    batch.add(queue.poll());
                    events += next.submissions().size();
                }
                writeIsolatingFailures(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("append writer: unexpected failure, failing the batch", e);
                batch.forEach(p -> p.results().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        closeWriterConnection();
        // A call queued just as the writer stopped (submit checked `accepting` before stop()
        // flipped it) is answered now, not left hanging: nothing of it was written.
        Pending late;
        while ((late = queue.poll()) != null) {
            late.results().completeExceptionally(new CallRejected(CallRejected.Problem.UNAVAILABLE,
                    "the server is shutting down; retry on another instance"));
        }
    }

    /** One bad call must not fail the others: a failed batch of several calls is retried call by call. */
    private void writeIsolatingFailures(List<Pending> batch) {
        try {
            complete(batch, write(batch));
        } catch (SQLException e) {
            if (batch.size() == 1) {
                log.warn("append failed ({}): {}", e.getSQLState(), e.getMessage());
                batch.get(0).results().completeExceptionally(e);
                return;
            }
            for (Pending call : batch) {
                writeIsolatingFailures(List.of(call));
            }
        }
    }

    private static void complete(List<Pending> batch, List<List<Result>> results) {
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).results().complete(results.get(i));
        }
    }

    /** Decides and writes one batch in one transaction, retrying when a concurrent batch interfered. */
    private List<List<Result>> write(List<Pending> batch) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                List<List<Result>> results = attempt(batch);
                if (results != null) {
                    return results;
                }
            } catch (SQLException e) {
                if (!isTransient(e) || attempt >= ATTEMPTS) {
                    throw e;
                }
                log.debug("append batch retried after {}", e.getSQLState());
            }
            if (attempt >= ATTEMPTS) {
                throw new SQLException("append batch still conflicting after " + ATTEMPTS + " attempts", "40001");
            }
        }
    }

    /** Returns null when the batch lost a race with another instance and must be decided again. */
    private List<List<Result>> attempt(List<Pending> batch) throws SQLException {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS); // timestamptz precision
        long started = System.nanoTime();
        Connection connection = connection();
        Set<UUID> insertedUsers = new HashSet<>();
        try {
            BatchState state = Conversations.load(connection, batch);
            List<List<Result>> results = new ArrayList<>(batch.size());
            List<EventLog.Appended> appended = new ArrayList<>();
            List<Delivery.Live> live = new ArrayList<>();
            for (Pending call : batch) {
                List<Result> callResults = new ArrayList<>(call.submissions().size());
                for (Submission submission : call.submissions()) {
                    callResults.add(decide(call.caller(), submission, state, at, appended, live));
                }
                results.add(callResults);
            }
            List<String> notifications = notifications(appended, live);
            if (!appended.isEmpty()) {
                if (!Conversations.write(connection, state, at, storedUsers, insertedUsers) || !EventLog.claim(connection, appended, at)) {
                    connection.rollback();
                    return null;
                }
                EventLog.append(connection, appended, at, notifications); // the position lock: last, then commit
            } else if (!notifications.isEmpty()) {
                EventLog.notify(connection, notifications);
            }
            connection.commit();
            rememberStoredUsers(insertedUsers);
            commit.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            batchSize.record(batch.stream().mapToInt(p -> p.submissions().size()).sum());
            eventsAppended.increment(appended.size());
            feedRowsWritten.increment(appended.stream().mapToInt(a -> a.stored().recipients().size()).sum());
            return results;
        } catch (SQLException | RuntimeException e) {
            discardIfBroken(connection);
            throw e;
        }
    }

    /**
     * The writer's own connection, kept from batch to batch (one writer thread): its session
     * settings are made once, and no batch pays for a pool checkout.
     */
    private Connection connection() throws SQLException {
        if (writerConnection == null) {
            Connection connection = dataSource.getConnection();
            try (Statement settings = connection.createStatement()) {
                settings.execute(sessionSettings);
            }
            connection.setAutoCommit(false);
            writerConnection = connection;
        }
        return writerConnection;
    }

    /** After a failed batch: roll back; a connection that is no longer usable is replaced next time. */
    private void discardIfBroken(Connection connection) {
        try {
            connection.rollback();
            if (connection.isValid(1)) {
                return;
            }
        } catch (SQLException e) {
            // broken: replaced below
        }
        closeWriterConnection();
    }

    private void closeWriterConnection() {
        if (writerConnection != null) {
            try {
                writerConnection.close();
            } catch (SQLException e) {
                log.debug("closing the writer connection: {}", e.getMessage());
            }
            writerConnection = null;
        }
    }

    /** Users are never deleted, so a committed user row needs no insert again (bounded memory). */
    private void rememberStoredUsers(Set<UUID> committed) {
        if (storedUsers.size() + committed.size() > STORED_USERS_CACHE) {
            storedUsers.clear();
        }
        storedUsers.addAll(committed);
    }

    /** One wake-up for every recipient of the batch's stored events, then the transitory events. */
    private static List<String> notifications(List<EventLog.Appended> appended, List<Delivery.Live> live) {
        List<String> notifications = new ArrayList<>();
        if (!appended.isEmpty()) {
            Set<UUID> recipients = new HashSet<>();
            appended.forEach(a -> recipients.addAll(a.stored().recipients()));
            notifications.add(Notifications.wake(recipients, System.currentTimeMillis()));
        }
        for (Delivery.Live event : live) {
            notifications.addAll(Notifications.transitory(event.delivered(), event.recipients()));
        }
        return notifications;
    }

    private Result decide(UUID caller, Submission submission, BatchState state, Instant at,
                          List<EventLog.Appended> appended, List<Delivery.Live> live) {
        Outcome outcome = decider.decide(caller, submission, state);
        if (outcome instanceof Outcome.Refuse refuse) {
            return new Result.Refused(submission.clientUuid(), refuse.rejection());
        }
        if (outcome instanceof Outcome.Duplicate duplicate) {
            var original = duplicate.original();
            return new Result.Accepted(submission.clientUuid(), original.eventUuid(), original.storedAt(), true,
                    original.messageUuid(), false);
        }
        if (outcome instanceof Outcome.Live typing) {
            Submission.Transitory transitory = (Submission.Transitory) submission;
            live.add(Delivery.typing(caller, typing.command(), state, at));
            return new Result.Accepted(submission.clientUuid(), transitory.eventUuid(), null, false, null, true);
        }
        Submission.Storable storable = (Submission.Storable) submission;
        var command = ((Outcome.Accept) outcome).command();
        Delivery.Stored stored = Delivery.of(caller, storable.eventUuid(), command, state, at);
        state.apply(caller, command, stored, storable.contentHash(), at);
        appended.add(new EventLog.Appended(caller, storable.contentHash(), stored));
        return new Result.Accepted(submission.clientUuid(), storable.eventUuid(), at, false, stored.messageUuid(), false);
    }

    /** Serialization failures and deadlocks: the transaction can simply run again. */
    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }
}
