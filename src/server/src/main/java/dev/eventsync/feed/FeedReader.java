package dev.eventsync.feed;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Uuids;
import dev.eventsync.live.LogHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reads a user's feed: cursor resolution and pages in position order. Every read is one index
 * range scan on {@code feed (user_uuid, position)}.
 */
@Component
public class FeedReader {

    /**
     * A stored event of a user's feed: its position, its delivered body (a serialized Event) and
     * the body's size; the body is null when the event alone is larger than the page's byte limit.
     */
    public record Entry(long position, byte[] body, long size) {}

    /** The event's position (unique uuid), then the user's own row at it (primary key). */
    static final String POSITION_OF = """
            select f.position from events e join feed f on f.user_uuid = ? and f.position = e.position
            where e.event_uuid = ?""";

    /**
     * The next page after a position, bounded by rows and by bytes (pictures are large): rows
     * are kept while the bytes up to and including them fit the limit (a page never holds more
     * than the bytes its stream reserved); a first event larger than the limit comes alone and
     * without its body, so that the stream can reserve its size and read it again.
     * {@code octet_length} reads the stored size without fetching the value.
     * The feed rows are limited first, then each event is fetched by its key (a lateral join):
     * a plain join let the planner choose a merge join that scanned {@code events} from the
     * start of the log for every page (43 ms instead of 1 ms per page at position 50,000).
     * The text is the resource {@code page.sql} beside this class: the load generator's BASE
     * jdbc_feed_read runs the same file (src/tools/pom.xml copies it), so the ceiling W2 is
     * measured against is this statement, not a copy of it.
     */
    static final String PAGE = statement("page.sql");

    private static String statement(String resource) {
        try (InputStream text = FeedReader.class.getResourceAsStream(resource)) {
            if (text == null) {
                throw new IllegalStateException(resource + " is missing beside " + FeedReader.class.getName());
            }
            return new String(text.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final JdbcClient jdbc;
    private final LongAdder rowsRead = new LongAdder();

    public FeedReader(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The position of the cursor in the user's feed; 0 for an empty cursor (the start).
     *
     * @throws CallRejected INVALID_ARGUMENT for a malformed cursor, UNKNOWN_CURSOR when it is not
     *                      an event of this user's feed
     */
    public long positionOf(UUID user, String cursor) {
        if (cursor.isEmpty()) {
            return 0;
        }
        UUID eventUuid = Uuids.parse(cursor);
        if (eventUuid == null) {
            throw new CallRejected(CallRejected.Problem.INVALID_ARGUMENT,
                    "after_event_uuid must be empty or a canonical lowercase, non-nil uuid");
        }
        return jdbc.sql(POSITION_OF).params(user, eventUuid).query(Long.class).optional()
                .orElseThrow(() -> new CallRejected(CallRejected.Problem.UNKNOWN_CURSOR, "cursor " + cursor
                        + " is not an event of your feed: it is unknown here; resync from empty (after_event_uuid = \"\")"));
    }

    /** The last position handed out so far: every event at or below it is committed. */
    public long head() {
        return jdbc.sql(LogHead.SELECT).query(Long.class).single();
    }

    public List<Entry> pageAfter(UUID user, long position, int maxRows, long maxBytes) {
        List<Entry> page = jdbc.sql(PAGE).params(maxBytes, user, position, maxRows, maxBytes)
                .query((row, i) -> new Entry(row.getLong(1), row.getBytes(2), row.getLong(3)))
                .list();
        rowsRead.add(page.size());
        return page;
    }

    /** Feed rows read from the database since start: what streams pulled, however fast clients read. */
    public long rowsRead() {
        return rowsRead.sum();
    }
}
