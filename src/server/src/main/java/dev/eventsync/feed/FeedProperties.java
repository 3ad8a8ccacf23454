package dev.eventsync.feed;

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
 */
@ConfigurationProperties("eventsync.feed")
public record FeedProperties(
        @DefaultValue("500") int pageRows,
        @DefaultValue("2MB") DataSize pageBytes,
        @DefaultValue("8") int readerThreads) {

    public FeedProperties {
        if (pageRows < 1 || pageBytes.toBytes() < 1 || readerThreads < 1) {
            throw new IllegalArgumentException("eventsync.feed: page-rows, page-bytes and reader-threads"
                    + " must be positive; got " + this);
        }
    }
}
