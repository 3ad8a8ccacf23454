package dev.eventsync.push;

import dev.eventsync.live.LogHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The notifier's reading of the log, by position, and its stored position ({@code push_position},
 * migration V8). Reads only up to the committed {@code log_head}: the head is updated under the
 * position lock in the appending transaction, so every event at or below a committed head is
 * committed too, and the position can move to the head past events that notify nobody.
 */
final class LogTail {

    /** A stored event the notifier acts on. */
    record Entry(long position, UUID eventUuid, UUID author, String kind, UUID conversation, Instant storedAt, byte[] body) {}

    /** A batch: the entries, and the position it reads up to (to store once their notifications are handed over). */
    record Batch(List<Entry> entries, long upTo) {}

    static final String POSITION = "select position from push_position";
    static final String AFTER = """
            select position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body from events
            where position > ? and position <= ? and kind in ('new_message', 'read_new_message')
            order by position limit ?""";
    static final String STORE = "update push_position set position = ?, updated_at = now() where position < ?";
    /** The oldest event not handed over yet: the notifier's lag (health), whichever instance asks. */
    static final String OLDEST_PENDING = """
            select min(stored_at) from events
            where position > (select position from push_position) and kind in ('new_message', 'read_new_message')""";

    private final DataSource dataSource;
    private final int batchSize;

    LogTail(DataSource dataSource, int batchSize) {
        this.dataSource = dataSource;
        this.batchSize = batchSize;
    }

    /** The stored position: where a notifier that has just taken the lock starts reading. */
    long position() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return single(connection, POSITION);
        }
    }

    /** The events after {@code from} (the notifier's reading position, at or after the stored one) up to the committed head. */
    Batch next(long from) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            long head = single(connection, LogHead.SELECT);
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(AFTER)) {
                select.setLong(1, from);
                select.setLong(2, head);
                select.setInt(3, batchSize);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new Entry(rows.getLong(1), rows.getObject(2, UUID.class), rows.getObject(3, UUID.class),
                                rows.getString(4), rows.getObject(5, UUID.class), rows.getTimestamp(6).toInstant(),
                                rows.getBytes(7)));
                    }
                }
            }
            long upTo = entries.size() == batchSize ? entries.get(entries.size() - 1).position() : head;
            return new Batch(entries, Math.max(from, upTo));
        }
    }

    void store(long position) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(STORE)) {
            update.setLong(1, position);
            update.setLong(2, position);
            update.executeUpdate();
        }
    }

    /** Since when the oldest event waiting for the notifier was stored; null when none waits. */
    Instant oldestPending() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(OLDEST_PENDING);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getTimestamp(1) == null ? null : row.getTimestamp(1).toInstant();
        }
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
