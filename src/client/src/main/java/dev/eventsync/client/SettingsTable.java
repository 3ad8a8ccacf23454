package dev.eventsync.client;

import dev.eventsync.client.LocalModel.Settings;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** The {@code settings} table: this user's own settings per conversation, the latest event's whole set. */
final class SettingsTable {

    static final String PUT = """
            insert into settings (conversation_uuid, muted_until, archived, pinned) values (?, ?, ?, ?)
            on conflict (conversation_uuid) do update set muted_until = excluded.muted_until,
                archived = excluded.archived, pinned = excluded.pinned""";
    static final String GET = "select muted_until, archived, pinned from settings where conversation_uuid = ?";

    static final String CLEAR = "delete from settings";

    private SettingsTable() {}

    static void clear(Connection c) throws SQLException {
        Sql.update(c, CLEAR);
    }

    static void put(Connection c, ConversationSettingsChanged settings) throws SQLException {
        Sql.update(c, PUT, settings.getConversationUuid(),
                settings.hasMutedUntil() ? MessageTable.millis(settings.getMutedUntil()) : null,
                settings.getArchived() ? 1 : 0, settings.getPinned() ? 1 : 0);
    }

    /** The defaults (not muted, not archived, not pinned) when never set. */
    static Settings get(Connection c, String conversation) throws SQLException {
        Settings settings = Sql.first(c, GET, row -> {
            long muted = row.getLong(1);
            Instant mutedUntil = row.wasNull() ? null : Instant.ofEpochMilli(muted);
            return new Settings(mutedUntil, row.getInt(2) == 1, row.getInt(3) == 1);
        }, conversation);
        return settings != null ? settings : Settings.DEFAULT;
    }
}
