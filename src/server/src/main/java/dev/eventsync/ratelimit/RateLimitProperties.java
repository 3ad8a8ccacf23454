package dev.eventsync.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-user rate limits of one server instance ({@code eventsync.rate-limit.*}). The defaults are
 * far above what a person chatting does (a phone back online with 500 queued messages sends them
 * at once), and stop a runaway or abusive client long before it costs others anything.
 *
 * @param syncEventsPerSecond  events a user may submit per second, sustained
 * @param syncEventsBurst      events a user may submit at once (a full bucket); a call holding more
 *                             passes when the bucket is full, and the user then waits it out
 * @param streamOpensPerSecond SyncFromServer calls (follow or not) a user may open per second, sustained
 * @param streamOpensBurst     SyncFromServer calls a user may open at once
 * @param idleSweep            how often buckets that have refilled (idle users) are forgotten;
 *                             memory holds only users active within the last burst / rate seconds
 */
@ConfigurationProperties("eventsync.rate-limit")
public record RateLimitProperties(
        @DefaultValue("50") double syncEventsPerSecond,
        @DefaultValue("500") long syncEventsBurst,
        @DefaultValue("1") double streamOpensPerSecond,
        @DefaultValue("30") long streamOpensBurst,
        @DefaultValue("60s") Duration idleSweep) {

    public RateLimitProperties {
        if (!(syncEventsPerSecond > 0) || syncEventsBurst < 1 || !(streamOpensPerSecond > 0) || streamOpensBurst < 1
                || idleSweep.isNegative() || idleSweep.isZero()) {
            throw new IllegalArgumentException("eventsync.rate-limit: the rates and idle-sweep must be positive and"
                    + " the bursts at least 1; got " + this);
        }
    }

    /** The defaults, for tests and tools. */
    public static RateLimitProperties defaults() {
        return new RateLimitProperties(50, 500, 1, 30, Duration.ofSeconds(60));
    }
}
