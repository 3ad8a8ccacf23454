package dev.eventsync.store;

import dev.eventsync.events.Delivery;
import dev.eventsync.events.KnownEvent;
import dev.eventsync.events.Redaction;
import dev.eventsync.events.StoredBodies;
import dev.eventsync.live.Notifications;
import dev.eventsync.proto.v1.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The log tables: {@code event_ids} (idempotency), {@code events} and {@code feed} (append-only,
 * enforced by triggers) and {@code log_head} (the position lock).
 */
final class EventLog {

    static final String KNOWN_EVENTS = """
            select event_uuid, author_uuid, content_hash, stored_at, message_uuid, redacted
            from event_ids where event_uuid = any(?)""";

    /**
     * Claims the batch's event uuids. A uuid claimed meanwhile by a concurrent batch (another
     * instance) waits for that batch's commit, then is skipped: fewer rows than asked means the
     * batch must be decided again, and then answers duplicate or conflict.
     */
    static final String CLAIM_EVENT_IDS = """
            insert into event_ids (event_uuid, author_uuid, content_hash, stored_at, message_uuid, redacted)
            select e, a, h, ?, m, r from unnest(?::uuid[], ?::uuid[], ?::bytea[], ?::uuid[], ?::boolean[]) as i(e, a, h, m, r)
            order by e
            on conflict do nothing""";

    /**
     * The only statement under the position lock, in one round trip: take n positions from the
     * head row (its row lock is held to commit, so position order is commit order on every
     * instance, with no gaps a reader could skip), insert the events and their feed rows, and
     * queue the batch's notifications (PostgreSQL sends them at commit, in order).
     */
    static final String APPEND = """
            with head as (
                update log_head set last_position = last_position + ? returning last_position - ? as base, last_position
            ), appended as (
                insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body, redacted)
                select head.base + e.ord, e.event_uuid, e.author_uuid, e.kind, e.conversation_uuid, ?, e.body, e.redacted
                from head, unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::bytea[], ?::boolean[])
                     with ordinality as e(event_uuid, author_uuid, kind, conversation_uuid, body, redacted, ord)
                returning position, event_uuid
            )
            , fed as (
                insert into feed (user_uuid, position, event_uuid)
                select f.user_uuid, appended.position, appended.event_uuid
                from head cross join unnest(?::uuid[], ?::bigint[]) as f(user_uuid, ord)
                join appended on appended.position = head.base + f.ord
            )
            select count(pg_notify(?, p)) from (
                select ? || head.last_position || ? from head
                union all
                select * from unnest(?::text[])
            ) as notifications(p)""";

    static final String BODIES = """
            select event_uuid, body from events where event_uuid = any(?) and not redacted""";

    /** The one change the log allows (DESIGN.md decision 11; the triggers allow exactly this). */
    static final String REDACT_EVENTS = """
            update events set body = r.body, redacted = true
            from unnest(?::uuid[], ?::bytea[]) as r(event_uuid, body)
            where events.event_uuid = r.event_uuid""";

    /** The content hash of a redacted event is erased with its content. */
    static final String REDACT_EVENT_IDS = """
            update event_ids set content_hash = ?, redacted = true where event_uuid = any(?) and not redacted""";

    /** What an erased content hash becomes (the column holds 32 bytes). */
    static final byte[] ERASED_HASH = new byte[32];

    /** Notifications of a batch that stored nothing (typing only); sent at commit. */
    static final String NOTIFY = """
            select count(pg_notify(?, p)) from unnest(?::text[]) as p""";

    /**
     * One stored event of a batch, with what its idempotency row needs. {@code redacted}: its
     * message was deleted later in the same batch, so it is stored already redacted.
     */
    record Appended(UUID author, byte[] contentHash, Delivery.Stored stored, boolean redacted) {

        Appended redact() {
            Delivery.Stored s = stored;
            return new Appended(author, ERASED_HASH, new Delivery.Stored(s.eventUuid(), s.kind(), s.conversation(),
                    Redaction.redact(s.delivered()), s.recipients(), s.messageUuid()), true);
        }
    }

    private EventLog() {}

    static Map<UUID, KnownEvent> knownEvents(Connection connection, Set<UUID> eventUuids) throws SQLException {
        Map<UUID, KnownEvent> known = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(KNOWN_EVENTS)) {
            select.setArray(1, SqlArrays.uuids(connection, eventUuids));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID uuid = rows.getObject(1, UUID.class);
                    known.put(uuid, new KnownEvent(uuid, rows.getObject(2, UUID.class), rows.getBytes(3),
                            rows.getTimestamp(4).toInstant(), rows.getObject(5, UUID.class), rows.getBoolean(6)));
                }
            }
        }
        return known;
    }

    /** Returns false when a concurrent batch claimed one of these uuids first. */
    static boolean claim(Connection connection, List<Appended> batch, Instant at) throws SQLException {
        List<UUID> uuids = new ArrayList<>(batch.size());
        List<UUID> authors = new ArrayList<>(batch.size());
        byte[][] hashes = new byte[batch.size()][];
        List<UUID> messages = new ArrayList<>(batch.size());
        Boolean[] redacted = new Boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Appended a = batch.get(i);
            uuids.add(a.stored().eventUuid());
            authors.add(a.author());
            hashes[i] = a.contentHash();
            messages.add(a.stored().messageUuid());
            redacted[i] = a.redacted();
        }
        try (PreparedStatement insert = connection.prepareStatement(CLAIM_EVENT_IDS)) {
            insert.setTimestamp(1, Timestamp.from(at));
            insert.setArray(2, SqlArrays.uuids(connection, uuids));
            insert.setArray(3, SqlArrays.uuids(connection, authors));
            insert.setArray(4, connection.createArrayOf("bytea", hashes));
            insert.setArray(5, SqlArrays.uuids(connection, messages));
            insert.setArray(6, connection.createArrayOf("boolean", redacted));
            return insert.executeUpdate() == batch.size();
        }
    }

    /**
     * Appends the batch under the position lock, with its wake-up (completed here with the
     * batch's last position, which only this statement knows) and its transitory events.
     */
    static void append(Connection connection, List<Appended> batch, Instant at, Notifications.WakeText wake,
                       List<String> transitory) throws SQLException {
        int n = batch.size();
        List<UUID> uuids = new ArrayList<>(n);
        List<UUID> authors = new ArrayList<>(n);
        String[] kinds = new String[n];
        List<UUID> conversations = new ArrayList<>(n);
        byte[][] bodies = new byte[n][];
        Boolean[] redacted = new Boolean[n];
        List<UUID> feedUsers = new ArrayList<>();
        List<Long> feedOrdinals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delivery.Stored stored = batch.get(i).stored();
            uuids.add(stored.eventUuid());
            authors.add(batch.get(i).author());
            kinds[i] = stored.kind();
            conversations.add(stored.conversation());
            bodies[i] = stored.delivered().toByteArray();
            redacted[i] = batch.get(i).redacted();
            for (UUID recipient : stored.recipients()) {
                feedUsers.add(recipient);
                feedOrdinals.add((long) i + 1);
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(APPEND)) {
            insert.setInt(1, n);
            insert.setInt(2, n);
            insert.setTimestamp(3, Timestamp.from(at));
            insert.setArray(4, SqlArrays.uuids(connection, uuids));
            insert.setArray(5, SqlArrays.uuids(connection, authors));
            insert.setArray(6, connection.createArrayOf("text", kinds));
            insert.setArray(7, SqlArrays.uuids(connection, conversations));
            insert.setArray(8, connection.createArrayOf("bytea", bodies));
            insert.setArray(9, connection.createArrayOf("boolean", redacted));
            insert.setArray(10, SqlArrays.uuids(connection, feedUsers));
            insert.setArray(11, connection.createArrayOf("bigint", feedOrdinals.toArray()));
            insert.setString(12, Notifications.CHANNEL);
            insert.setString(13, wake.beforePosition());
            insert.setString(14, wake.afterPosition());
            insert.setArray(15, connection.createArrayOf("text", transitory.toArray()));
            insert.executeQuery().close();
        }
    }

    /**
     * Replaces the stored bodies of these events by their redacted form and erases their
     * content hashes. Positions, uuids and feed rows stay, so every cursor keeps its meaning.
     */
    static void redact(Connection connection, Set<UUID> eventUuids) throws SQLException {
        List<UUID> uuids = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(BODIES)) {
            select.setArray(1, SqlArrays.uuids(connection, eventUuids));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    uuids.add(rows.getObject(1, UUID.class));
                    bodies.add(Redaction.redact(StoredBodies.parse(rows.getBytes(2))).toByteArray());
                }
            }
        }
        if (!uuids.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(REDACT_EVENTS)) {
                update.setArray(1, SqlArrays.uuids(connection, uuids));
                update.setArray(2, connection.createArrayOf("bytea", bodies.toArray(new byte[0][])));
                update.executeUpdate();
            }
        }
        try (PreparedStatement update = connection.prepareStatement(REDACT_EVENT_IDS)) {
            update.setBytes(1, ERASED_HASH);
            update.setArray(2, SqlArrays.uuids(connection, eventUuids));
            update.executeUpdate();
        }
    }

    static void notify(Connection connection, List<String> notifications) throws SQLException {
        try (PreparedStatement notify = connection.prepareStatement(NOTIFY)) {
            notify.setString(1, Notifications.CHANNEL);
            notify.setArray(2, connection.createArrayOf("text", notifications.toArray()));
            notify.executeQuery().close();
        }
    }
}
