package dev.eventsync.feed;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Delivery;
import dev.eventsync.live.LiveStream;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncCaughtUp;
import dev.eventsync.proto.v1.UserIsConnected;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One SyncFromServer call: streams the caller's feed after the cursor, page by page, as fast as
 * the client takes it (gRPC flow control: nothing is read while the transport is not ready, and
 * at most two pages are held: the one being sent and, while catching up, the next one read ahead), then one {@code sync_caught_up}; then completes, or with
 * {@code follow} stays open: a wake-up (NOTIFY) or the safety poll makes it read the feed again
 * from its position, so the catch-up and live parts are one sequence with no gap and no repeat.
 * Transitory events are interleaved once caught up, from a small bounded buffer; what does not
 * fit is dropped.
 *
 * <p>One drainer at a time (a StreamObserver is not thread-safe): every trigger (ready, wake-up,
 * transitory event, cancel, shutdown) schedules {@link #drain()} on the reader executor; a
 * trigger arriving while it runs makes it run once more.
 */
final class FeedStream implements LiveStream {

    /** What the stream needs from its owner when it is done. */
    interface Owner {
        /** Called once, by the drainer, when the stream ends for whatever reason. */
        void ended(FeedStream stream);

        /** The caller's contacts online now (for the presence list after catching up). */
        List<UUID> onlineContacts(UUID user);
    }

    private final ServerCallStreamObserver<Event> call;
    private final FeedReader reader;
    private final FeedProperties properties;
    private final Executor executor;
    private final Function<Throwable, Throwable> errors;
    private final Owner owner;
    private final UUID user;
    private final boolean follow;
    /** The feed is caught up once everything up to the log head at call start was sent. */
    private final long caughtUpAt;
    private final int transitoryCapacity;
    private final AtomicInteger pending = new AtomicInteger();
    private final ArrayDeque<FeedReader.Entry> page = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Event> transitory = new ConcurrentLinkedQueue<>();
    private final AtomicInteger transitoryCount = new AtomicInteger();
    private final ArrayDeque<Event> initialPresence = new ArrayDeque<>();
    private volatile boolean live;
    private volatile boolean stopping;
    private volatile boolean woken = true;

    // Owned by the drainer.
    private long position;
    private String lastEventUuid;
    private boolean caughtUp;
    private boolean pageReachedHead;
    private boolean finished;
    /** The next catch-up page, read while this one is being sent (null: none in flight). */
    private CompletableFuture<List<FeedReader.Entry>> readAhead;

    FeedStream(ServerCallStreamObserver<Event> call, FeedReader reader, FeedProperties properties, Executor executor,
               Function<Throwable, Throwable> errors, Owner owner, UUID user, boolean follow, long position,
               String cursor, long caughtUpAt, int transitoryCapacity) {
        this.call = call;
        this.reader = reader;
        this.properties = properties;
        this.executor = executor;
        this.errors = errors;
        this.owner = owner;
        this.user = user;
        this.follow = follow;
        this.position = position;
        this.lastEventUuid = cursor;
        this.caughtUpAt = caughtUpAt;
        this.transitoryCapacity = transitoryCapacity;
    }

    /** Must be called from the service method, before it returns (handlers are set there). */
    void start() {
        call.setOnReadyHandler(this::schedule);
        call.setOnCancelHandler(this::schedule); // the drainer sees isCancelled() and ends the stream
        schedule();
    }

    boolean follows() {
        return follow;
    }

    @Override
    public UUID user() {
        return user;
    }

    @Override
    public void wake() {
        woken = true;
        schedule();
    }

    @Override
    public void offer(Event event) {
        if (!live || stopping) {
            return; // still catching up (or ending): transitory events are dropped
        }
        if (transitoryCount.incrementAndGet() > transitoryCapacity) {
            transitoryCount.decrementAndGet(); // the client is not reading: drop rather than buffer
            return;
        }
        transitory.add(event);
        schedule();
    }

    @Override
    public void shutdown() {
        stopping = true;
        schedule();
    }

    private void schedule() {
        if (pending.getAndIncrement() == 0) {
            executor.execute(this::runDrains);
        }
    }

    private void runDrains() {
        int missed = 1;
        do {
            try {
                drain();
            } catch (CompletionException e) {
                finish(e.getCause()); // the read-ahead failed
            } catch (RuntimeException | InvalidProtocolBufferException e) {
                finish(e);
            }
            missed = pending.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drain() throws InvalidProtocolBufferException {
        if (finished) {
            return;
        }
        if (call.isCancelled()) {
            finish(null);
            return;
        }
        if (stopping) {
            finish(new CallRejected(CallRejected.Problem.UNAVAILABLE,
                    "the server is shutting down: reconnect (to another instance) with your cursor"));
            return;
        }
        while (call.isReady()) {
            Event next = initialPresence.poll();
            if (next == null) {
                next = transitory.poll();
                if (next != null) {
                    transitoryCount.decrementAndGet();
                }
            }
            if (next != null) {
                call.onNext(next);
                continue;
            }
            if (page.isEmpty() && !readPage()) {
                return;
            }
            if (page.isEmpty()) {
                continue; // just caught up: the presence list may be waiting
            }
            FeedReader.Entry entry = page.poll();
            Event event = Event.parseFrom(entry.body());
            call.onNext(event);
            position = entry.position();
            lastEventUuid = event.getUuid();
        }
    }

    /**
     * Refills the page, or sends sync_caught_up when the catch-up part is done. Returns false
     * when there is nothing to send until the next trigger (or the stream ended).
     */
    private boolean readPage() {
        if (!caughtUp && pageReachedHead) {
            catchUp();
            return !finished;
        }
        if (caughtUp && !woken) {
            return false; // following, nothing new was announced: wait for a wake-up
        }
        List<FeedReader.Entry> next;
        if (readAhead != null) {
            if (!readAhead.isDone()) {
                return false; // its completion schedules a drain
            }
            next = readAhead.join();
            readAhead = null;
        } else {
            woken = false; // a wake-up arriving from here on triggers another read
            next = reader.pageAfter(user, position, properties.pageRows(), properties.pageBytes().toBytes());
        }
        page.addAll(next);
        if (!caughtUp) {
            pageReachedHead = next.isEmpty() || next.get(next.size() - 1).position() >= caughtUpAt;
            if (!pageReachedHead) {
                // The database reads the next page while this one is sent: a catch-up takes
                // max(read, send) per page instead of their sum, for one more page of memory.
                long after = next.get(next.size() - 1).position();
                readAhead = CompletableFuture.supplyAsync(
                        () -> reader.pageAfter(user, after, properties.pageRows(), properties.pageBytes().toBytes()), executor);
                readAhead.whenComplete((read, error) -> schedule());
            }
        } else if (!next.isEmpty()) {
            woken = true; // there may be more than one page
        }
        return !next.isEmpty() || !caughtUp;
    }

    private void catchUp() {
        caughtUp = true;
        call.onNext(Event.newBuilder()
                .setSyncCaughtUp(SyncCaughtUp.newBuilder().setLastEventUuid(lastEventUuid))
                .setOccurredAt(Delivery.timestamp(Instant.now()))
                .build());
        if (!follow) {
            finish(null);
            return;
        }
        // Live from here: changes announced from now on are queued behind the initial list.
        live = true;
        woken = true;
        Instant now = Instant.now();
        for (UUID contact : owner.onlineContacts(user)) {
            initialPresence.add(Event.newBuilder()
                    .setAuthorUuid(contact.toString())
                    .setOccurredAt(Delivery.timestamp(now))
                    .setUserIsConnected(UserIsConnected.newBuilder().setUserUuid(contact.toString()).setConnected(true))
                    .build());
        }
    }

    private void finish(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        live = false;
        page.clear();
        readAhead = null;
        initialPresence.clear();
        transitory.clear();
        owner.ended(this);
        if (call.isCancelled()) {
            return;
        }
        if (error == null) {
            call.onCompleted();
        } else {
            call.onError(errors.apply(error));
        }
    }
}
