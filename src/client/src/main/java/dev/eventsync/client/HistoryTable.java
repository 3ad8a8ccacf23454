package dev.eventsync.client;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code history} table: per conversation, whether the server holds messages older than our
 * oldest one, and how many of those are unread for us (so a model holding only the last messages
 * still shows the server's unread counts). No row: unknown (a model replayed from the feed),
 * nothing unread before our messages.
 */
final class HistoryTable {

    /** What lies before a conversation's oldest local message. */
    record Older(boolean complete, Unread unread) {
        static final Older UNKNOWN = new Older(false, new Unread(0, 0));
    }

    static final String PUT = """
            insert into history (conversation_uuid, complete, older_unread, older_mentions) values (?, ?, ?, ?)
            on conflict (conversation_uuid) do update set complete = excluded.complete,
                older_unread = excluded.older_unread, older_mentions = excluded.older_mentions""";
    static final String GET = "select complete, older_unread, older_mentions from history where conversation_uuid = ?";
    static final String CLEAR = "delete from history";

    private HistoryTable() {}

    static void put(Connection c, String conversation, Older older) throws SQLException {
        Sql.update(c, PUT, conversation, older.complete() ? 1 : 0, older.unread().messages(), older.unread().mentions());
    }

    static Older get(Connection c, String conversation) throws SQLException {
        Older older = Sql.first(c, GET, row -> new Older(row.getInt(1) == 1, new Unread(row.getInt(2), row.getInt(3))),
                conversation);
        return older != null ? older : Older.UNKNOWN;
    }

    static void clear(Connection c) throws SQLException {
        Sql.update(c, CLEAR);
    }
}
