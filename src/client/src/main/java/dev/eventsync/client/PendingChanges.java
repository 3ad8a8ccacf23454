package dev.eventsync.client;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Event;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code pending_changes} table: our own changes the feed has not confirmed yet, in queue
 * order. The model's tables hold only what the feed said (the server's state); what the app sees
 * is those tables with these changes laid over them ({@link Overlay}).
 *
 * <p>A change is added in the transaction that queues it, and leaves in the transaction that
 * rejects it (so the view falls back to the server's state: the rollback) or in the one that
 * ingests its stored event from the feed (a stored event keeps the submitted uuid). It does not
 * leave on acceptance: until the feed brings it, the tables do not show it yet, and dropping it
 * then would flicker back to the old state. Every stored event reaches its author's feed, so no
 * accepted change stays behind.
 */
final class PendingChanges {

    /** One queued change and when it was queued (a pending edit's mark until the server's time). */
    record Change(Event event, Instant queuedAt) {}

    /** The kinds shown before the server answers; sends and new conversations keep their own rows. */
    static final Set<Event.ContentCase> KINDS = EnumSet.of(Event.ContentCase.MESSAGE_EDITED,
            Event.ContentCase.MESSAGE_DELETED, Event.ContentCase.REACTIONS_CHANGED, Event.ContentCase.READ_NEW_MESSAGE,
            Event.ContentCase.MEMBER_LEFT, Event.ContentCase.MEMBER_ROLE_CHANGED,
            Event.ContentCase.CONVERSATION_SETTINGS_CHANGED, Event.ContentCase.USER_BLOCKED);

    static final String INSERT = """
            insert into pending_changes (event_uuid, conversation_uuid, body, queued_at) values (?, ?, ?, ?)
            on conflict (event_uuid) do nothing""";
    static final String SETTLED = "delete from pending_changes where event_uuid = ?";
    static final String OF_CONVERSATION = "select body, queued_at from pending_changes where conversation_uuid = ? order by seq";
    static final String WITHOUT_CONVERSATION = "select body, queued_at from pending_changes where conversation_uuid is null order by seq";

    private PendingChanges() {}

    static void add(Connection c, Event event) throws SQLException {
        if (KINDS.contains(event.getContentCase())) {
            Sql.update(c, INSERT, event.getUuid(), conversation(event), event.toByteArray(), System.currentTimeMillis());
        }
    }

    /** The server rejected it, or the feed brought it: either way it is no longer ours to show. */
    static void settled(Connection c, String eventUuid) throws SQLException {
        Sql.update(c, SETTLED, eventUuid);
    }

    static final String SETTLE_ANSWERED = "delete from pending_changes where event_uuid not in (select event_uuid from outbox)";

    /**
     * A snapshot replaced the model: the changes the server has answered are in it (or in the feed
     * after its cursor), so only those still in the outbox stay laid over it.
     */
    static void settleAnswered(Connection c) throws SQLException {
        Sql.update(c, SETTLE_ANSWERED);
    }

    static List<Change> ofConversation(Connection c, String conversation) throws SQLException {
        return Sql.list(c, OF_CONVERSATION, PendingChanges::change, conversation);
    }

    /** Blocks: the only pending kind that belongs to no conversation. */
    static List<Change> withoutConversation(Connection c) throws SQLException {
        return Sql.list(c, WITHOUT_CONVERSATION, PendingChanges::change);
    }

    private static Change change(ResultSet row) throws SQLException {
        try {
            return new Change(Event.parseFrom(row.getBytes(1)), Instant.ofEpochMilli(row.getLong(2)));
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("a pending change is not a serialized Event: " + e.getMessage(), e);
        }
    }

    private static String conversation(Event event) {
        return switch (event.getContentCase()) {
            case MESSAGE_EDITED -> event.getMessageEdited().getConversationUuid();
            case MESSAGE_DELETED -> event.getMessageDeleted().getConversationUuid();
            case REACTIONS_CHANGED -> event.getReactionsChanged().getConversationUuid();
            case READ_NEW_MESSAGE -> event.getReadNewMessage().getConversationUuid();
            case MEMBER_LEFT -> event.getMemberLeft().getConversationUuid();
            case MEMBER_ROLE_CHANGED -> event.getMemberRoleChanged().getConversationUuid();
            case CONVERSATION_SETTINGS_CHANGED -> event.getConversationSettingsChanged().getConversationUuid();
            default -> null;
        };
    }
}
