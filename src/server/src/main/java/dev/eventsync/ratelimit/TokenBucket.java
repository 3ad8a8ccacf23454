package dev.eventsync.ratelimit;

/**
 * A token bucket: holds at most {@code burst} tokens, refills at {@code perSecond}, starts full.
 * Time is passed in (nanoseconds of a monotonic clock), so tests drive it without sleeping.
 *
 * <p>A request of more tokens than the whole burst is admitted once the bucket is full and takes
 * the bucket into debt, which later requests wait out: a Sync call larger than the burst (an
 * operator may set the burst below {@code eventsync.limits.max-events-per-call}) can always pass
 * eventually, and the sustained rate still holds.
 *
 * <p>Why not Bucket4j: the whole algorithm is these few lines; Bucket4j's core is a jar of some
 * hundred classes (distributed back ends, listeners, verbose builders) of which we would use one
 * method, and it is not in the set of artifacts this project has verified. The per-user map,
 * eviction and status live in {@link RateLimits}.
 *
 * <p>Not thread-safe: {@link RateLimits} calls it under its map's per-key lock.
 */
final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1e9;
    /** Rounding slack: after waiting the returned time the tokens are there, whatever the last bit of a double says. */
    private static final double EPSILON = 1e-9;

    private final double burst;
    private final double tokensPerNano;
    private double tokens;
    private long updatedAt;

    TokenBucket(double perSecond, long burst, long now) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and a burst of at least 1; got "
                    + perSecond + "/s, burst " + burst);
        }
        this.burst = burst;
        this.tokensPerNano = perSecond / NANOS_PER_SECOND;
        this.tokens = burst;
        this.updatedAt = now;
    }

    /**
     * Takes {@code n} tokens and returns 0, or takes nothing and returns the nanoseconds until
     * they can be taken (always at least 1).
     */
    long tryTake(long n, long now) {
        refill(now);
        double needed = Math.min(n, burst);
        if (tokens + EPSILON >= needed) {
            tokens -= n;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((needed - tokens) / tokensPerNano));
    }

    /** A full bucket is the same as a new one: forgetting it changes nothing. */
    boolean isFull(long now) {
        refill(now);
        return tokens + EPSILON >= burst;
    }

    private void refill(long now) {
        long elapsed = now - updatedAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
            updatedAt = now;
        }
    }
}
