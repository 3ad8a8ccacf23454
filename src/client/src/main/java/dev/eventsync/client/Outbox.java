package dev.eventsync.client;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The events waiting to reach the server, in the order they were sent. The {@code seq}
 * autoincrement is the order; an event leaves only when the server answered it (accepted or
 * rejected), so a transport failure can neither drop nor reorder anything. The body is the
 * serialized event, resent byte for byte, which is what the server's duplicate check compares.
 */
final class Outbox {

    /** One queued event. */
    record Entry(long seq, Event event, int size) {}

    static final String INSERT = "insert into outbox (event_uuid, body, enqueued_at) values (?, ?, ?)";
    static final String HEAD = "select seq, body from outbox order by seq limit ?";
    static final String DELETE = "delete from outbox where seq = ?";
    static final String COUNT = "select count(*) from outbox";
    static final String ALL = "select seq, body from outbox order by seq";

    private Outbox() {}

    static void append(Connection connection, Event event) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            statement.setString(1, event.getUuid());
            statement.setBytes(2, event.toByteArray());
            statement.setLong(3, System.currentTimeMillis());
            statement.executeUpdate();
        }
    }

    /** The oldest entries: at most {@code maxEvents}, and at most {@code maxBytes} unless one entry alone is larger. */
    static List<Entry> head(Connection connection, int maxEvents, int maxBytes) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        try (PreparedStatement statement = connection.prepareStatement(HEAD)) {
            statement.setInt(1, maxEvents);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    byte[] body = rows.getBytes(2);
                    if (!entries.isEmpty() && bytes + body.length > maxBytes) {
                        break;
                    }
                    bytes += body.length;
                    entries.add(new Entry(rows.getLong(1), parse(body), body.length));
                }
            }
        }
        return entries;
    }

    static List<Event> all(Connection connection) throws SQLException {
        List<Event> events = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(ALL);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                events.add(parse(rows.getBytes(2)));
            }
        }
        return events;
    }

    static void remove(Connection connection, long seq) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(DELETE)) {
            statement.setLong(1, seq);
            statement.executeUpdate();
        }
    }

    static int size(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNT);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static Event parse(byte[] body) throws SQLException {
        try {
            return Event.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("an outbox entry is not a serialized Event: " + e.getMessage(), e);
        }
    }
}
