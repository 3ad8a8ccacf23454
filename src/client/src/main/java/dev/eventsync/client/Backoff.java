package dev.eventsync.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time between half
 * and all of {@code min(max, initial * 2^n)}. The jitter keeps a fleet of phones from
 * reconnecting in lockstep after a server restart.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait before the next attempt, counting this failure. */
    Duration nextDelay() {
        long ceiling = initial.toMillis() << Math.min(failures, 20);
        ceiling = Math.min(Math.max(ceiling, 1), max.toMillis());
        failures++;
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    void reset() {
        failures = 0;
    }
}
