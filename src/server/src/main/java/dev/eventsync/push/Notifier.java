package dev.eventsync.push;

import dev.eventsync.live.LiveHub;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The push notifier (API.md v1.1, PushService; DESIGN.md decision 14): one more reader of the log.
 * On the instance holding {@link NotifierLock} it reads the log after the stored position (woken
 * by the NOTIFY the follow streams use, and at least every {@code safety-poll}), hands each
 * event's notifications over — sent, dropped, or queued in {@link RetryQueue} — and only then
 * stores the position: at least once, in feed order per pusher. Nothing of it runs on the append
 * path. The other instances try the lock every third of {@code failover}.
 */
public final class Notifier implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final int BATCH = 200;
    /** Pushers served at once; each gateway is further bounded by eventsync.push.max-concurrent-per-gateway. */
    private static final int SENDING_THREADS = 32;
    private static final Duration GATHER = Duration.ofMillis(50);

    private final PushProperties properties;
    private final NotifierLock lock;
    private final LogTail tail;
    private final Audience audience;
    private final RetryQueue retries;
    private final Pushers pushers;
    private final GatewaySender sender;
    private final PushMetrics metrics;
    private final ExecutorService senders;
    private final ExecutorService http;
    private final CountsCoalescer counts;
    /** The pushers with a queue in push_retries: their new notifications go behind it. */
    private final Set<PusherKey> queued = ConcurrentHashMap.newKeySet();
    /**
     * How far this holder has read and handed over. The stored position can stay behind it (see
     * {@link #storable}); it is read again from the stored one whenever the lock is taken.
     */
    private long read;
    /**
     * When push_retries was last read. Only this holder adds to it, and {@link #queued} names the
     * pushers it queued, so the table is read each round only while one waits; otherwise every
     * safety-poll (in case a holder that lost the lock queued one on its way out).
     */
    private Instant retriesReadAt = Instant.MIN;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private volatile Thread thread;

    Notifier(PushProperties properties, NotifierLock lock, LogTail tail, Audience audience, RetryQueue retries,
             Pushers pushers, GatewayAllowlist allowlist, PushMetrics metrics, LiveHub hub) {
        this.properties = properties;
        this.lock = lock;
        this.tail = tail;
        this.audience = audience;
        this.retries = retries;
        this.pushers = pushers;
        this.metrics = metrics;
        // Chains (one per pusher) wait on their requests; the HttpClient's own tasks run apart, so
        // chains filling their pool can never starve the requests they wait for.
        this.senders = Executors.newFixedThreadPool(SENDING_THREADS, daemons("eventsync-push-"));
        this.http = Executors.newCachedThreadPool(daemons("eventsync-push-http-"));
        this.sender = new GatewaySender(allowlist, properties, http);
        this.counts = new CountsCoalescer(properties.countsInterval());
        hub.onCommit(this::wake);
    }

    /** Whether this instance holds the notifier now. */
    public boolean holding() {
        return lock.held();
    }

    @Override
    public void start() {
        running = true;
        Thread loop = new Thread(this::run, "eventsync-push");
        loop.setDaemon(true);
        thread = loop;
        loop.start();
    }

    @Override
    public void stop() {
        running = false;
        wake();
        Thread loop = thread;
        if (loop != null) {
            loop.interrupt(); // a send in flight is abandoned: its event was not stored as handed over
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
        lock.close();
        metrics.holding(false);
        senders.shutdownNow();
        http.shutdownNow();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger threads = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    private void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        Duration lockRetry = properties.failover().dividedBy(3);
        Instant lastCheck = Instant.now();
        while (running) {
            try {
                if (!lock.held()) {
                    if (!lock.tryHold()) {
                        await(Instant.now().plus(lockRetry));
                        continue;
                    }
                    queued.clear();
                    queued.addAll(retries.pushers());
                    retriesReadAt = Instant.MIN;
                    read = tail.position();
                    counts.forgetHeld(); // the markers after the stored position are read again
                    metrics.holding(true);
                    lastCheck = Instant.now();
                    log.info("this instance holds the push notifier now");
                } else if (Instant.now().isAfter(lastCheck.plus(lockRetry))) {
                    lastCheck = Instant.now();
                    if (!lock.stillHeld()) {
                        metrics.holding(false);
                        log.warn("the push notifier's lock was lost with its connection; trying to take it again");
                        continue;
                    }
                }
                if (!step()) {
                    await(nextWake(lockRetry));
                    gather();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("push notifier: {}; trying again in {}", e.toString(), lockRetry);
                    try {
                        await(Instant.now().plus(lockRetry));
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    /** One round; true when there may be more to read at once. */
    private boolean step() throws SQLException, InterruptedException {
        synchronized (signal) {
            woken = false;
        }
        LogTail.Batch batch = tail.next(read);
        deliver(notificationsOf(batch.entries()));
        read = batch.upTo();
        tail.store(storable());
        List<Notification> badges = new ArrayList<>();
        for (UUID user : counts.takeDue(Instant.now())) {
            long unread = audience.unread(user);
            for (PushTarget target : audience.pushersOf(user)) {
                badges.add(new Notification(target, MatrixPayload.countsOnly(target, unread), null, Instant.now()));
            }
        }
        deliver(badges);
        if (!badges.isEmpty()) {
            tail.store(storable());
        }
        if (!queued.isEmpty() || Instant.now().isAfter(retriesReadAt.plus(properties.safetyPoll()))) {
            retriesReadAt = Instant.now();
            retryDue();
            long pending = retries.count();
            metrics.pending(pending);
            if (pending > 0 && queued.isEmpty()) {
                queued.addAll(retries.pushers()); // queued by an earlier holder that had not let go yet
            }
        }
        return batch.entries().size() == BATCH;
    }

    /**
     * The position that may be stored: what was read and handed over, but never past a read marker
     * whose counts-only notification is still held in memory, so that a successor (after a crash or
     * a takeover) reads that marker again and sends the badge. The new messages it reads again on
     * the way are sent again, with the same event_id (at least once).
     */
    private long storable() {
        Long held = counts.heldFrom();
        return held == null ? read : Math.min(read, held - 1);
    }

    /**
     * The batch's notifications in log order. The audience of all its messages is read at once,
     * and each user's unread count once per batch (both are current state, read as the notifier
     * reaches the batch).
     */
    private List<Notification> notificationsOf(List<LogTail.Entry> entries) throws SQLException {
        for (LogTail.Entry entry : entries) {
            if (entry.kind().equals("read_new_message")) {
                counts.markerMoved(entry.author(), entry.position(), Instant.now());
            }
        }
        List<Notification> notifications = new ArrayList<>();
        Map<UUID, Long> unread = new HashMap<>();
        for (Audience.NewMessage message : audience.newMessages(entries)) {
            NewMessageFacts facts = message.facts();
            for (WhoGetsWhat.Addressed addressed : WhoGetsWhat.ofNewMessage(facts.author(), facts.mentioned(), message.candidates())) {
                PushTarget target = addressed.target();
                Long count = unread.get(target.user());
                if (count == null) {
                    count = audience.unread(target.user());
                    unread.put(target.user(), count);
                }
                notifications.add(new Notification(target, MatrixPayload.newMessage(target, facts, addressed.mentioned(), count),
                        facts.eventUuid(), facts.storedAt()));
            }
        }
        return notifications;
    }

    /** Each pusher's notifications in order, different pushers at once; returns when all are handed over. */
    private void deliver(List<Notification> notifications) throws SQLException, InterruptedException {
        Map<PusherKey, List<Notification>> byPusher = new LinkedHashMap<>();
        notifications.forEach(n -> byPusher.computeIfAbsent(n.target().key(), k -> new ArrayList<>()).add(n));
        List<Callable<Void>> chains = new ArrayList<>();
        byPusher.values().forEach(chain -> chains.add(() -> {
            for (Notification notification : chain) {
                handOver(notification);
            }
            return null;
        }));
        await(chains);
    }

    private void handOver(Notification notification) throws SQLException, InterruptedException {
        PusherKey key = notification.target().key();
        Instant now = Instant.now();
        if (queued.contains(key)) {
            retries.enqueue(notification, now, now, 0); // behind the pending one: feed order per pusher
            return;
        }
        GatewaySender.Result result = sender.send(notification);
        if (settled(notification, result)) {
            return;
        }
        retries.enqueue(notification, now, now.plus(properties.initialBackoff()), 1);
        queued.add(key);
        metrics.retried.increment();
    }

    /** Sends the queues' heads that are due, each queue in order until it is empty or waits again. */
    private void retryDue() throws SQLException, InterruptedException {
        List<Callable<Void>> chains = new ArrayList<>();
        for (RetryQueue.Pending head : retries.dueHeads()) {
            chains.add(() -> {
                drain(head);
                return null;
            });
        }
        await(chains);
    }

    private void drain(RetryQueue.Pending head) throws SQLException, InterruptedException {
        PusherKey key = head.notification().target().key();
        RetryQueue.Pending pending = head;
        while (pending != null && !pending.nextAttemptAt().isAfter(Instant.now())) {
            Instant now = Instant.now();
            if (!pending.registered() || now.isAfter(pending.firstFailedAt().plus(properties.retryFor()))) {
                retries.delete(pending.id()); // given up, or its pusher is no longer this user's
                metrics.failed.increment();
            } else {
                GatewaySender.Result result = sender.send(pending.notification());
                if (!settled(pending.notification(), result)) {
                    int attempts = pending.attempts() + 1;
                    retries.reschedule(pending.id(), Instant.now().plus(backoff(attempts)), attempts);
                    metrics.retried.increment();
                    return;
                }
                retries.delete(pending.id());
            }
            pending = retries.headOf(key);
        }
        if (pending == null) {
            queued.remove(key);
        }
    }

    /** Delay before the next attempt after {@code attempts} failures: from initial-backoff, doubling, at most max-backoff. */
    Duration backoff(int attempts) {
        Duration delay = properties.initialBackoff();
        for (int i = 1; i < attempts && delay.compareTo(properties.maxBackoff()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(properties.maxBackoff()) > 0 ? properties.maxBackoff() : delay;
    }

    /** True when the result ends the notification's life (delivered or dropped); false: retry it. */
    private boolean settled(Notification notification, GatewaySender.Result result) throws SQLException {
        switch (result.outcome()) {
            case DELIVERED -> {
                metrics.delivered(notification.storedAt(), Instant.now());
                if (!result.rejected().isEmpty()) {
                    String appId = notification.target().key().appId();
                    // what still waits for them in push_retries is dropped when its turn comes: no pusher, no send
                    pushers.deleteRejected(appId, result.rejected());
                }
                return true;
            }
            case DROPPED, NOT_ALLOWED -> {
                metrics.failed.increment();
                log.info("push notification to {} dropped: {}", notification.target().gatewayUrl(), result.detail());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void await(List<Callable<Void>> chains) throws SQLException, InterruptedException {
        List<Future<Void>> futures = new ArrayList<>();
        for (Callable<Void> chain : chains) {
            futures.add(senders.submit(chain));
        }
        try {
            for (Future<Void> future : futures) {
                future.get();
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    private Instant nextWake(Duration lockRetry) throws SQLException {
        Instant wake = Instant.now().plus(properties.safetyPoll().compareTo(lockRetry) < 0 ? properties.safetyPoll() : lockRetry);
        for (Instant due : new Instant[] {queued.isEmpty() ? null : retries.nextAttempt(), counts.nextDue()}) {
            if (due != null && due.isBefore(wake)) {
                wake = due;
            }
        }
        return wake;
    }

    /**
     * Lets the commits of the next {@link #GATHER} arrive before reading them: under load the
     * notifier reads the log in a few larger batches instead of one small batch per commit (each
     * read, audience query and position store is a round trip), for at most that much latency.
     */
    private void gather() throws InterruptedException {
        if (running) {
            Thread.sleep(GATHER.toMillis());
        }
    }

    private void await(Instant until) throws InterruptedException {
        synchronized (signal) {
            while (!woken && running) {
                long millis = Duration.between(Instant.now(), until).toMillis();
                if (millis <= 0) {
                    return;
                }
                signal.wait(millis);
            }
        }
    }
}
