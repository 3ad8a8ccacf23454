package dev.eventsync.store;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of the append path ({@code eventsync.store.*}).
 *
 * @param maxBatchEvents events written in one group-commit transaction at most (a single call
 *                       larger than this is still written whole)
 * @param queueCapacity  Sync calls waiting for the writer at most; beyond it, calls fail fast
 *                       with UNAVAILABLE instead of piling up
 * @param lockTimeout    how long a batch waits for a row or the position lock before it gives up
 *                       (a stalled writer elsewhere must not stall every instance for ever)
 * @param maxQueueBytes  serialized request bytes waiting for the writer at most (memory is
 *                       bounded in bytes, not only in calls); beyond it, UNAVAILABLE. A call
 *                       into an empty queue is always taken, whatever its size
 * @param maxBatchBytes  serialized request bytes in one transaction at most (a single call
 *                       larger than this is still written whole)
 * @param stopTimeout    how long stopping waits for the writers to finish what is queued; what
 *                       is left then is answered UNAVAILABLE
 * @param writers        writer lanes, each with its own connection: one lane's batch is read and
 *                       decided while another's commits (queue-capacity is shared out among them).
 *                       1 by default: on a 2-core machine shared with PostgreSQL a second lane's
 *                       smaller batches cost more CPU than the overlap gains (README, Performance)
 */
@ConfigurationProperties("eventsync.store")
public record StoreProperties(
        @DefaultValue("2000") int maxBatchEvents,
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("5s") Duration lockTimeout,
        @DefaultValue("64MB") DataSize maxQueueBytes,
        @DefaultValue("8MB") DataSize maxBatchBytes,
        @DefaultValue("10s") Duration stopTimeout,
        @DefaultValue("1") int writers) {

    public StoreProperties {
        if (maxBatchEvents < 1 || queueCapacity < 1 || writers < 1 || !positive(lockTimeout) || !positive(stopTimeout)
                || maxBatchBytes.toBytes() < 1 || maxQueueBytes.compareTo(maxBatchBytes) < 0) {
            throw new IllegalArgumentException("eventsync.store: max-batch-events, queue-capacity, max-batch-bytes,"
                    + " writers, lock-timeout and stop-timeout must be positive and max-queue-bytes at least max-batch-bytes;"
                    + " got " + this);
        }
    }

    /** The defaults with these batch and queue sizes, for tests and tools. */
    public static StoreProperties of(int maxBatchEvents, int queueCapacity, Duration lockTimeout) {
        return new StoreProperties(maxBatchEvents, queueCapacity, lockTimeout, DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(8), Duration.ofSeconds(10), 1);
    }

    /** These settings with another number of writer lanes. */
    public StoreProperties withWriters(int lanes) {
        return new StoreProperties(maxBatchEvents, queueCapacity, lockTimeout, maxQueueBytes, maxBatchBytes, stopTimeout, lanes);
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }
}
