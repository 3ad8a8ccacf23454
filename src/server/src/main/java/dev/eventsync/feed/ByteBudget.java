package dev.eventsync.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The bytes all SyncFromServer streams of this instance may hold at once: pages read from the
 * database and not yet sent, and what was written to a stream that its transport has not yet
 * taken (a picture written to a client that does not read sits in the server's direct memory).
 * A stream reserves before it reads; when the budget is short it is queued (first come, first
 * served) and called back once its minimum is free: nobody spins and no thread blocks. The
 * holders of bytes are asked to give back what they can (rows not yet sent) when a wait begins,
 * and again on each {@link #pressure()} while someone waits (the streams' timer calls it every
 * second). Only holders that hold bytes now are asked, once per wait, not once per waiter: with
 * ten thousand streams woken at once, asking every stream that ever held bytes for every queued
 * waiter was quadratic and kept the reader threads busy for seconds (W3 at 10,000 streams).
 */
final class ByteBudget {

    /** Something that holds bytes and can be asked to give back what it can. */
    interface Holder {
        void reclaim();
    }

    private record Waiter(Holder holder, long min, long want, LongConsumer granted) {}

    private final long total;
    private long available;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** The bytes each holder holds now; a holder that gave everything back is not in it. Guarded by this. */
    private final Map<Holder, Long> held = new HashMap<>();

    ByteBudget(long total) {
        this.total = total;
        this.available = total;
    }

    long total() {
        return total;
    }

    synchronized long available() {
        return available;
    }

    synchronized boolean contended() {
        return !waiters.isEmpty();
    }

    /**
     * Reserves between {@code min} and {@code want} bytes (as much as is free) and returns it; or,
     * when not even {@code min} is free, returns 0 and calls {@code granted} later with the bytes
     * reserved for the caller. A minimum above the whole budget is lowered to it.
     */
    long acquire(Holder holder, long min, long want, LongConsumer granted) {
        long needed = Math.min(min, total);
        boolean waitBegins;
        synchronized (this) {
            if (waiters.isEmpty() && available >= needed) {
                return grant(holder, Math.min(Math.max(want, needed), available));
            }
            waitBegins = waiters.isEmpty();
            waiters.add(new Waiter(holder, needed, Math.max(want, needed), granted));
        }
        if (waitBegins) {
            pressure(); // a waiter behind others: the holders were asked when the first began to wait
        }
        return 0;
    }

    /** Reserves up to {@code want} now if at least {@code min} is free and nobody waits; else 0 (never queued). */
    synchronized long tryAcquire(Holder holder, long min, long want) {
        if (!waiters.isEmpty() || available < min) {
            return 0;
        }
        return grant(holder, Math.min(want, available));
    }

    /** Holders holding bytes now (the ones {@link #pressure()} asks). */
    synchronized int holders() {
        return held.size();
    }

    private long grant(Holder holder, long bytes) {
        available -= bytes;
        held.merge(holder, bytes, Long::sum);
        return bytes;
    }

    /** Gives bytes back; {@code done}: the holder will hold nothing any more (it is no longer asked to reclaim). */
    void release(Holder holder, long bytes, boolean done) {
        List<Runnable> callbacks = new ArrayList<>();
        synchronized (this) {
            if (done) {
                held.remove(holder);
            } else if (bytes > 0) {
                held.computeIfPresent(holder, (h, holds) -> holds > bytes ? holds - bytes : null);
            }
            if (bytes <= 0) {
                return;
            }
            available += bytes;
            while (!waiters.isEmpty() && waiters.peek().min() <= available) {
                Waiter next = waiters.poll();
                long grant = grant(next.holder(), Math.min(next.want(), available));
                callbacks.add(() -> next.granted().accept(grant));
            }
        }
        callbacks.forEach(Runnable::run);
    }

    /** Asks the holders of bytes to give back what they can, when someone waits. */
    void pressure() {
        List<Holder> asked;
        synchronized (this) {
            asked = waiters.isEmpty() ? List.of() : List.copyOf(held.keySet());
        }
        asked.forEach(Holder::reclaim); // outside the lock: a holder may release at once
    }
}
