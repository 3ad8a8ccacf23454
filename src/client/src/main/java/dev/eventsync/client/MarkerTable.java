package dev.eventsync.client;

import dev.eventsync.client.LocalModel.Marker;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code markers} table: each member's read and delivered marker per conversation, the
 * furthest message in feed order any of their events named. A read counts as delivered too
 * (API.md). Markers only move forward, so events of older messages arriving later change nothing.
 */
final class MarkerTable {

    static final String MOVE = """
            insert into markers (conversation_uuid, user_uuid, read_uuid, read_order, delivered_uuid, delivered_order)
            values (?, ?, ?, ?, ?, ?)
            on conflict (conversation_uuid, user_uuid) do update set
                read_uuid = case when excluded.read_order > markers.read_order then excluded.read_uuid else markers.read_uuid end,
                read_order = max(markers.read_order, excluded.read_order),
                delivered_uuid = case when excluded.delivered_order > markers.delivered_order
                                      then excluded.delivered_uuid else markers.delivered_uuid end,
                delivered_order = max(markers.delivered_order, excluded.delivered_order)""";
    static final String OF_CONVERSATION = """
            select user_uuid, coalesce(read_uuid, ''), coalesce(delivered_uuid, '') from markers
            where conversation_uuid = ? order by user_uuid""";
    static final String OF_USER = """
            select user_uuid, coalesce(read_uuid, ''), coalesce(delivered_uuid, ''), delivered_order from markers
            where conversation_uuid = ? and user_uuid = ?""";

    /** Snapshot's markers: the uuid kept even for a message we do not hold (yet: History may bring it). */
    static final String PUT = """
            insert into markers (conversation_uuid, user_uuid, read_uuid, read_order, delivered_uuid, delivered_order)
            values (?, ?, ?, ?, ?, ?)""";
    /** A page of History brought the message a marker names: the marker gets its place in the order. */
    static final String PLACE_READ = """
            update markers set read_order = (select feed_order from messages where uuid = markers.read_uuid)
            where conversation_uuid = ? and read_order = 0 and read_uuid in (select uuid from messages where feed_order is not null)""";
    static final String PLACE_DELIVERED = """
            update markers set delivered_order = (select feed_order from messages where uuid = markers.delivered_uuid)
            where conversation_uuid = ? and delivered_order = 0
              and delivered_uuid in (select uuid from messages where feed_order is not null)""";
    static final String SHIFT = """
            update markers set read_order = case when read_order > 0 then read_order + ? else 0 end,
                delivered_order = case when delivered_order > 0 then delivered_order + ? else 0 end
            where conversation_uuid = ?""";
    static final String CLEAR = "delete from markers";

    private MarkerTable() {}

    static void put(Connection c, String conversation, String user, String read, String delivered) throws SQLException {
        String readUuid = read.isEmpty() ? null : read;
        String deliveredUuid = delivered.isEmpty() ? readUuid : delivered;
        Sql.update(c, PUT, conversation, user, readUuid, readUuid == null ? 0 : MessageTable.feedOrder(c, readUuid),
                deliveredUuid, deliveredUuid == null ? 0 : MessageTable.feedOrder(c, deliveredUuid));
    }

    static void place(Connection c, String conversation) throws SQLException {
        Sql.update(c, PLACE_READ, conversation);
        Sql.update(c, PLACE_DELIVERED, conversation);
    }

    static void shift(Connection c, String conversation, long by) throws SQLException {
        Sql.update(c, SHIFT, by, by, conversation);
    }

    static void clear(Connection c) throws SQLException {
        Sql.update(c, CLEAR);
    }

    static void read(Connection c, String conversation, String user, String messageUuid) throws SQLException {
        long order = MessageTable.feedOrder(c, messageUuid);
        Sql.update(c, MOVE, conversation, user, order == 0 ? null : messageUuid, order, order == 0 ? null : messageUuid, order);
    }

    static void delivered(Connection c, String conversation, String user, String messageUuid) throws SQLException {
        long order = MessageTable.feedOrder(c, messageUuid);
        Sql.update(c, MOVE, conversation, user, null, 0, order == 0 ? null : messageUuid, order);
    }

    static List<Marker> ofConversation(Connection c, String conversation) throws SQLException {
        return Sql.list(c, OF_CONVERSATION, row -> new Marker(row.getString(1), row.getString(2), row.getString(3)), conversation);
    }

    /** The user's marker; empty uuids when they have none. */
    static Marker of(Connection c, String conversation, String user) throws SQLException {
        Marker marker = Sql.first(c, OF_USER, row -> new Marker(row.getString(1), row.getString(2), row.getString(3)),
                conversation, user);
        return marker != null ? marker : new Marker(user, "", "");
    }

    /** How far the user's delivered marker reaches, in feed order (0: nowhere). */
    static long deliveredOrder(Connection c, String conversation, String user) throws SQLException {
        Long order = Sql.first(c, OF_USER, row -> row.getLong(4), conversation, user);
        return order == null ? 0 : order;
    }
}
