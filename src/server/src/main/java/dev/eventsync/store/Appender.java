package dev.eventsync.store;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Decider;
import dev.eventsync.events.Delivery;
import dev.eventsync.events.KnownEvent;
import dev.eventsync.events.Outcome;
import dev.eventsync.events.Result;
import dev.eventsync.events.Submission;
import dev.eventsync.live.Notifications;
import io.grpc.Context;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Group commit: Sync calls put their parsed events on a queue; a writer thread takes what is
 * waiting (up to {@code max-batch-events}), decides and writes it in one transaction, commits,
 * and only then completes every call of the batch. So a call's Accepted results always mean
 * "committed", and latency stays about one commit however many calls arrive together.
 *
 * <p>There are {@code writers} such lanes, each with its own queue, thread and connection, so one
 * lane's batch is read and decided while another's commits: only the position lock, taken last,
 * serialises them, and position order stays commit order (DESIGN.md decision 1). A call goes to
 * the lane of its first conversation (of its caller when it names none): the batches of one
 * conversation stay in one lane, so they do not queue on each other's conversation locks, and a
 * client's calls to one conversation keep their arrival order. Whatever lanes share is guarded
 * by the database's row locks, exactly as between two instances.
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
    private final MediaEraser mediaEraser;
    private final StoreProperties properties;
    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final String sessionSettings;
    private final Counter eventsAppended;
    private final Counter feedRowsWritten;
    private final DistributionSummary batchSize;
    private final Timer commit;
    private final Counter callsSkipped;
    private final Map<Failures.Kind, Counter> failures = new EnumMap<>(Failures.Kind.class);
    private ExecutorService completions;
    /** Users known to have a committed row, shared by the lanes. */
    private final Set<UUID> storedUsers = ConcurrentHashMap.newKeySet();
    private volatile boolean accepting;
    private volatile boolean running;

    /** Without media erasure (store tests): media of deleted messages stay 'erasing' for the lifecycle job. */
    public Appender(DataSource dataSource, Decider decider, StoreProperties properties, MeterRegistry meters) {
        this(dataSource, decider, properties, meters, MediaEraser.NONE);
    }

    @Autowired
    public Appender(DataSource dataSource, Decider decider, StoreProperties properties, MeterRegistry meters,
                    MediaEraser mediaEraser) {
        this.mediaEraser = mediaEraser;
        this.dataSource = dataSource;
        this.decider = decider;
        this.properties = properties;
        int laneCapacity = Math.max(1, properties.queueCapacity() / properties.writers());
        for (int i = 0; i < properties.writers(); i++) {
            lanes.add(new Lane(i, laneCapacity));
        }
        this.sessionSettings = "set lock_timeout = '" + properties.lockTimeout().toMillis() + "ms'";
        this.eventsAppended = meters.counter("eventsync.events.appended");
        this.feedRowsWritten = meters.counter("eventsync.feed.rows.written");
        this.batchSize = DistributionSummary.builder("eventsync.append.batch.events")
                .description("submitted events decided in one group-commit transaction").register(meters);
        this.commit = Timer.builder("eventsync.append.commit")
                .description("one group-commit transaction, from its first statement to its commit").register(meters);
        Gauge.builder("eventsync.append.queue.calls", lanes, Appender::queuedCalls).register(meters);
        Gauge.builder("eventsync.append.queue.bytes", queuedBytes, AtomicLong::get).register(meters);
        this.callsSkipped = Counter.builder("eventsync.append.calls.skipped")
                .description("calls whose client was gone before their batch was written").register(meters);
        for (Failures.Kind kind : Failures.Kind.values()) {
            failures.put(kind, Counter.builder("eventsync.append.batch.failures").tag("kind", kind.name())
                    .description("transactions of the append writer that failed, by the kind of failure").register(meters));
        }
    }

    /**
     * Queues one call's events; {@code requestBytes} is the serialized size of its request. The
     * future completes after the batch holding them committed (or failed: then nothing of the
     * call was written). A full queue, in calls or in bytes, refuses the call at once.
     */
    public CompletableFuture<List<Result>> submit(UUID caller, List<Submission> submissions, int requestBytes) {
        CompletableFuture<List<Result>> results = new CompletableFuture<>();
        if (submissions.isEmpty()) {
            results.complete(List.of());
            return results;
        }
        if (!accepting) {
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the server is shutting down; retry on another instance");
        }
        if (!reserve(requestBytes)) {
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the append queue is full (" + queuedBytes.get()
                    + " bytes waiting, eventsync.store.max-queue-bytes " + properties.maxQueueBytes() + "); retry with backoff");
        }
        Lane lane = lanes.get(laneOf(laneKey(caller, submissions), lanes.size()));
        if (!lane.queue.offer(new Pending(caller, List.copyOf(submissions), requestBytes, Context.current(), results))) {
            queuedBytes.addAndGet(-requestBytes);
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the append queue is full ("
                    + lane.capacity + " calls waiting in its lane, eventsync.store.queue-capacity "
                    + properties.queueCapacity() + " over " + lanes.size() + " writers); retry with backoff");
        }
        return results;
    }

    /** The call's first conversation, or its caller when it names none (profile events, blocks). */
    static UUID laneKey(UUID caller, List<Submission> submissions) {
        for (Submission submission : submissions) {
            UUID conversation = null;
            if (submission instanceof Submission.Transitory t) {
                conversation = t.command().conversation();
            } else if (submission instanceof Submission.Storable s) {
                conversation = s.createsConversation() != null ? s.createsConversation()
                        : s.command() != null ? s.command().conversation() : null;
            }
            if (conversation != null) {
                return conversation;
            }
        }
        return caller;
    }

    static int laneOf(UUID key, int lanes) {
        return Math.floorMod(key.hashCode(), lanes);
    }

    private static double queuedCalls(List<Lane> lanes) {
        return lanes.stream().mapToInt(lane -> lane.queue.size()).sum();
    }

    /** Counts a call's bytes into the queue unless they would exceed the bound (an empty queue takes any call). */
    private boolean reserve(int bytes) {
        long max = properties.maxQueueBytes().toBytes();
        while (true) {
            long queued = queuedBytes.get();
            if (queued > 0 && queued + bytes > max) {
                return false;
            }
            if (queuedBytes.compareAndSet(queued, queued + bytes)) {
                return true;
            }
        }
    }

    @Override
    public void start() {
        completions = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "eventsync-append-results");
            thread.setDaemon(true);
            return thread;
        });
        accepting = true;
        lanes.forEach(Lane::start);
        running = true;
    }

    /**
     * Stops taking calls and writes what is queued, waiting at most {@code stop-timeout} in all;
     * what is still queued then is answered UNAVAILABLE (nothing of it was written).
     */
    @Override
    public void stop() {
        accepting = false;
        if (running) {
            long deadline = System.nanoTime() + properties.stopTimeout().toNanos();
            for (Lane lane : lanes) {
                lane.join(deadline);
            }
            lanes.forEach(Lane::failQueued);
            completions.shutdown();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the gRPC server (which stops with a grace period for in-flight calls). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }

    private static CallRejected shuttingDown() {
        return new CallRejected(CallRejected.Problem.UNAVAILABLE, "the server is shutting down; retry on another instance");
    }

    private void callFault(Pending call, Throwable cause) {
        log.error("append: a call of user {} failed while being decided or written (a bug); it alone is answered INTERNAL",
                call.caller(), cause);
        fail(call, new Failures.CallFault(cause));
    }

    /**
     * Answers a committed batch. When it erased media, their bytes are erased first, off the
     * writer thread, so a delete is acknowledged only once its media is gone.
     */
    private void answerAll(List<Pending> calls, List<List<Result>> results, Set<UUID> erased) {
        if (erased.isEmpty()) {
            for (int i = 0; i < calls.size(); i++) {
                answer(calls.get(i), results.get(i));
            }
            return;
        }
        completeOffWriter(() -> {
            mediaEraser.eraseNow(erased);
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).results().complete(results.get(i));
            }
        });
    }

    /** Completes a call off the writer thread: a slow completion callback must never stall the writer. */
    private void answer(Pending call, List<Result> results) {
        completeOffWriter(() -> call.results().complete(results));
    }

    private void fail(Pending call, Throwable failure) {
        completeOffWriter(() -> call.results().completeExceptionally(failure));
    }

    private void completeOffWriter(Runnable completion) {
        try {
            completions.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run(); // stopped: the writer's last answers after stop() gave up waiting
        }
    }

    private static BatchState load(Connection connection, List<Pending> batch) throws SQLException {
        Needs needs = Needs.of(batch);
        ConversationState conversations = Conversations.load(connection, needs); // first: it takes the locks
        Map<UUID, KnownEvent> known = needs.eventUuids.isEmpty()
                ? new HashMap<>() : EventLog.knownEvents(connection, needs.eventUuids);
        return new BatchState(known, conversations, Messages.load(connection, needs), Preferences.load(connection, needs),
                MediaRefs.load(connection, needs.media)); // after the conversation locks, like every row lock of a batch
    }

    /**
     * Deletes of this batch: the stored events of each deleted message are redacted in place,
     * and its events appended in this same batch are stored redacted, so the text is never written.
     */
    private static List<EventLog.Appended> erase(Connection connection, Set<UUID> erased, List<EventLog.Appended> appended)
            throws SQLException {
        if (erased.isEmpty()) {
            return appended;
        }
        Set<UUID> stored = new HashSet<>(erased);
        List<EventLog.Appended> result = new ArrayList<>(appended.size());
        for (EventLog.Appended event : appended) {
            boolean redact = erased.contains(event.stored().eventUuid());
            stored.remove(event.stored().eventUuid());
            result.add(redact ? event.redact() : event);
        }
        if (!stored.isEmpty()) {
            EventLog.redact(connection, stored);
        }
        return result;
    }

    /** A batch that failed as a whole, with the kind of its failure (null cause: conflicts never settled). */
    private static final class BatchFailure extends Exception {
        final Failures.Kind kind;

        BatchFailure(Failures.Kind kind, Throwable cause) {
            super(null, cause, false, false);
            this.kind = kind;
        }
    }

    /** A RuntimeException while deciding the call at index {@code call} of the batch. */
    private static final class DecideFault extends Exception {
        final int call;

        DecideFault(int call, RuntimeException cause) {
            super(null, cause, false, false);
            this.call = call;
        }
    }

    /** Users are never deleted, so a committed user row needs no insert again (bounded memory). */
    private void rememberStoredUsers(Set<UUID> committed) {
        if (storedUsers.size() + committed.size() > STORED_USERS_CACHE) {
            storedUsers.clear();
        }
        storedUsers.addAll(committed);
    }

    /** One wake-up for every recipient of the batch's stored events (none when it stored nothing). */
    private static Notifications.WakeText wakeUp(List<EventLog.Appended> appended) {
        Set<UUID> recipients = new HashSet<>();
        appended.forEach(a -> recipients.addAll(a.stored().recipients()));
        return Notifications.wake(recipients, System.currentTimeMillis());
    }

    /** The batch's transitory events, to their recipients. */
    private static List<String> transitory(List<Delivery.Live> live) {
        List<String> notifications = new ArrayList<>();
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
        appended.add(new EventLog.Appended(caller, storable.contentHash(), stored, false));
        return new Result.Accepted(submission.clientUuid(), storable.eventUuid(), at, false, stored.messageUuid(), false);
    }

    /** One writer: its queue, its thread, its connection. */
    private final class Lane {

        final int capacity;
        final BlockingQueue<Pending> queue;
        private final String name;
        // Owned by the lane's thread.
        private Connection writerConnection;
        /** The media the last committed batch marked 'erasing' (a batch's attempts overwrite it). */
        private Set<UUID> erasing = Set.of();
        private Thread thread;

        Lane(int index, int capacity) {
            this.capacity = capacity;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.name = "eventsync-appender-" + index;
        }

        void start() {
            thread = new Thread(this::run, name);
            // stop() waits for it (bounded); a writer stuck in the database must not keep the JVM alive.
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the lane's thread until the deadline ({@link System#nanoTime()}). */
        void join(long deadline) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("append writer {} still busy after eventsync.store.stop-timeout {}; answering {} queued calls UNAVAILABLE",
                        name, properties.stopTimeout(), queue.size());
            }
        }

        /** Takes a call off the queue (the stop drains it too, so never assume one consumer). */
        private Pending take(long timeoutMillis) throws InterruptedException {
            Pending call = timeoutMillis > 0 ? queue.poll(timeoutMillis, TimeUnit.MILLISECONDS) : queue.poll();
            if (call != null) {
                queuedBytes.addAndGet(-call.bytes());
            }
            return call;
        }

        private void run() {
            Pending carried = null; // taken from the queue but too large for the batch it was taken for
            while (true) {
                List<Pending> batch = new ArrayList<>();
                try {
                    Pending first = carried != null ? carried : take(100);
                    carried = null;
                    if (first == null) {
                        if (!accepting && queue.isEmpty()) {
                            break;
                        }
                        continue;
                    }
                    batch.add(first);
                    int events = first.submissions().size();
                    long bytes = first.bytes();
                    Pending next;
                    while ((next = take(0)) != null) {
                        if (events + next.submissions().size() > properties.maxBatchEvents()
                                || bytes + next.bytes() > properties.maxBatchBytes().toBytes()) {
                            carried = next;
                            break;
                        }
                        batch.add(next);
                        events += next.submissions().size();
                        bytes += next.bytes();
                    }
                    writeBatch(batch);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException e) {
                    log.error("append writer {}: unexpected failure, failing the batch", name, e);
                    batch.forEach(call -> fail(call, new Failures.CallFault(e)));
                }
            }
            if (carried != null) {
                fail(carried, shuttingDown());
            }
            closeWriterConnection();
            // A call queued just as the writer stopped (submit checked `accepting` before stop()
            // flipped it) is answered now, not left hanging: nothing of it was written.
            failQueued();
        }

        void failQueued() {
            try {
                Pending late;
                while ((late = take(0)) != null) {
                    fail(late, shuttingDown());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        /** Skips the calls whose client is gone (nothing of them is written), then writes the rest. */
        private void writeBatch(List<Pending> batch) {
            List<Pending> live = new ArrayList<>(batch.size());
            for (Pending call : batch) {
                if (call.context().isCancelled()) {
                    callsSkipped.increment();
                    fail(call, new CallRejected(CallRejected.Problem.UNAVAILABLE, "the call was cancelled before it was written"));
                } else {
                    live.add(call);
                }
            }
            writeIsolating(live);
        }
        /**
         * Writes calls in one transaction and answers each by the failure's kind (DESIGN.md decision
         * 10). An outage answers all of them UNAVAILABLE at once. A call that failed while being
         * decided is known: it alone gets INTERNAL and the others are decided again without it. A
         * fault in the batched SQL writes names no call, so the batch is bisected: each half is
         * written in its own transaction (the earlier half first, keeping arrival order), which finds
         * one bad call among N in about 2 log2 N transactions. Only a failing batch pays for that;
         * per-call savepoints would cost every batch on the happy path.
         */
        private void writeIsolating(List<Pending> calls) {
            List<Pending> remaining = new ArrayList<>(calls);
            while (!remaining.isEmpty()) {
                try {
                    List<List<Result>> results = write(remaining);
                    answerAll(List.copyOf(remaining), results, erasing);
                    return;
                } catch (DecideFault fault) {
                    callFault(remaining.remove(fault.call), fault.getCause());
                } catch (BatchFailure failure) {
                    failures.get(failure.kind).increment();
                    if (failure.kind != Failures.Kind.CALL_FAULT) {
                        log.warn("append batch of {} calls failed, the database is unavailable ({}): {}", remaining.size(),
                                failure.kind, failure.getCause() == null ? "still conflicting" : failure.getCause().toString());
                        CallRejected unavailable = new CallRejected(CallRejected.Problem.UNAVAILABLE,
                                "the database is unavailable; nothing of this call was acknowledged, retry");
                        remaining.forEach(call -> fail(call, unavailable));
                    } else if (remaining.size() == 1) {
                        callFault(remaining.get(0), failure.getCause());
                    } else {
                        int half = remaining.size() / 2;
                        writeIsolating(remaining.subList(0, half));
                        writeIsolating(remaining.subList(half, remaining.size()));
                    }
                    return;
                }
            }
        }
        /** Decides and writes one batch in one transaction, retrying when a concurrent batch interfered. */
        private List<List<Result>> write(List<Pending> batch) throws BatchFailure, DecideFault {
            for (int attempt = 1; ; attempt++) {
                Throwable failure = null;
                Failures.Kind kind = Failures.Kind.CONFLICT;
                try {
                    List<List<Result>> results = attempt(batch);
                    if (results != null) {
                        return results;
                    }
                } catch (SQLException | RuntimeException e) {
                    failure = e;
                    kind = Failures.classify(e);
                }
                if (kind != Failures.Kind.CONFLICT || attempt >= ATTEMPTS) {
                    throw new BatchFailure(kind, failure);
                }
                log.debug("append batch retried after {}", failure == null ? "a lost race" : failure.toString());
            }
        }
        /** Returns null when the batch lost a race with another instance and must be decided again. */
        private List<List<Result>> attempt(List<Pending> batch) throws SQLException, DecideFault {
            Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS); // timestamptz precision
            long started = System.nanoTime();
            Connection connection = connection();
            Set<UUID> insertedUsers = new HashSet<>();
            Set<UUID> erasedMedia = Set.of();
            try {
                BatchState state = load(connection, batch);
                List<List<Result>> results = new ArrayList<>(batch.size());
                List<EventLog.Appended> appended = new ArrayList<>();
                List<Delivery.Live> live = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    Pending call = batch.get(i);
                    List<Result> callResults = new ArrayList<>(call.submissions().size());
                    try {
                        for (Submission submission : call.submissions()) {
                            callResults.add(decide(call.caller(), submission, state, at, appended, live));
                        }
                    } catch (StateReadFailure e) {
                        throw e.getCause(); // a database failure of the batch, classified as such
                    } catch (RuntimeException e) {
                        throw new DecideFault(i, e);
                    }
                    results.add(callResults);
                }
                List<String> transitory = transitory(live);
                if (!appended.isEmpty()) {
                    if (!Conversations.write(connection, state, at, storedUsers, insertedUsers)) {
                        connection.rollback();
                        return null;
                    }
                    Messages.write(connection, state.messages, at);
                    erasedMedia = MediaRefs.write(connection, state.media);
                    Preferences.write(connection, state.preferences);
                    appended = erase(connection, state.messages.erasedEvents, appended);
                    if (!EventLog.claim(connection, appended, at)) {
                        connection.rollback();
                        return null;
                    }
                    // the position lock: last, then commit
                    EventLog.append(connection, appended, at, wakeUp(appended), transitory);
                } else if (!transitory.isEmpty()) {
                    EventLog.notify(connection, transitory);
                }
                connection.commit();
                erasing = erasedMedia;
                rememberStoredUsers(insertedUsers);
                commit.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                batchSize.record(batch.stream().mapToInt(p -> p.submissions().size()).sum());
                eventsAppended.increment(appended.size());
                feedRowsWritten.increment(appended.stream().mapToInt(a -> a.stored().recipients().size()).sum());
                return results;
            } catch (SQLException | RuntimeException | DecideFault e) {
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
    }
}
