package dev.eventsync.feed;

import dev.eventsync.events.CallRejected;
import dev.eventsync.live.LiveHub;
import dev.eventsync.live.LiveProperties;
import dev.eventsync.live.Presence;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.stereotype.Component;

/**
 * Starts SyncFromServer streams and owns the threads that feed them. Follow streams are
 * registered with the {@link LiveHub} (wake-ups, transitory events) and with {@link Presence}
 * (a user's first stream on this instance makes them online; their last makes them offline).
 */
@Component
public class FeedStreams implements DisposableBean, FeedStream.Owner {

    private static final Logger log = LoggerFactory.getLogger(FeedStreams.class);

    private final FeedReader reader;
    private final FeedProperties properties;
    private final LiveHub hub;
    private final Presence presence;
    private final LiveProperties live;
    private final ExecutorService readers;
    private final ScheduledExecutorService timer;
    private final ByteBudget budget;
    /** SyncFromServer streams open on this instance, by user. */
    private final ConcurrentHashMap<UUID, Integer> streamsOf = new ConcurrentHashMap<>();
    private final LongAdder resets = new LongAdder();
    private volatile boolean closing;

    /**
     * A context the call runs in, set by the API layer for every SyncFromServer call: cancelling
     * it with a {@code TimeoutException} resets the HTTP/2 stream, which frees what the transport
     * holds for a client that does not read (absent outside a gRPC server call).
     */
    public static final Context.Key<Context.CancellableContext> CALL = Context.key("eventsync-call");

    public FeedStreams(FeedReader reader, FeedProperties properties, LiveHub hub, Presence presence, LiveProperties live,
                       MeterRegistry meters) {
        this.reader = reader;
        this.properties = properties;
        this.hub = hub;
        this.presence = presence;
        this.live = live;
        this.readers = Executors.newFixedThreadPool(properties.readerThreads(), named("eventsync-feed-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("eventsync-feed-timer-"));
        this.budget = new ByteBudget(properties.memoryBudget().toBytes());
        Gauge.builder("eventsync.feed.memory.available", budget, ByteBudget::available).baseUnit("bytes")
                .description("bytes of the SyncFromServer memory budget (eventsync.feed.memory-budget) free now").register(meters);
        Gauge.builder("eventsync.feed.streams.reset", resets, LongAdder::sum)
                .description("SyncFromServer streams reset because their client did not read while others waited for memory")
                .register(meters);
        // Streams waiting for memory ask the holders to give back; ask again while they wait, as
        // stalled holders pass the stall timeout.
        timer.scheduleWithFixedDelay(budget::pressure, 1, 1, TimeUnit.SECONDS);
        Gauge.builder("eventsync.follow.streams", hub, LiveHub::openStreams)
                .description("open SyncFromServer(follow = true) streams on this instance").register(meters);
        Gauge.builder("eventsync.feed.rows.read", reader, FeedReader::rowsRead)
                .description("feed rows read by SyncFromServer streams since start").register(meters);
        FunctionCounter.builder("eventsync.live.wakeups.lost", hub, LiveHub::lostWakeups)
                .description("safety polls that found a wake-up lost (a commit not announced) and woke every follow stream")
                .register(meters);
        FunctionCounter.builder("eventsync.live.streams.rewoken", hub, LiveHub::streamsRewoken)
                .description("follow streams the safety poll woke again: a wake-up reached them and no read followed")
                .register(meters);
        long poll = live.safetyPoll().toMillis();
        // The safety net: a lost notification delays an event by at most two polls.
        timer.scheduleWithFixedDelay(this::safetyPoll, poll, poll, TimeUnit.MILLISECONDS);
    }

    /** One read of the log head; the hub wakes every stream only if a wake-up was lost. */
    private void safetyPoll() {
        long head;
        try {
            head = reader.head();
        } catch (RuntimeException databaseDown) {
            // The listener reconnects and wakes every stream once the database is back.
            log.debug("safety poll: the log head could not be read ({})", databaseDown.getMessage());
            return;
        }
        hub.safetyPoll(head);
    }

    /**
     * Resolves the cursor (throwing {@link CallRejected} for a bad one, before anything is sent),
     * then starts streaming.
     */
    public void start(ServerCallStreamObserver<FeedMessage> call, UUID user, String cursor, boolean follow,
                      Function<Throwable, Throwable> errors) {
        if (closing) {
            throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "the server is shutting down: reconnect");
        }
        if (!admit(user)) {
            throw new CallRejected(CallRejected.Problem.TOO_LARGE, "you have " + properties.maxStreamsPerUser()
                    + " SyncFromServer streams open on this server, the most allowed (eventsync.feed.max-streams-per-user):"
                    + " close one first");
        }
        FeedStream stream;
        try {
            long position = reader.positionOf(user, cursor);
            long head = reader.head();
            stream = new FeedStream(call, reader, properties, readers, errors, this, user, follow, position,
                    cursor, head, live.transitoryBuffer(), budget, CALL.get());
        } catch (RuntimeException e) {
            leave(user);
            throw e;
        }
        // Handlers first: from register() on, a wake-up may arrive at any moment, and it must find
        // a stream that can be drained (and notice its client going away), not a half-built one.
        stream.attach();
        if (follow && hub.register(stream)) {
            presence.changed(user);
        }
        stream.start();
        if (closing) {
            stream.shutdown(); // shutdownAll() may have run between the check above and register()
        }
    }

    @Override
    public void ended(FeedStream stream) {
        leave(stream.user());
        if (stream.wasReset()) {
            resets.increment();
        }
        if (stream.follows() && hub.unregister(stream)) {
            presence.changed(stream.user());
        }
    }

    /** Streams reset since start because their client did not read while others waited for memory. */
    public long resets() {
        return resets.sum();
    }

    private boolean admit(UUID user) {
        boolean[] admitted = new boolean[1];
        streamsOf.compute(user, (id, open) -> {
            int count = open == null ? 0 : open;
            admitted[0] = count < properties.maxStreamsPerUser();
            return admitted[0] ? count + 1 : open;
        });
        return admitted[0];
    }

    private void leave(UUID user) {
        streamsOf.computeIfPresent(user, (id, open) -> open <= 1 ? null : open - 1);
    }

    @Override
    public List<UUID> onlineContacts(UUID user, UUID after, int limit) {
        return presence.onlineContacts(user, after, limit);
    }

    @Override
    public long announcedHead() {
        return hub.announcedHead();
    }

    /**
     * The gRPC server is about to stop: follow streams never end by themselves, so end them now
     * (UNAVAILABLE: reconnect with the cursor) and refuse new ones; in-flight Sync calls finish
     * within the grace period.
     */
    @EventListener(GrpcServerShutdownEvent.class)
    public void onShutdown() {
        closing = true;
        hub.shutdownAll();
    }

    /** Started again (a lifecycle restart, e.g. a paused test context resumed): accept streams. */
    @EventListener(GrpcServerStartedEvent.class)
    public void onStart() {
        closing = false;
    }

    @Override
    public void destroy() throws InterruptedException {
        closing = true;
        timer.shutdownNow();
        readers.shutdown();
        readers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
