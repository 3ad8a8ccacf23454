package dev.eventsync.ratelimit;

import java.time.Duration;

/**
 * A call over its user's rate limit: nothing of it was done. Expected, so cheap: no stack trace.
 * The api layer answers RESOURCE_EXHAUSTED with a {@code RetryInfo} of {@link #retryAfter}.
 */
public final class RateLimited extends RuntimeException {

    private final transient Duration retryAfter;

    public RateLimited(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When the call would pass if sent again (the user's other calls may take the tokens first). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
