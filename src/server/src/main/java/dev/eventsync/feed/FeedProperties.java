package dev.eventsync.feed;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of SyncFromServer ({@code eventsync.feed.*}).
 *
 * @param pageRows      events read from the database per page at most
 * @param pageBytes     bytes per page at most (at least one event is always read): with at most two
 *                      pages held per stream (one sent, one read ahead), this bounds a stream's
 *                      memory however long its backlog
 * @param readerThreads threads that read pages and write them to streams, shared by all streams
 * @param memoryBudget  bytes all streams of this instance hold at most, together: pages read and
 *                      not yet sent, and what was written to a stream and not yet taken by its
 *                      transport; a stream waits for its share before reading, and pages shrink
 *                      when the budget is short
 * @param maxStreamsPerUser SyncFromServer streams one user may have open on this instance; one
 *                      more is refused with RESOURCE_EXHAUSTED
 * @param stallTimeout  while others wait for the memory budget, a stream whose client has taken
 *                      nothing of what was written to it for this long is reset, freeing its buffers
 */
@ConfigurationProperties("eventsync.feed")
public record FeedProperties(
        @DefaultValue("500") int pageRows,
        @DefaultValue("2MB") DataSize pageBytes,
        @DefaultValue("8") int readerThreads,
        @DefaultValue("64MB") DataSize memoryBudget,
        @DefaultValue("20") int maxStreamsPerUser,
        @DefaultValue("30s") Duration stallTimeout) {

    public FeedProperties {
        if (pageRows < 1 || pageBytes.toBytes() < 1 || readerThreads < 1 || maxStreamsPerUser < 1 || stallTimeout.isNegative()) {
            throw new IllegalArgumentException("eventsync.feed: page-rows, page-bytes, reader-threads and"
                    + " max-streams-per-user must be positive; got " + this);
        }
        if (memoryBudget.compareTo(pageBytes) < 0) {
            throw new IllegalArgumentException("eventsync.feed.memory-budget (" + memoryBudget
                    + ") must hold at least one page (page-bytes " + pageBytes + ")");
        }
    }
}
