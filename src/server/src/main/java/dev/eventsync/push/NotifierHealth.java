package dev.eventsync.push;

import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health "push": the notifier's lag, the age of the oldest event it has not handed over yet (the
 * same on every instance: it is read from the database). Down when that exceeds twice the
 * failover time: then no instance is running the notifier, or it cannot keep up.
 */
final class NotifierHealth implements HealthIndicator {

    private final LogTail tail;
    private final Notifier notifier;
    private final Duration limit;

    NotifierHealth(LogTail tail, Notifier notifier, PushProperties properties) {
        this.tail = tail;
        this.notifier = notifier;
        this.limit = properties.failover().multipliedBy(2);
    }

    @Override
    public Health health() {
        try {
            Instant oldest = tail.oldestPending();
            Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, Instant.now());
            Health.Builder health = lag.compareTo(limit) > 0 ? Health.down() : Health.up();
            return health.withDetail("lagMillis", Math.max(0, lag.toMillis())).withDetail("holder", notifier.holding()).build();
        } catch (Exception e) {
            return Health.down(e).build();
        }
    }
}
