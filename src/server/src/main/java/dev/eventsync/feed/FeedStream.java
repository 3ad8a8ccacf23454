package dev.eventsync.feed;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Delivery;
import dev.eventsync.events.StoredBodies;
import dev.eventsync.live.LiveStream;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncCaughtUp;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Memory: every byte held is reserved from the instance's {@link ByteBudget} first: a page's
 * rows until they are sent, and what was written until the transport is ready again (then at
 * most grpc's small on-ready threshold is still queued). A stream whose client does not read
 * gives back its unsent rows whenever others wait, and, after the stall timeout, is reset (its
 * call's context is cancelled, which resets the HTTP/2 stream and frees the buffers Netty held).
 *
 * <p>One drainer at a time (a StreamObserver is not thread-safe): every trigger (ready, wake-up,
 * transitory event, cancel, shutdown) schedules {@link #drain()} on the reader executor; a
 * trigger arriving while it runs makes it run once more.
 */
final class FeedStream implements LiveStream, ByteBudget.Holder {

    /** The smallest page a stream reads when the budget is short (unless page-bytes is smaller). */
    static final long MIN_PAGE_BYTES = 64 * 1024;

    /** What the stream needs from its owner when it is done. */
    interface Owner {
        /** Called once, by the drainer, when the stream ends for whatever reason. */
        void ended(FeedStream stream);

        /**
         * The caller's contacts online now (for the presence list after catching up): at most
         * {@code limit}, in uuid order, after {@code after} (null: from the first).
         */
        List<UUID> onlineContacts(UUID user, UUID after, int limit);

        /** The highest log position announced to this instance so far ({@link dev.eventsync.live.LiveHub#announcedHead()}). */
        long announcedHead();
    }

    private final ServerCallStreamObserver<FeedMessage> call;
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
    private final ByteBudget budget;
    /** The call's own context (cancelling it resets the stream); null outside a gRPC server call. */
    private final Context.CancellableContext own;
    private final long minPageBytes;
    /** Bytes the budget reserved for this stream after a wait (added by its callback). */
    private final AtomicLong grantedLater = new AtomicLong();
    private volatile boolean reclaimRequested;
    private final AtomicInteger pending = new AtomicInteger();
    private final ArrayDeque<FeedReader.Entry> page = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Event> transitory = new ConcurrentLinkedQueue<>();
    private final AtomicInteger transitoryCount = new AtomicInteger();
    private volatile boolean live;
    private volatile boolean stopping;
    private volatile boolean woken = true;
    /** The highest log position a wake-up announced to this stream. */
    private final AtomicLong announcedToMe = new AtomicLong();
    /** The hub's announced head when this stream last began a read: the read sees everything announced up to it. */
    private volatile long announcedAtRead;

    // Owned by the drainer.
    private long position;
    private String lastEventUuid;
    private boolean caughtUp;
    private boolean pageReachedHead;
    private boolean finished;
    /** The next catch-up page, read while this one is being sent (null: none in flight). */
    private CompletableFuture<List<FeedReader.Entry>> readAhead;
    private long readAheadReserved;
    /** Reserved and not yet read into. */
    private long reserved;
    /** The bytes of the rows in {@link #page}. */
    private long pageHeld;
    /** Written to the call since the transport was last seen ready. */
    private long pinned;
    /** When the transport was first seen not ready with {@link #pinned} bytes (0: ready). */
    private long stalledSince;
    private boolean waiting;
    /** Reset by this server: nothing more can be sent on it. */
    private boolean reset;
    /** The least to reserve for the next read: raised to the size of an event that did not fit. */
    private long nextMin;
    /** The presence list after catching up, being sent (null: none, or all sent). */
    private PresenceBurst burst;
    /** Reserved for the burst's contacts read and not yet sent. */
    private long burstHeld;

    FeedStream(ServerCallStreamObserver<FeedMessage> call, FeedReader reader, FeedProperties properties, Executor executor,
               Function<Throwable, Throwable> errors, Owner owner, UUID user, boolean follow, long position,
               String cursor, long caughtUpAt, int transitoryCapacity, ByteBudget budget, Context.CancellableContext own) {
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
        this.budget = budget;
        this.own = own;
        this.minPageBytes = Math.min(MIN_PAGE_BYTES, properties.pageBytes().toBytes());
        this.nextMin = minPageBytes;
    }

    /**
     * Sets the call's handlers. Must be called from the service method, before it returns, and
     * before the stream can be woken (registered with the live hub).
     */
    void attach() {
        call.setOnReadyHandler(this::schedule);
        call.setOnCancelHandler(this::schedule); // the drainer sees isCancelled() and ends the stream
    }

    /** Starts streaming, after {@link #attach()}. */
    void start() {
        schedule();
    }

    /** Whether this server reset the stream (its client did not read while others waited for memory). */
    boolean wasReset() {
        return reset;
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
    public void wake(long position) {
        announcedToMe.accumulateAndGet(position, Math::max);
        wake();
    }

    @Override
    public boolean behind() {
        return announcedToMe.get() > announcedAtRead;
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

    /** Others wait for the budget: give back what can be read again later, if the client is not taking anything now. */
    @Override
    public void reclaim() {
        reclaimRequested = true;
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
            } catch (RuntimeException e) {
                finish(e);
            }
            missed = pending.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drain() {
        long late = grantedLater.getAndSet(0);
        if (finished) {
            giveBack(late);
            return;
        }
        if (late > 0) {
            reserved += late;
            waiting = false;
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
        if (reclaimRequested) {
            reclaimRequested = false;
            if (!call.isReady()) {
                dropUnsent();
                if (pinned > 0 && stalledSince != 0 && System.nanoTime() - stalledSince >= properties.stallTimeout().toNanos()
                        && own != null) {
                    // The client took nothing of what was written for the stall timeout, and others
                    // wait for memory: only a reset frees what the transport holds for it.
                    own.cancel(new TimeoutException("the client did not read for " + properties.stallTimeout()
                            + " while the server was short of memory"));
                    reset = true;
                    finish(null);
                    return;
                }
            }
        }
        while (call.isReady()) {
            // Ready: what was written was taken by the transport, but for grpc's small on-ready threshold.
            long taken = pinned;
            pinned = 0;
            stalledSince = 0;
            giveBack(taken);
            if (burst != null) {
                // The presence list comes first, whole, before anything announced after it.
                if (burst.hasNext()) {
                    burstHeld -= PresenceBurst.BYTES_PER_CONTACT;
                    pinned += PresenceBurst.BYTES_PER_CONTACT;
                    call.onNext(new FeedMessage.Built(burst.next(Instant.now())));
                } else if (burst.done()) {
                    burst = null;
                } else if (!refillBurst()) {
                    return; // the budget calls back
                }
                continue;
            }
            Event next = transitory.poll();
            if (next != null) {
                transitoryCount.decrementAndGet();
                call.onNext(new FeedMessage.Built(next));
                continue;
            }
            if (page.isEmpty() && !readPage()) {
                return;
            }
            if (page.isEmpty()) {
                continue; // just caught up: the presence list may be waiting
            }
            FeedReader.Entry entry = page.poll();
            pageHeld -= entry.size();
            pinned += entry.size();
            // As stored: the transport writes the body as it is, no parse and serialize per event.
            call.onNext(new FeedMessage.Stored(entry.body()));
            position = entry.position();
            lastEventUuid = StoredBodies.uuid(entry.body());
        }
        if (pinned > 0 && stalledSince == 0) {
            stalledSince = System.nanoTime();
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
        List<FeedReader.Entry> next = null;
        if (readAhead != null) {
            if (!readAhead.isDone()) {
                return false; // its completion schedules a drain
            }
            next = readAhead.join();
            long readAheadFor = readAheadReserved;
            readAhead = null;
            readAheadReserved = 0;
            giveBack(readAheadFor - bytes(next));
            if (tooLarge(next)) {
                next = null; // read it again below, with its size reserved
            }
        }
        if (next == null) {
            if (!reserve(nextMin, properties.pageBytes().toBytes())) {
                return false; // the budget calls back
            }
            // Announced before this point means committed before this read: the read sees it.
            announcedAtRead = owner.announcedHead();
            woken = false; // a wake-up arriving from here on triggers another read
            next = reader.pageAfter(user, position, properties.pageRows(), reserved);
            long readFor = reserved;
            reserved = 0;
            giveBack(readFor - bytes(next));
            if (tooLarge(next)) {
                // One event larger than what was reserved: reserve its size (at most the whole budget) and read again.
                nextMin = Math.min(next.get(0).size(), budget.total());
                woken = true;
                return true;
            }
            nextMin = minPageBytes;
        }
        page.addAll(next);
        pageHeld += bytes(next);
        if (!caughtUp) {
            pageReachedHead = next.isEmpty() || next.get(next.size() - 1).position() >= caughtUpAt;
            if (!pageReachedHead && next.size() == properties.pageRows()) {
                // The database reads the next page while this one is sent: a catch-up takes
                // max(read, send) per page instead of their sum, for one more page of memory,
                // if the budget has it to spare now. Only after a page full of rows: a short
                // one most likely ended the feed, and a read-ahead holds its page's reservation
                // while it waits for a reader thread (ten thousand streams opening at once,
                // each with a short first page, held the whole budget that way: W3).
                long after = next.get(next.size() - 1).position();
                long readAheadFor = budget.tryAcquire(this, minPageBytes, properties.pageBytes().toBytes());
                if (readAheadFor > 0) {
                    readAheadReserved = readAheadFor;
                    readAhead = CompletableFuture.supplyAsync(
                            () -> reader.pageAfter(user, after, properties.pageRows(), readAheadFor), executor);
                    readAhead.whenComplete((read, error) -> schedule());
                }
            }
        } else if (!next.isEmpty()) {
            woken = true; // there may be more than one page
        }
        return !next.isEmpty() || !caughtUp;
    }

    /**
     * Makes sure bytes are reserved for the next read, between {@code min} and {@code want} when
     * none are; false when the budget is short: it calls back (a drain) once they are.
     */
    private boolean reserve(long min, long want) {
        if (reserved > 0) {
            return true;
        }
        if (waiting) {
            return false;
        }
        reserved = budget.acquire(this, min, want, grant -> {
            grantedLater.addAndGet(grant);
            schedule();
        });
        waiting = reserved == 0;
        return !waiting;
    }

    /** Reads the burst's next page of contacts, as many as the bytes reserved for it pay for. */
    private boolean refillBurst() {
        long want = PresenceBurst.PAGE * PresenceBurst.BYTES_PER_CONTACT;
        if (!reserve(PresenceBurst.BYTES_PER_CONTACT, want)) {
            return false;
        }
        long forBurst = Math.min(reserved, want);
        long read = burst.refill((int) (forBurst / PresenceBurst.BYTES_PER_CONTACT)) * PresenceBurst.BYTES_PER_CONTACT;
        burstHeld += read;
        giveBack(reserved - read);
        reserved = 0;
        return true;
    }

    private static boolean tooLarge(List<FeedReader.Entry> page) {
        return page.size() == 1 && page.get(0).body() == null;
    }

    private static long bytes(List<FeedReader.Entry> page) {
        long bytes = 0;
        for (FeedReader.Entry entry : page) {
            if (entry.body() != null) {
                bytes += entry.size();
            }
        }
        return bytes;
    }

    /** Drops the rows not yet sent (they are read again from the position) and what is reserved for reading. */
    private void dropUnsent() {
        page.clear();
        if (burst != null) {
            burst.dropUnsent();
        }
        long dropped = pageHeld + reserved + burstHeld;
        pageHeld = 0;
        reserved = 0;
        burstHeld = 0;
        abandonReadAhead();
        if (caughtUp) {
            woken = true;
        } else {
            pageReachedHead = false;
        }
        giveBack(dropped);
    }

    /** A read-ahead no longer wanted: its reservation goes back once its read ends. */
    private void abandonReadAhead() {
        if (readAhead != null) {
            long readAheadFor = readAheadReserved;
            readAhead.whenComplete((read, error) -> budget.release(this, readAheadFor, false));
            readAhead = null;
            readAheadReserved = 0;
        }
    }

    private void giveBack(long bytes) {
        budget.release(this, bytes, finished);
    }

    private void catchUp() {
        caughtUp = true;
        call.onNext(new FeedMessage.Built(Event.newBuilder()
                .setSyncCaughtUp(SyncCaughtUp.newBuilder().setLastEventUuid(lastEventUuid))
                .setOccurredAt(Delivery.timestamp(Instant.now()))
                .build()));
        if (!follow) {
            finish(null);
            return;
        }
        // Live from here: changes announced from now on are queued behind the initial list,
        // which is read a page at a time as the client takes it.
        live = true;
        woken = true;
        burst = new PresenceBurst(user, owner);
    }

    private void finish(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        live = false;
        page.clear();
        abandonReadAhead();
        long held = reserved + pageHeld + pinned + burstHeld + grantedLater.getAndSet(0);
        reserved = 0;
        pageHeld = 0;
        pinned = 0;
        burstHeld = 0;
        giveBack(held);
        burst = null;
        transitory.clear();
        owner.ended(this);
        if (call.isCancelled() || reset) {
            return;
        }
        if (error == null) {
            call.onCompleted();
        } else {
            call.onError(errors.apply(error));
        }
    }
}
