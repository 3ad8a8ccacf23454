package dev.eventsync.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The per-user limits of this instance: events submitted by Sync and SyncFromServer calls opened.
 * A charge either takes its tokens or throws {@link RateLimited} having taken nothing, so a
 * refused call costs the user nothing but the wait.
 *
 * <p>Memory: a user's bucket exists while it is not full. Every {@code idle-sweep} the buckets that
 * have refilled are dropped; a dropped bucket and a new one are the same, so eviction never
 * changes an answer, and the map holds only users who called within the last burst / rate seconds.
 */
public final class RateLimits {

    private final Limiter syncEvents;
    private final Limiter streamOpens;
    private final LongSupplier nanoTime;
    private final long sweepEvery;
    private final AtomicLong lastSweep;

    /** {@code nanoTime} is a monotonic clock ({@code System::nanoTime}); tests pass their own. */
    RateLimits(RateLimitProperties properties, LongSupplier nanoTime, MeterRegistry meters) {
        this.nanoTime = nanoTime;
        this.syncEvents = new Limiter("sync-events", properties.syncEventsPerSecond(), properties.syncEventsBurst(),
                "events", meters);
        this.streamOpens = new Limiter("stream-opens", properties.streamOpensPerSecond(),
                properties.streamOpensBurst(), "SyncFromServer calls", meters);
        this.sweepEvery = properties.idleSweep().toNanos();
        this.lastSweep = new AtomicLong(nanoTime.getAsLong());
    }

    /** Charges the events of one Sync call, before any of them is looked at. */
    public void chargeSyncEvents(UUID user, int events) {
        syncEvents.charge(user, Math.max(events, 1));
    }

    /** Charges one SyncFromServer call, before it reads anything. */
    public void chargeStreamOpen(UUID user) {
        streamOpens.charge(user, 1);
    }

    /** Users with a bucket now, both limits together (for tests and tools). */
    int trackedUsers() {
        return syncEvents.buckets.size() + streamOpens.buckets.size();
    }

    private void sweepIfDue(long now) {
        long last = lastSweep.get();
        if (now - last >= sweepEvery && lastSweep.compareAndSet(last, now)) {
            syncEvents.dropFull(now);
            streamOpens.dropFull(now);
        }
    }

    private final class Limiter {
        final ConcurrentHashMap<UUID, TokenBucket> buckets = new ConcurrentHashMap<>();
        final String name;
        final double perSecond;
        final long burst;
        final String unit;
        final Counter refused;

        Limiter(String name, double perSecond, long burst, String unit, MeterRegistry meters) {
            this.name = name;
            this.perSecond = perSecond;
            this.burst = burst;
            this.unit = unit;
            this.refused = Counter.builder("eventsync.rate.limited").tag("limit", name)
                    .description("calls refused by a per-user rate limit").register(meters);
        }

        void charge(UUID user, long tokens) {
            long now = nanoTime.getAsLong();
            sweepIfDue(now);
            long[] wait = new long[1];
            // compute holds the key's lock: a take never races the sweep dropping that bucket.
            buckets.compute(user, (key, bucket) -> {
                TokenBucket b = bucket == null ? new TokenBucket(perSecond, burst, now) : bucket;
                wait[0] = b.tryTake(tokens, now);
                return b;
            });
            if (wait[0] > 0) {
                refused.increment();
                Duration retryAfter = Duration.ofNanos(wait[0]);
                throw new RateLimited(String.format(Locale.ROOT, "rate limit: a user may send %s %s per second"
                        + " (at once: %d; eventsync.rate-limit.%s-*); nothing of this call was done, retry in %.3f s",
                        rate(), unit, burst, name, wait[0] / 1e9), retryAfter);
            }
        }

        void dropFull(long now) {
            for (UUID user : buckets.keySet()) {
                buckets.computeIfPresent(user, (key, bucket) -> bucket.isFull(now) ? null : bucket);
            }
        }

        private String rate() {
            return perSecond == Math.rint(perSecond) ? String.valueOf((long) perSecond) : String.valueOf(perSecond);
        }
    }
}
