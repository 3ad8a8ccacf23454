package dev.eventsync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The message state tables {@code messages}, {@code reactions}, {@code message_events} and
 * {@code markers}: loading what a batch refers to, and writing its changes back. Called after
 * the batch's conversations are locked (see {@link Conversations#load}).
 */
final class Messages {

    /**
     * The referenced messages, and whether each is visible to the user referring to it: its
     * new_message event is in that user's feed (through events' uuid index, then the feed's key).
     */
    static final String REFERENCED = """
            select r.c, r.m, r.u, m.author_uuid, m.seq, m.deleted_by is not null, m.attachment_count, m.event_uuid,
                   exists (select 1 from events e join feed f on f.position = e.position
                           where e.event_uuid = m.event_uuid and f.user_uuid = r.u)
            from unnest(?::uuid[], ?::uuid[], ?::uuid[]) as r(c, m, u)
            join messages m on m.conversation_uuid = r.c and m.message_uuid = r.m""";

    /** The conversations' last seqs: one backward step of messages_by_seq each. */
    static final String LAST_SEQS = """
            select c, coalesce((select max(seq) from messages where conversation_uuid = c), 0)
            from unnest(?::uuid[]) as c""";

    static final String MARKERS = """
            select conversation_uuid, user_uuid, read_seq, read_message_uuid, delivered_seq, delivered_message_uuid
            from markers where (conversation_uuid, user_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String MESSAGE_EVENTS = """
            select conversation_uuid, message_uuid, event_uuid from message_events
            where (conversation_uuid, message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String AUTHORS_BETWEEN = """
            select distinct author_uuid from messages where conversation_uuid = ? and seq > ? and seq <= ?""";

    /**
     * The batch's messages; each author_seq follows the author's last stored one (the batch holds
     * the conversation's lock, so it is current) and the author's earlier messages of the batch
     * (the stored rows the subquery sees do not include this statement's).
     */
    static final String INSERT_MESSAGES = """
            insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at, seq,
                                  mentioned_user_uuids, attachment_count, author_seq)
            select c, m, a, l, e, ?, s, mentions::uuid[], n,
                   coalesce((select p.author_seq from messages p where p.conversation_uuid = x.c and p.author_uuid = x.a
                             order by p.seq desc limit 1), 0)
                   + row_number() over (partition by c, a order by s)
            from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::smallint[])
                 as x(c, m, a, l, e, s, mentions, n)""";

    static final String EDIT_MESSAGES = """
            update messages set mentioned_user_uuids = x.mentions::uuid[], edited_at = ?, edit_event_uuid = x.e
            from unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[]) as x(c, m, mentions, e)
            where conversation_uuid = x.c and message_uuid = x.m""";

    /** Erasure of the current state; the events' bodies are redacted by {@link EventLog#redact}. */
    static final String DELETE_MESSAGES = """
            update messages set deleted_by = x.d, mentioned_user_uuids = '{}'
            from unnest(?::uuid[], ?::uuid[], ?::uuid[]) as x(c, m, d)
            where conversation_uuid = x.c and message_uuid = x.m""";

    static final String DELETE_MESSAGE_REACTIONS = """
            delete from reactions where (conversation_uuid, message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String SET_REACTIONS = """
            insert into reactions (conversation_uuid, message_uuid, user_uuid, reactions) values (?, ?, ?, ?)
            on conflict (conversation_uuid, message_uuid, user_uuid) do update set reactions = excluded.reactions""";

    static final String REMOVE_REACTIONS = """
            delete from reactions where conversation_uuid = ? and message_uuid = ? and user_uuid = ?""";

    static final String INSERT_MESSAGE_EVENTS = """
            insert into message_events (conversation_uuid, message_uuid, event_uuid)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[])""";

    static final String SET_MARKERS = """
            insert into markers (conversation_uuid, user_uuid, read_seq, read_message_uuid, delivered_seq, delivered_message_uuid)
            select * from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::uuid[], ?::bigint[], ?::uuid[])
            on conflict (conversation_uuid, user_uuid) do update set
                read_seq = excluded.read_seq, read_message_uuid = excluded.read_message_uuid,
                delivered_seq = excluded.delivered_seq, delivered_message_uuid = excluded.delivered_message_uuid""";

    private Messages() {}

    static MessageState load(Connection connection, Needs needs) throws SQLException {
        Map<MessageState.MessageKey, MessageState.Row> rows = new HashMap<>();
        Set<Needs.MessageRef> visible = new HashSet<>();
        if (!needs.messages.isEmpty()) {
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            List<UUID> viewers = new ArrayList<>();
            for (Needs.MessageRef ref : needs.messages) {
                conversations.add(ref.conversation());
                messages.add(ref.message());
                viewers.add(ref.viewer());
            }
            try (PreparedStatement select = connection.prepareStatement(REFERENCED)) {
                select.setArray(1, SqlArrays.uuids(connection, conversations));
                select.setArray(2, SqlArrays.uuids(connection, messages));
                select.setArray(3, SqlArrays.uuids(connection, viewers));
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        UUID conversation = r.getObject(1, UUID.class);
                        UUID message = r.getObject(2, UUID.class);
                        rows.put(new MessageState.MessageKey(conversation, message), new MessageState.Row(
                                r.getObject(4, UUID.class), r.getLong(5), r.getBoolean(6), r.getInt(7), r.getObject(8, UUID.class)));
                        if (r.getBoolean(9)) {
                            visible.add(new Needs.MessageRef(conversation, message, r.getObject(3, UUID.class)));
                        }
                    }
                }
            }
        }
        Map<UUID, Long> lastSeqs = new HashMap<>();
        if (!needs.sequenced.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(LAST_SEQS)) {
                select.setArray(1, SqlArrays.uuids(connection, needs.sequenced));
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        lastSeqs.put(r.getObject(1, UUID.class), r.getLong(2));
                    }
                }
            }
        }
        return new MessageState(rows, visible, lastSeqs, markers(connection, needs), messageEvents(connection, needs),
                (conversation, after, upTo) -> authorsBetween(connection, conversation, after, upTo));
    }

    private static Map<Needs.MemberKey, MessageState.Marker> markers(Connection connection, Needs needs) throws SQLException {
        Map<Needs.MemberKey, MessageState.Marker> markers = new HashMap<>();
        if (needs.markers.isEmpty()) {
            return markers;
        }
        List<UUID> conversations = new ArrayList<>();
        List<UUID> users = new ArrayList<>();
        needs.markers.forEach(key -> {
            conversations.add(key.conversation());
            users.add(key.user());
        });
        try (PreparedStatement select = connection.prepareStatement(MARKERS)) {
            select.setArray(1, SqlArrays.uuids(connection, conversations));
            select.setArray(2, SqlArrays.uuids(connection, users));
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    markers.put(new Needs.MemberKey(r.getObject(1, UUID.class), r.getObject(2, UUID.class)),
                            new MessageState.Marker(r.getLong(3), r.getObject(4, UUID.class), r.getLong(5), r.getObject(6, UUID.class)));
                }
            }
        }
        return markers;
    }

    private static Map<MessageState.MessageKey, List<UUID>> messageEvents(Connection connection, Needs needs) throws SQLException {
        Map<MessageState.MessageKey, List<UUID>> events = new HashMap<>();
        if (needs.deletions.isEmpty()) {
            return events;
        }
        List<UUID> conversations = new ArrayList<>();
        List<UUID> messages = new ArrayList<>();
        needs.deletions.forEach(ref -> {
            conversations.add(ref.conversation());
            messages.add(ref.message());
        });
        try (PreparedStatement select = connection.prepareStatement(MESSAGE_EVENTS)) {
            select.setArray(1, SqlArrays.uuids(connection, conversations));
            select.setArray(2, SqlArrays.uuids(connection, messages));
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    events.computeIfAbsent(new MessageState.MessageKey(r.getObject(1, UUID.class), r.getObject(2, UUID.class)),
                            key -> new ArrayList<>()).add(r.getObject(3, UUID.class));
                }
            }
        }
        return events;
    }

    /** Asked while the batch is decided; a database failure is carried out as {@link StateReadFailure}. */
    private static Set<UUID> authorsBetween(Connection connection, UUID conversation, long after, long upTo) {
        Set<UUID> authors = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(AUTHORS_BETWEEN)) {
            select.setObject(1, conversation);
            select.setLong(2, after);
            select.setLong(3, upTo);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    authors.add(r.getObject(1, UUID.class));
                }
            }
        } catch (SQLException e) {
            throw new StateReadFailure(e);
        }
        return authors;
    }

    static void write(Connection connection, MessageState state, Instant at) throws SQLException {
        Timestamp time = Timestamp.from(at);
        if (!state.newMessages.isEmpty()) {
            int n = state.newMessages.size();
            List<UUID> conversations = new ArrayList<>(n);
            List<UUID> messages = new ArrayList<>(n);
            List<UUID> authors = new ArrayList<>(n);
            List<UUID> localUuids = new ArrayList<>(n);
            List<UUID> eventUuids = new ArrayList<>(n);
            Long[] seqs = new Long[n];
            String[] mentions = new String[n];
            Short[] attachments = new Short[n];
            state.newMessages.forEach((key, row) -> {
                seqs[conversations.size()] = row.seq();
                attachments[conversations.size()] = (short) row.attachments();
                mentions[conversations.size()] = SqlArrays.uuidLiteral(state.mentions.getOrDefault(key, List.of()));
                conversations.add(key.conversation());
                messages.add(key.message());
                authors.add(row.author());
                localUuids.add(row.localUuid());
                eventUuids.add(row.eventUuid());
            });
            try (PreparedStatement insert = connection.prepareStatement(INSERT_MESSAGES)) {
                insert.setTimestamp(1, time);
                insert.setArray(2, SqlArrays.uuids(connection, conversations));
                insert.setArray(3, SqlArrays.uuids(connection, messages));
                insert.setArray(4, SqlArrays.uuids(connection, authors));
                insert.setArray(5, SqlArrays.uuids(connection, localUuids));
                insert.setArray(6, SqlArrays.uuids(connection, eventUuids));
                insert.setArray(7, connection.createArrayOf("bigint", seqs));
                insert.setArray(8, connection.createArrayOf("text", mentions));
                insert.setArray(9, connection.createArrayOf("smallint", attachments));
                insert.executeUpdate();
            }
        }
        if (!state.edits.isEmpty()) {
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            List<String> mentions = new ArrayList<>();
            List<UUID> events = new ArrayList<>();
            state.edits.forEach((key, edit) -> {
                conversations.add(key.conversation());
                messages.add(key.message());
                mentions.add(SqlArrays.uuidLiteral(state.mentions.getOrDefault(key, List.of())));
                events.add(edit.eventUuid());
            });
            try (PreparedStatement update = connection.prepareStatement(EDIT_MESSAGES)) {
                update.setTimestamp(1, time);
                update.setArray(2, SqlArrays.uuids(connection, conversations));
                update.setArray(3, SqlArrays.uuids(connection, messages));
                update.setArray(4, connection.createArrayOf("text", mentions.toArray()));
                update.setArray(5, SqlArrays.uuids(connection, events));
                update.executeUpdate();
            }
        }
        if (!state.messageEvents.isEmpty()) {
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            List<UUID> events = new ArrayList<>();
            for (MessageState.MessageEvent event : state.messageEvents) {
                conversations.add(event.message().conversation());
                messages.add(event.message().message());
                events.add(event.eventUuid());
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT_MESSAGE_EVENTS)) {
                insert.setArray(1, SqlArrays.uuids(connection, conversations));
                insert.setArray(2, SqlArrays.uuids(connection, messages));
                insert.setArray(3, SqlArrays.uuids(connection, events));
                insert.executeUpdate();
            }
        }
        writeReactions(connection, state);
        if (!state.deletions.isEmpty()) {
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            List<UUID> deletedBy = new ArrayList<>();
            state.deletions.forEach((key, by) -> {
                conversations.add(key.conversation());
                messages.add(key.message());
                deletedBy.add(by);
            });
            try (PreparedStatement update = connection.prepareStatement(DELETE_MESSAGES);
                 PreparedStatement delete = connection.prepareStatement(DELETE_MESSAGE_REACTIONS)) {
                update.setArray(1, SqlArrays.uuids(connection, conversations));
                update.setArray(2, SqlArrays.uuids(connection, messages));
                update.setArray(3, SqlArrays.uuids(connection, deletedBy));
                update.executeUpdate();
                delete.setArray(1, SqlArrays.uuids(connection, conversations));
                delete.setArray(2, SqlArrays.uuids(connection, messages));
                delete.executeUpdate();
            }
        }
        writeMarkers(connection, state);
    }

    /** Reaction changes are rare next to messages: one batched statement per kind of change. */
    private static void writeReactions(Connection connection, MessageState state) throws SQLException {
        if (state.reactions.isEmpty()) {
            return;
        }
        try (PreparedStatement set = connection.prepareStatement(SET_REACTIONS);
             PreparedStatement remove = connection.prepareStatement(REMOVE_REACTIONS)) {
            boolean sets = false;
            boolean removes = false;
            for (Map.Entry<MessageState.ReactionKey, List<String>> entry : state.reactions.entrySet()) {
                MessageState.ReactionKey key = entry.getKey();
                PreparedStatement statement = entry.getValue().isEmpty() ? remove : set;
                statement.setObject(1, key.conversation());
                statement.setObject(2, key.message());
                statement.setObject(3, key.user());
                if (entry.getValue().isEmpty()) {
                    removes = true;
                } else {
                    statement.setArray(4, connection.createArrayOf("text", entry.getValue().toArray()));
                    sets = true;
                }
                statement.addBatch();
            }
            if (sets) {
                set.executeBatch();
            }
            if (removes) {
                remove.executeBatch();
            }
        }
    }

    private static void writeMarkers(Connection connection, MessageState state) throws SQLException {
        if (state.movedMarkers.isEmpty()) {
            return;
        }
        int n = state.movedMarkers.size();
        List<UUID> conversations = new ArrayList<>(n);
        List<UUID> users = new ArrayList<>(n);
        Long[] readSeqs = new Long[n];
        List<UUID> readMessages = new ArrayList<>(n);
        Long[] deliveredSeqs = new Long[n];
        List<UUID> deliveredMessages = new ArrayList<>(n);
        for (Needs.MemberKey key : state.movedMarkers) {
            MessageState.Marker marker = state.markers().get(key);
            readSeqs[conversations.size()] = marker.readSeq();
            deliveredSeqs[conversations.size()] = marker.deliveredSeq();
            conversations.add(key.conversation());
            users.add(key.user());
            readMessages.add(marker.readMessage());
            deliveredMessages.add(marker.deliveredMessage());
        }
        try (PreparedStatement upsert = connection.prepareStatement(SET_MARKERS)) {
            upsert.setArray(1, SqlArrays.uuids(connection, conversations));
            upsert.setArray(2, SqlArrays.uuids(connection, users));
            upsert.setArray(3, connection.createArrayOf("bigint", readSeqs));
            upsert.setArray(4, SqlArrays.uuids(connection, readMessages));
            upsert.setArray(5, connection.createArrayOf("bigint", deliveredSeqs));
            upsert.setArray(6, SqlArrays.uuids(connection, deliveredMessages));
            upsert.executeUpdate();
        }
    }
}
