package dev.eventsync.client;

import com.google.protobuf.Timestamp;
import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.client.LocalModel.State;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessageEdited;
import dev.eventsync.proto.v1.NewMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code messages} table: each message's current text, mentions, reply, attachments, edit
 * mark and tombstone, as the feed says (our own pending sends included). A delete erases the text here
 * too, and the edit mark (a replay from empty, whose edits arrive redacted, shows none either); an
 * edit of a deleted message changes nothing, so replaying redacted events cannot bring anything back.
 */
final class MessageTable {

    static final String INSERT_PENDING = """
            insert into messages (local_uuid, conversation_uuid, author_uuid, text, state, reply_to_uuid, mentions, attachments)
            values (?, ?, ?, ?, 'pending', ?, ?, ?)""";
    static final String SENT = """
            update messages set uuid = ?, state = 'sent', sent_at = coalesce(sent_at, ?)
            where local_uuid = ? and author_uuid = ?""";
    static final String FAILED = """
            update messages set state = 'failed', failure = ? where local_uuid = ? and author_uuid = ? and state = 'pending'""";
    static final String NEXT_FEED_ORDER = "select coalesce(max(feed_order), 0) + 1 from messages";
    /** Our own message: the row our pending send made, matched by our local uuid. */
    static final String UPSERT_MINE = """
            insert into messages (local_uuid, uuid, conversation_uuid, author_uuid, text, sent_at, feed_order, state,
                                  reply_to_uuid, mentions, deleted, attachments)
            values (?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?)
            on conflict (local_uuid) do update set uuid = excluded.uuid, sent_at = excluded.sent_at,
                feed_order = coalesce(messages.feed_order, excluded.feed_order), state = 'sent', failure = null,
                text = case when messages.deleted = 1 then '' else excluded.text end,
                reply_to_uuid = case when messages.deleted = 1 then null else excluded.reply_to_uuid end,
                mentions = case when messages.deleted = 1 then '' else excluded.mentions end,
                attachments = case when messages.deleted = 1 then null else excluded.attachments end,
                deleted = max(messages.deleted, excluded.deleted)
            where messages.author_uuid = excluded.author_uuid""";
    /** Someone else's message: their local uuid is theirs to choose (and may collide), so the row is keyed by the server uuid. */
    static final String INSERT_OTHERS = """
            insert into messages (local_uuid, uuid, conversation_uuid, author_uuid, text, sent_at, feed_order, state,
                                  reply_to_uuid, mentions, deleted, attachments)
            values (?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?)
            on conflict do nothing""";
    static final String EDITED = "update messages set text = ?, mentions = ?, edited_at = ? where uuid = ? and deleted = 0";
    static final String DELETED = """
            update messages set deleted = 1, text = '', mentions = '', reply_to_uuid = null, edited_at = null, attachments = null
            where uuid = ?""";
    static final String FEED_ORDER = "select feed_order from messages where uuid = ?";
    static final String EDITED_AT = "update messages set edited_at = ? where uuid = ? and deleted = 0";
    static final String OLDEST = """
            select uuid, feed_order from messages where conversation_uuid = ? and feed_order is not null
            order by feed_order limit 1""";
    static final String SHIFT = "update messages set feed_order = feed_order + ? where conversation_uuid = ? and feed_order is not null";
    /** What the feed brought; our pending, sent-but-not-fed and failed sends stay (the outbox still owns them). */
    static final String CLEAR_FED = "delete from messages where feed_order is not null";
    static final String LIST = """
            select local_uuid, coalesce(uuid, ''), conversation_uuid, author_uuid, text, sent_at, state, failure,
                   exists (select 1 from markers k where k.conversation_uuid = m.conversation_uuid
                           and k.user_uuid <> m.author_uuid and k.read_order >= m.feed_order) as read,
                   exists (select 1 from markers k where k.conversation_uuid = m.conversation_uuid
                           and k.user_uuid <> m.author_uuid and k.delivered_order >= m.feed_order) as delivered,
                   coalesce(reply_to_uuid, ''), mentions, edited_at, deleted, attachments
            from messages m where conversation_uuid = ?
            order by feed_order is null, feed_order, rowid""";

    private MessageTable() {}

    static void pending(Connection c, String localUuid, String me, Message message) throws SQLException {
        Sql.update(c, INSERT_PENDING, localUuid, message.getConversationUuid(), me, message.getText(),
                message.getReplyToMessageUuid().isEmpty() ? null : message.getReplyToMessageUuid(),
                Sql.join(message.getMentionedUserUuidsList(), ","), LocalAttachment.column(message.getAttachmentsList()));
    }

    static void sent(Connection c, String localUuid, String me, String messageUuid, long storedAtMillis) throws SQLException {
        Sql.update(c, SENT, messageUuid, storedAtMillis, localUuid, me);
    }

    static void failed(Connection c, String localUuid, String me, String failure) throws SQLException {
        Sql.update(c, FAILED, failure, localUuid, me);
    }

    static void stored(Connection c, NewMessage stored, String me) throws SQLException {
        stored(c, stored, me, nextFeedOrder(c));
    }

    static long nextFeedOrder(Connection c) throws SQLException {
        return Sql.first(c, NEXT_FEED_ORDER, row -> row.getLong(1));
    }

    /**
     * A message at this place in the conversation's order: the feed's next, or (a page of
     * History) one below the oldest we hold. Only the order within a conversation means anything.
     */
    static void stored(Connection c, NewMessage stored, String me, long order) throws SQLException {
        Message message = stored.getMessage();
        boolean mine = message.getAuthorUuid().equals(me);
        Sql.update(c, mine ? UPSERT_MINE : INSERT_OTHERS, mine ? stored.getLocalUuid() : stored.getUuid(),
                stored.getUuid(), message.getConversationUuid(), message.getAuthorUuid(),
                message.getDeleted() ? "" : message.getText(), millis(message.getSentAt()), order,
                message.getReplyToMessageUuid().isEmpty() || message.getDeleted() ? null : message.getReplyToMessageUuid(),
                message.getDeleted() ? "" : Sql.join(message.getMentionedUserUuidsList(), ","), message.getDeleted() ? 1 : 0,
                message.getDeleted() ? null : LocalAttachment.column(message.getAttachmentsList()));
    }

    static void edited(Connection c, MessageEdited edit) throws SQLException {
        Sql.update(c, EDITED, edit.getText(), Sql.join(edit.getMentionedUserUuidsList(), ","),
                edit.hasEditedAt() ? millis(edit.getEditedAt()) : null, edit.getMessageUuid());
    }

    /** The server's edit mark of a message it sent us whole (Snapshot, History): its text is already the edited one. */
    static void editedAt(Connection c, String messageUuid, Timestamp editedAt) throws SQLException {
        Sql.update(c, EDITED_AT, millis(editedAt), messageUuid);
    }

    /** The conversation's oldest message the feed or History gave us: {uuid, feed order}, or null when none. */
    static Object[] oldest(Connection c, String conversation) throws SQLException {
        return Sql.first(c, OLDEST, row -> new Object[] {row.getString(1), row.getLong(2)}, conversation);
    }

    /** Moves the whole conversation up in the order, making room below its oldest message. */
    static void shift(Connection c, String conversation, long by) throws SQLException {
        Sql.update(c, SHIFT, by, conversation);
    }

    static boolean held(Connection c, String messageUuid) throws SQLException {
        return Sql.first(c, FEED_ORDER, row -> row.getObject(1) != null, messageUuid) == Boolean.TRUE;
    }

    static void clearFed(Connection c) throws SQLException {
        Sql.update(c, CLEAR_FED);
    }

    static void deleted(Connection c, String messageUuid) throws SQLException {
        Sql.update(c, DELETED, messageUuid);
    }

    /** The message's place in our feed; 0 for a message we never received (sent before we joined). */
    static long feedOrder(Connection c, String messageUuid) throws SQLException {
        Long order = Sql.first(c, FEED_ORDER, row -> row.getLong(1), messageUuid);
        return order == null ? 0 : order;
    }

    /** The conversation's messages in feed order, pending ones last (in send order). */
    static List<LocalMessage> list(Connection c, String conversation, Map<String, Map<String, List<String>>> reactions)
            throws SQLException {
        return Sql.list(c, LIST, row -> {
            long sentAt = row.getLong(6);
            boolean stored = !row.wasNull();
            long editedAt = row.getLong(13);
            boolean edited = !row.wasNull();
            String state = row.getString(7);
            State shown = state.equals("pending") ? State.PENDING
                    : state.equals("failed") ? State.FAILED
                    : row.getInt(9) == 1 ? State.READ : State.SENT;
            String uuid = row.getString(2);
            return new LocalMessage(row.getString(1), uuid, row.getString(3), row.getString(4), row.getString(5),
                    stored ? Instant.ofEpochMilli(sentAt) : null, shown, row.getString(8), row.getString(11),
                    Sql.split(row.getString(12), ","), edited ? Instant.ofEpochMilli(editedAt) : null,
                    row.getInt(14) == 1, reactions.getOrDefault(uuid, Map.of()), row.getInt(10) == 1,
                    LocalAttachment.fromColumn(row.getBytes(15)));
        }, conversation);
    }

    static long millis(Timestamp timestamp) {
        return timestamp.getSeconds() * 1000 + timestamp.getNanos() / 1_000_000;
    }
}
