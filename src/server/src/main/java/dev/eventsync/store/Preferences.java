package dev.eventsync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The tables of each user's own choices, {@code blocks} and {@code conversation_settings}. */
final class Preferences {

    /** Blocks in either direction (blocks_by_blocked serves the second half). */
    static final String BLOCKS = """
            select user_uuid, blocked_uuid from blocks where user_uuid = any(?)
            union
            select user_uuid, blocked_uuid from blocks where blocked_uuid = any(?)""";

    /**
     * The users whose blocks a batch reads (shared) or changes (exclusive, both users of a block),
     * in uuid order, after the conversation locks like every lock of a batch. Without it a block
     * and an add of the blocked user, in two writer lanes or on two instances, could each be
     * decided without the other and both be accepted; with it the later one waits for the
     * earlier's commit and is decided on it. Batches of messages only take none.
     */
    static final String LOCK_BLOCKS = """
            select case when l.x then pg_advisory_xact_lock(hashtextextended(l.u::text, %1$d))::text
                        else pg_advisory_xact_lock_shared(hashtextextended(l.u::text, %1$d))::text end
            from (select u, x from unnest(?::uuid[], ?::boolean[]) as i(u, x) order by u) as l""".formatted(UserLock.BLOCKS);

    static final String BLOCK = """
            insert into blocks (user_uuid, blocked_uuid) values (?, ?) on conflict do nothing""";

    static final String UNBLOCK = """
            delete from blocks where user_uuid = ? and blocked_uuid = ?""";

    static final String SET_SETTINGS = """
            insert into conversation_settings (conversation_uuid, user_uuid, muted_until, archived, pinned)
            values (?, ?, ?, ?, ?)
            on conflict (conversation_uuid, user_uuid) do update set
                muted_until = excluded.muted_until, archived = excluded.archived, pinned = excluded.pinned""";

    private Preferences() {}

    static PreferenceState load(Connection connection, Needs needs) throws SQLException {
        Set<PreferenceState.Block> blocks = new HashSet<>();
        lockBlocks(connection, needs);
        if (!needs.blockParties.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(BLOCKS)) {
                select.setArray(1, SqlArrays.uuids(connection, needs.blockParties));
                select.setArray(2, SqlArrays.uuids(connection, needs.blockParties));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        blocks.add(new PreferenceState.Block(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class)));
                    }
                }
            }
        }
        return new PreferenceState(blocks);
    }

    private static void lockBlocks(Connection connection, Needs needs) throws SQLException {
        Set<UUID> users = new HashSet<>(needs.blockParties);
        users.addAll(needs.blockChanges);
        if (users.isEmpty()) {
            return;
        }
        List<UUID> uuids = new ArrayList<>(users);
        Boolean[] exclusive = uuids.stream().map(needs.blockChanges::contains).toArray(Boolean[]::new);
        try (PreparedStatement lock = connection.prepareStatement(LOCK_BLOCKS)) {
            lock.setArray(1, SqlArrays.uuids(connection, uuids));
            lock.setArray(2, connection.createArrayOf("boolean", exclusive));
            lock.executeQuery().close();
        }
    }

    static void write(Connection connection, PreferenceState state) throws SQLException {
        if (!state.blockChanges.isEmpty()) {
            try (PreparedStatement block = connection.prepareStatement(BLOCK);
                 PreparedStatement unblock = connection.prepareStatement(UNBLOCK)) {
                boolean blocks = false;
                boolean unblocks = false;
                for (Map.Entry<PreferenceState.Block, Boolean> change : state.blockChanges.entrySet()) {
                    PreparedStatement statement = change.getValue() ? block : unblock;
                    statement.setObject(1, change.getKey().user());
                    statement.setObject(2, change.getKey().blocked());
                    statement.addBatch();
                    blocks |= change.getValue();
                    unblocks |= !change.getValue();
                }
                if (blocks) {
                    block.executeBatch();
                }
                if (unblocks) {
                    unblock.executeBatch();
                }
            }
        }
        if (!state.settings.isEmpty()) {
            try (PreparedStatement upsert = connection.prepareStatement(SET_SETTINGS)) {
                for (Map.Entry<Needs.MemberKey, PreferenceState.Settings> entry : state.settings.entrySet()) {
                    PreferenceState.Settings settings = entry.getValue();
                    upsert.setObject(1, entry.getKey().conversation());
                    upsert.setObject(2, entry.getKey().user());
                    upsert.setTimestamp(3, settings.mutedUntil() == null ? null : Timestamp.from(settings.mutedUntil()));
                    upsert.setBoolean(4, settings.archived());
                    upsert.setBoolean(5, settings.pinned());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        }
    }
}
