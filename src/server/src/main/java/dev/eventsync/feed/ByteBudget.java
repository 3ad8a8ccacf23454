package dev.eventsync.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The bytes all SyncFromServer streams of this instance may hold at once: pages read from the
 * database and not yet sent, and what was written to a stream that its transport has not yet
 * taken (a picture written to a client that does not read sits in the server's direct memory).
 * A stream reserves before it reads; when the budget is short it is queued (first come, first
 * served) and called back once its minimum is free: nobody spins and no thread blocks. Holders
 * are asked to give back what they can (rows not yet sent) whenever someone waits.
 */
final class ByteBudget {

    /** Something that holds bytes and can be asked to give back what it can. */
    interface Holder {
        void reclaim();
    }

    private record Waiter(long min, long want, LongConsumer granted) {}

    private final long total;
    private long available;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Set<Holder> holders = ConcurrentHashMap.newKeySet();

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
        synchronized (this) {
            if (waiters.isEmpty() && available >= needed) {
                long grant = Math.min(Math.max(want, needed), available);
                available -= grant;
                holders.add(holder);
                return grant;
            }
            waiters.add(new Waiter(needed, Math.max(want, needed), grant -> {
                holders.add(holder);
                granted.accept(grant);
            }));
        }
        pressure();
        return 0;
    }

    /** Reserves up to {@code want} now if at least {@code min} is free and nobody waits; else 0 (never queued). */
    synchronized long tryAcquire(Holder holder, long min, long want) {
        if (!waiters.isEmpty() || available < min) {
            return 0;
        }
        long grant = Math.min(want, available);
        available -= grant;
        holders.add(holder);
        return grant;
    }

    /** Gives bytes back; {@code done}: the holder will hold nothing any more (it is no longer asked to reclaim). */
    void release(Holder holder, long bytes, boolean done) {
        if (done) {
            holders.remove(holder);
        }
        if (bytes <= 0) {
            return;
        }
        List<Runnable> callbacks = new ArrayList<>();
        synchronized (this) {
            available += bytes;
            while (!waiters.isEmpty() && waiters.peek().min() <= available) {
                Waiter next = waiters.poll();
                long grant = Math.min(next.want(), available);
                available -= grant;
                callbacks.add(() -> next.granted().accept(grant));
            }
        }
        callbacks.forEach(Runnable::run);
    }

    /** Asks every holder to give back what it can, when someone waits. */
    void pressure() {
        if (contended()) {
            holders.forEach(Holder::reclaim);
        }
    }
}
