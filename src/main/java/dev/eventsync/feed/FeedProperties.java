package dev.eventsync.feed;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of SyncFromServer ({@code eventsync.feed.*}).
 *
 * @param pageRows      events read from the database per page at most
 * @param pageBytes     bytes per page at most (at least one event is always read): with one page
 *                      buffered per stream, this bounds a stream's memory however long its backlog
 * @param readerThreads threads that read pages and write them to streams, shared by all streams
 * @param pollInterval  how often a follow stream re-reads its feed when nothing woke it up
 */
@ConfigurationProperties("eventsync.feed")
public record FeedProperties(
        @DefaultValue("500") int pageRows,
        @DefaultValue("2MB") DataSize pageBytes,
        @DefaultValue("8") int readerThreads,
        @DefaultValue("1s") Duration pollInterval) {

    public FeedProperties {
        if (pageRows < 1 || pageBytes.toBytes() < 1 || readerThreads < 1 || pollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("eventsync.feed: page-rows, page-bytes, reader-threads and"
                    + " poll-interval must be positive; got " + this);
        }
    }
}
