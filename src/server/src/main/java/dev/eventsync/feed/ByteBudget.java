package dev.eventsync.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * The bytes all SyncFromServer streams of this instance may hold at once: pages read from the
 * database and not yet sent, and what was written to a stream that its transport has not yet
 * taken (a picture written to a client that does not read sits in the server's direct memory).
 * A stream reserves before it reads; when the budget is short it is queued and called back once
 * its minimum is free: nobody spins and no thread blocks. The holders of bytes are asked to give
 * back what they can (rows not yet sent) when a wait begins, and again on each {@link #pressure()}
 * while someone waits (the streams' timer calls it every second). Only holders that hold bytes
 * now are asked, once per wait, not once per waiter: with ten thousand streams woken at once,
 * asking every stream that ever held bytes for every queued waiter was quadratic and kept the
 * reader threads busy for seconds (W3 at 10,000 streams).
 *
 * <p>Fair by user: freed bytes go to the waiting user who holds the fewest bytes now (first
 * come, first served among equals and within one user's streams). First come, first served
 * alone let one user's twenty streams that never read queue ahead of everyone, each holding
 * what it was given until the stall timeout reset it: another user's read waited for hundreds of
 * resets ({@code MemoryBudgetTest}: up to 30 s). Now it waits for at most one grant per user who
 * holds no more than it does. The least-held user waits until its minimum is free, even if a
 * smaller request behind it would fit, so a large event is not starved by small pages.
 */
final class ByteBudget {

    /** Something that holds bytes and can be asked to give back what it can. */
    interface Holder {
        void reclaim();

        /** Whose share these bytes count against. */
        UUID user();
    }

    private record Waiter(Holder holder, long min, long want, LongConsumer granted, long arrived) {}

    /** A waiting user's place in line: fewest bytes held first, then the earliest waiter. */
    private record Turn(UUID user, long held, long arrived) {}

    private static final Comparator<Turn> LINE = Comparator.comparingLong(Turn::held)
            .thenComparingLong(Turn::arrived).thenComparing(Turn::user);

    private final long total;
    private long available;
    private long arrivals;
    /** Each waiting user's waiters, in arrival order. Guarded by this, as all fields below. */
    private final Map<UUID, ArrayDeque<Waiter>> waiting = new HashMap<>();
    /** The waiting users, in the order they are served. */
    private final TreeSet<Turn> line = new TreeSet<>(LINE);
    private final Map<UUID, Turn> turns = new HashMap<>();
    /** The bytes each holder holds now; a holder that gave everything back is not in it. */
    private final Map<Holder, Long> held = new HashMap<>();
    /** The bytes each user's holders hold now. */
    private final Map<UUID, Long> heldByUser = new HashMap<>();

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
        return !line.isEmpty();
    }

    /**
     * Reserves between {@code min} and {@code want} bytes (as much as is free) and returns it; or,
     * when not even {@code min} is free (or others wait), returns 0 and calls {@code granted}
     * later with the bytes reserved for the caller. A minimum above the whole budget is lowered to it.
     */
    long acquire(Holder holder, long min, long want, LongConsumer granted) {
        long needed = Math.min(min, total);
        boolean waitBegins;
        synchronized (this) {
            if (line.isEmpty() && available >= needed) {
                return grant(holder, Math.min(Math.max(want, needed), available));
            }
            waitBegins = line.isEmpty();
            Waiter waiter = new Waiter(holder, needed, Math.max(want, needed), granted, arrivals++);
            ArrayDeque<Waiter> queue = waiting.computeIfAbsent(holder.user(), user -> new ArrayDeque<>());
            queue.add(waiter);
            if (queue.size() == 1) {
                place(holder.user());
            }
        }
        if (waitBegins) {
            pressure(); // a waiter behind others: the holders were asked when the first began to wait
        }
        return 0;
    }

    /** Reserves up to {@code want} now if at least {@code min} is free and nobody waits; else 0 (never queued). */
    synchronized long tryAcquire(Holder holder, long min, long want) {
        if (!line.isEmpty() || available < min) {
            return 0;
        }
        return grant(holder, Math.min(want, available));
    }

    /** Holders holding bytes now (the ones {@link #pressure()} asks). */
    synchronized int holders() {
        return held.size();
    }

    /** Gives bytes back; {@code done}: the holder will hold nothing any more (it is no longer asked to reclaim). */
    void release(Holder holder, long bytes, boolean done) {
        List<Runnable> callbacks = new ArrayList<>();
        synchronized (this) {
            long before = held.getOrDefault(holder, 0L);
            long after = done ? 0 : Math.max(0, before - Math.max(bytes, 0));
            if (after != before) {
                hold(holder, after - before);
            }
            if (bytes <= 0) {
                return;
            }
            available += bytes;
            while (!line.isEmpty()) {
                Turn turn = line.first();
                ArrayDeque<Waiter> queue = waiting.get(turn.user());
                Waiter next = queue.peek();
                if (next.min() > available) {
                    break;
                }
                queue.poll();
                unplace(turn.user());
                long grant = grant(next.holder(), Math.min(next.want(), available));
                if (queue.isEmpty()) {
                    waiting.remove(turn.user());
                } else {
                    place(turn.user());
                }
                callbacks.add(() -> next.granted().accept(grant));
            }
        }
        callbacks.forEach(Runnable::run);
    }

    /** Asks the holders of bytes to give back what they can, when someone waits. */
    void pressure() {
        List<Holder> asked;
        synchronized (this) {
            asked = line.isEmpty() ? List.of() : List.copyOf(held.keySet());
        }
        asked.forEach(Holder::reclaim); // outside the lock: a holder may release at once
    }

    private long grant(Holder holder, long bytes) {
        available -= bytes;
        hold(holder, bytes);
        return bytes;
    }

    /** Changes what a holder (and so its user) holds by {@code delta}, keeping a waiting user's place right. */
    private void hold(Holder holder, long delta) {
        add(held, holder, delta);
        UUID user = holder.user();
        boolean inLine = unplace(user);
        add(heldByUser, user, delta);
        if (inLine) {
            place(user);
        }
    }

    /** Adds to a count of bytes held; a key holding nothing is removed. */
    private static <K> void add(Map<K, Long> counts, K key, long delta) {
        counts.compute(key, (k, holds) -> {
            long now = (holds == null ? 0 : holds) + delta;
            return now > 0 ? now : null;
        });
    }

    /** Puts a user with waiters in line, by what it holds now and its first waiter's arrival. */
    private void place(UUID user) {
        Turn turn = new Turn(user, heldByUser.getOrDefault(user, 0L), waiting.get(user).peek().arrived());
        turns.put(user, turn);
        line.add(turn);
    }

    private boolean unplace(UUID user) {
        Turn turn = turns.remove(user);
        return turn != null && line.remove(turn);
    }
}
