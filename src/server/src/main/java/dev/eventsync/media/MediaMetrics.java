package dev.eventsync.media;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The media meters ({@code eventsync.media.*}). The two gauges are the totals the lifecycle job
 * reads from the media table on each run (so they lag by at most cleanup-interval); a scrape never
 * queries the database.
 */
final class MediaMetrics {

    final Counter expiredIncomplete;
    final Counter expiredUnreferenced;
    final Counter erased;
    final Counter eraseFailures;
    private final AtomicLong bytesStored = new AtomicLong();
    private final AtomicLong uploadsInProgress = new AtomicLong();

    MediaMetrics(MeterRegistry meters) {
        expiredIncomplete = Counter.builder("eventsync.media.expired").tag("kind", "incomplete")
                .description("uploads erased because they had not moved for incomplete-ttl").register(meters);
        expiredUnreferenced = Counter.builder("eventsync.media.expired").tag("kind", "unreferenced")
                .description("complete media erased because no event referenced them for unreferenced-ttl").register(meters);
        erased = Counter.builder("eventsync.media.erased")
                .description("media whose bytes and row were erased, for any reason (deleted message, expiry)").register(meters);
        eraseFailures = Counter.builder("eventsync.media.erase.failures")
                .description("erasures that failed and were left 'erasing' for the next run of the lifecycle job").register(meters);
        Gauge.builder("eventsync.media.bytes.stored", bytesStored, AtomicLong::get)
                .description("bytes held by the store: complete media and committed bytes of uploads (as of the job's last run)")
                .baseUnit("bytes").register(meters);
        Gauge.builder("eventsync.media.uploads.in_progress", uploadsInProgress, AtomicLong::get)
                .description("uploads not complete yet (as of the job's last run)").register(meters);
    }

    void totals(long bytes, long uploads) {
        bytesStored.set(bytes);
        uploadsInProgress.set(uploads);
    }
}
