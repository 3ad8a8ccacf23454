package dev.eventsync.store;

import com.google.protobuf.ByteString;
import dev.eventsync.events.MediaFacts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The {@code media_refs} table (migration V11), maintained by the batch that stores the
 * referencing events, and the batch's reads and locks of {@code media} rows. Cost on the append
 * path: nothing for a batch without attachments, pictures by media or deletes (no statement
 * runs); a message with k attachments adds one locking read of k media rows (by primary key) and
 * k rows in media_refs (its primary key and the partial index by message), all in one statement
 * per batch; a delete adds one indexed delete and, when media lose their last reference, a
 * lock and an update of those media rows.
 *
 * <p>Locking: a batch share-locks the complete media it names (after its conversation locks);
 * whoever erases a media first locks its row for update, then checks for references in a new
 * statement (a fresh snapshot under READ COMMITTED). So either the eraser waits for the
 * referencing batch and then sees its reference, or the batch waits for the eraser and then sees
 * the row 'erasing' (UNKNOWN_MEDIA). Rows are locked in uuid order.
 */
public final class MediaRefs {

    static final String LOAD_COMPLETE = """
            select media_uuid, owner_uuid, content_type, size_bytes, sha256 from media
            where media_uuid = any(?) and state = 'complete' order by media_uuid for share""";

    static final String INSERT = """
            insert into media_refs (media_uuid, event_uuid, conversation_uuid, message_uuid)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[])
            on conflict do nothing""";

    static final String DELETE_OF_MESSAGES = """
            delete from media_refs where message_uuid is not null
            and (conversation_uuid, message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))
            returning media_uuid""";

    static final String LOCK_COMPLETE = """
            select media_uuid from media where media_uuid = any(?) and state = 'complete' order by media_uuid for update""";

    /** Run after {@link #LOCK_COMPLETE}, in its own statement: its snapshot sees every reference committed before the lock. */
    static final String MARK_ERASING_UNREFERENCED = """
            update media set state = 'erasing', updated_at = now()
            where media_uuid = any(?) and state = 'complete'
            and not exists (select 1 from media_refs r where r.media_uuid = media.media_uuid)
            returning media_uuid""";

    private MediaRefs() {}

    static MediaState load(Connection connection, Set<UUID> media) throws SQLException {
        Map<UUID, MediaFacts> complete = new HashMap<>();
        if (!media.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(LOAD_COMPLETE)) {
                select.setArray(1, SqlArrays.uuids(connection, media));
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        complete.put(r.getObject(1, UUID.class), new MediaFacts(r.getObject(2, UUID.class), r.getString(3),
                                r.getLong(4), ByteString.copyFrom(r.getBytes(5))));
                    }
                }
            }
        }
        return new MediaState(complete);
    }

    /** Writes the batch's references; returns the media its deletes left unreferenced, now 'erasing' (their bytes go after commit). */
    static Set<UUID> write(Connection connection, MediaState state) throws SQLException {
        if (!state.added.isEmpty()) {
            List<UUID> media = new ArrayList<>();
            List<UUID> events = new ArrayList<>();
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            for (MediaState.Ref ref : state.added) {
                media.add(ref.media());
                events.add(ref.eventUuid());
                conversations.add(ref.conversation());
                messages.add(ref.message());
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setArray(1, SqlArrays.uuids(connection, media));
                insert.setArray(2, SqlArrays.uuids(connection, events));
                insert.setArray(3, SqlArrays.uuids(connection, conversations));
                insert.setArray(4, SqlArrays.uuids(connection, messages));
                insert.executeUpdate();
            }
        }
        if (state.deletedMessages.isEmpty()) {
            return Set.of();
        }
        List<UUID> conversations = new ArrayList<>();
        List<UUID> messages = new ArrayList<>();
        state.deletedMessages.forEach(key -> {
            conversations.add(key.conversation());
            messages.add(key.message());
        });
        Set<UUID> released = new TreeSet<>();
        try (PreparedStatement delete = connection.prepareStatement(DELETE_OF_MESSAGES)) {
            delete.setArray(1, SqlArrays.uuids(connection, conversations));
            delete.setArray(2, SqlArrays.uuids(connection, messages));
            try (ResultSet r = delete.executeQuery()) {
                while (r.next()) {
                    released.add(r.getObject(1, UUID.class));
                }
            }
        }
        return markErasingIfUnreferenced(connection, released);
    }

    /**
     * Marks 'erasing' those of these complete media that no event references any more, in the
     * caller's transaction; returns them. Locks first, then checks (see the class comment).
     */
    public static Set<UUID> markErasingIfUnreferenced(Connection connection, Set<UUID> media) throws SQLException {
        Set<UUID> erasing = new TreeSet<>();
        if (media.isEmpty()) {
            return erasing;
        }
        try (PreparedStatement lock = connection.prepareStatement(LOCK_COMPLETE)) {
            lock.setArray(1, SqlArrays.uuids(connection, media));
            try (ResultSet r = lock.executeQuery()) {
                while (r.next()) {
                    // locked; the check comes in the next statement
                }
            }
        }
        try (PreparedStatement mark = connection.prepareStatement(MARK_ERASING_UNREFERENCED)) {
            mark.setArray(1, SqlArrays.uuids(connection, media));
            try (ResultSet r = mark.executeQuery()) {
                while (r.next()) {
                    erasing.add(r.getObject(1, UUID.class));
                }
            }
        }
        return erasing;
    }
}
