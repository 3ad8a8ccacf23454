package dev.eventsync.push;

import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health "push": the notifier's lag, the age of the oldest event it has not handed over yet (the
 * same on every instance: it is read from the database), as a detail. Always UP while the
 * database answers: the gRPC health service follows the overall health, and a lagging notifier
 * must not take an instance's API out of service. Alert on the metrics instead.
 */
final class NotifierHealth implements HealthIndicator {

    private final LogTail tail;
    private final Notifier notifier;

    NotifierHealth(LogTail tail, Notifier notifier) {
        this.tail = tail;
        this.notifier = notifier;
    }

    @Override
    public Health health() {
        try {
            Instant oldest = tail.oldestPending();
            Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, Instant.now());
            return Health.up().withDetail("lagMillis", Math.max(0, lag.toMillis())).withDetail("holder", notifier.holding()).build();
        } catch (Exception e) {
            return Health.down(e).build();
        }
    }
}
