package dev.eventsync.store;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of the append path ({@code eventsync.store.*}).
 *
 * @param maxBatchEvents events written in one group-commit transaction at most (a single call
 *                       larger than this is still written whole)
 * @param queueCapacity  Sync calls waiting for the writer at most; beyond it, calls fail fast
 *                       with UNAVAILABLE instead of piling up
 * @param lockTimeout    how long a batch waits for a row or the position lock before it gives up
 *                       (a stalled writer elsewhere must not stall every instance for ever)
 */
@ConfigurationProperties("eventsync.store")
public record StoreProperties(
        @DefaultValue("2000") int maxBatchEvents,
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("5s") Duration lockTimeout) {

    public StoreProperties {
        if (maxBatchEvents < 1 || queueCapacity < 1 || lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new IllegalArgumentException("eventsync.store: max-batch-events and queue-capacity must be positive"
                    + " and lock-timeout above zero; got " + this);
        }
    }
}
