package dev.eventsync.client;

import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.proto.v1.SendingNewMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The small chat model the terminal client shows: conversations, members, messages (pending,
 * sent, read, failed) and display names, in the client's SQLite file.
 *
 * <p>Invariant: the model changes only inside the transaction that also moves the feed cursor
 * (stored events), writes the outbox (optimistic changes) or removes an outbox entry (results).
 * So it never applies a feed event twice, never loses one, and its pending rows are exactly the
 * outbox's. Every feed change is also an idempotent upsert, so a resync from an empty cursor
 * (after FAILED_PRECONDITION) rebuilds the same state over the old one.
 */
public final class LocalModel {

    /** A conversation as this device knows it. */
    public record Conversation(String uuid, String name, List<String> members, boolean joined, boolean confirmed) {}

    /** A message; {@code uuid} is empty and {@code sentAt} null while it is pending. */
    public record LocalMessage(String localUuid, String uuid, String conversationUuid, String authorUuid, String text,
            Instant sentAt, State state, String failure) {}

    /** What the app shows next to a message. */
    public enum State { PENDING, SENT, READ, FAILED }

    private final ClientStore store;
    private final String me;

    LocalModel(ClientStore store, String me) {
        this.store = store;
        this.me = me;
    }

    /** The user this device belongs to. */
    public String me() {
        return me;
    }

    // ---- reads ------------------------------------------------------------------------------

    static final String CONVERSATIONS = "select uuid, name, joined, confirmed from conversations order by name, uuid";
    static final String CONVERSATION = "select uuid, name, joined, confirmed from conversations where uuid = ?";
    static final String MEMBERS = "select user_uuid from members where conversation_uuid = ? order by user_uuid";
    static final String MESSAGES = """
            select local_uuid, coalesce(uuid, ''), conversation_uuid, author_uuid, text, sent_at, state, failure,
                   exists (select 1 from reads r where r.message_uuid = m.uuid and r.reader_uuid <> m.author_uuid) as read
            from messages m where conversation_uuid = ?
            order by feed_order is null, feed_order, rowid""";
    static final String DISPLAY_NAME = "select display_name from users where uuid = ?";

    public List<Conversation> conversations() {
        return store.read(c -> {
            List<Conversation> conversations = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(CONVERSATIONS); ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    conversations.add(conversation(c, rows));
                }
            }
            return conversations;
        });
    }

    public Conversation conversation(String uuid) {
        return store.read(c -> {
            try (PreparedStatement statement = c.prepareStatement(CONVERSATION)) {
                statement.setString(1, uuid);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? conversation(c, rows) : null;
                }
            }
        });
    }

    private static Conversation conversation(Connection c, ResultSet rows) throws SQLException {
        String uuid = rows.getString(1);
        return new Conversation(uuid, rows.getString(2), members(c, uuid), rows.getInt(3) == 1, rows.getInt(4) == 1);
    }

    private static List<String> members(Connection c, String conversation) throws SQLException {
        List<String> members = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(MEMBERS)) {
            statement.setString(1, conversation);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    members.add(rows.getString(1));
                }
            }
        }
        return members;
    }

    /** The conversation's messages in feed order, pending ones last (in send order). */
    public List<LocalMessage> messages(String conversation) {
        return store.read(c -> {
            List<LocalMessage> messages = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(MESSAGES)) {
                statement.setString(1, conversation);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long sentAt = rows.getLong(6);
                        boolean stored = !rows.wasNull();
                        String state = rows.getString(7);
                        State shown = state.equals("pending") ? State.PENDING
                                : state.equals("failed") ? State.FAILED
                                : rows.getInt(9) == 1 ? State.READ : State.SENT;
                        messages.add(new LocalMessage(rows.getString(1), rows.getString(2), rows.getString(3),
                                rows.getString(4), rows.getString(5), stored ? Instant.ofEpochMilli(sentAt) : null,
                                shown, rows.getString(8)));
                    }
                }
            }
            return messages;
        });
    }

    /** The user's display name as last seen in the feed, or null. */
    public String displayName(String user) {
        return store.read(c -> {
            try (PreparedStatement statement = c.prepareStatement(DISPLAY_NAME)) {
                statement.setString(1, user);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        });
    }

    // ---- optimistic changes, in the transaction that queues the event -------------------------

    static final String INSERT_PENDING_CONVERSATION = """
            insert into conversations (uuid, name, joined, confirmed) values (?, ?, 1, 0)
            on conflict (uuid) do nothing""";
    static final String INSERT_MEMBER = "insert into members (conversation_uuid, user_uuid) values (?, ?) on conflict do nothing";
    static final String INSERT_PENDING_MESSAGE = """
            insert into messages (local_uuid, conversation_uuid, author_uuid, text, state)
            values (?, ?, ?, ?, 'pending')""";

    void queued(Connection c, Event event) throws SQLException {
        if (event.hasConversationCreated()) {
            ConversationCreated created = event.getConversationCreated();
            update(c, INSERT_PENDING_CONVERSATION, created.getConversationUuid(), created.getName());
            update(c, INSERT_MEMBER, created.getConversationUuid(), me);
            for (String member : created.getMemberUuidsList()) {
                update(c, INSERT_MEMBER, created.getConversationUuid(), member);
            }
        } else if (event.hasSendingNewMessage()) {
            SendingNewMessage sending = event.getSendingNewMessage();
            update(c, INSERT_PENDING_MESSAGE, sending.getLocalUuid(), sending.getMessage().getConversationUuid(), me,
                    sending.getMessage().getText());
        }
    }

    // ---- results, in the transaction that removes the outbox entry -----------------------------

    static final String MESSAGE_SENT = """
            update messages set uuid = ?, state = 'sent', sent_at = coalesce(sent_at, ?)
            where local_uuid = ? and author_uuid = ?""";
    static final String MESSAGE_FAILED = "update messages set state = 'failed', failure = ? where local_uuid = ? and author_uuid = ? and state = 'pending'";
    static final String DELETE_UNCONFIRMED_CONVERSATION = "delete from conversations where uuid = ? and confirmed = 0";
    static final String DELETE_ORPHAN_MEMBERS = """
            delete from members where conversation_uuid = ? and not exists (select 1 from conversations where uuid = ?)""";

    void accepted(Connection c, Event event, Accepted accepted) throws SQLException {
        if (event.hasSendingNewMessage() && !accepted.getMessageUuid().isEmpty()) {
            long storedAt = accepted.hasStoredAt() ? accepted.getStoredAt().getSeconds() * 1000
                    + accepted.getStoredAt().getNanos() / 1_000_000 : System.currentTimeMillis();
            update(c, MESSAGE_SENT, accepted.getMessageUuid(), storedAt, event.getSendingNewMessage().getLocalUuid(), me);
        }
    }

    /** Rolls back the optimistic change the rejected event made. */
    void rejected(Connection c, Event event, Rejected rejected) throws SQLException {
        if (event.hasSendingNewMessage()) {
            update(c, MESSAGE_FAILED, rejected.getReason() + ": " + rejected.getDetail(),
                    event.getSendingNewMessage().getLocalUuid(), me);
        } else if (event.hasConversationCreated()) {
            String conversation = event.getConversationCreated().getConversationUuid();
            update(c, DELETE_UNCONFIRMED_CONVERSATION, conversation);
            update(c, DELETE_ORPHAN_MEMBERS, conversation, conversation);
        }
    }

    // ---- stored feed events, in the transaction that moves the cursor ---------------------------

    static final String UPSERT_CONVERSATION = """
            insert into conversations (uuid, name, joined, confirmed) values (?, ?, 1, 1)
            on conflict (uuid) do update set name = excluded.name, joined = 1, confirmed = 1""";
    static final String RENAME = "update conversations set name = ? where uuid = ?";
    static final String CLEAR_MEMBERS = "delete from members where conversation_uuid = ?";
    static final String DELETE_MEMBER = "delete from members where conversation_uuid = ? and user_uuid = ?";
    static final String LEFT = "update conversations set joined = 0 where uuid = ?";
    static final String NEXT_FEED_ORDER = "select coalesce(max(feed_order), 0) + 1 from messages";
    static final String UPSERT_MESSAGE = """
            insert into messages (local_uuid, uuid, conversation_uuid, author_uuid, text, sent_at, feed_order, state)
            values (?, ?, ?, ?, ?, ?, ?, 'sent')
            on conflict (local_uuid) do update set uuid = excluded.uuid, sent_at = excluded.sent_at,
                feed_order = coalesce(messages.feed_order, excluded.feed_order), state = 'sent', failure = null
            where messages.author_uuid = excluded.author_uuid""";
    /** Someone else's message: their local uuid is theirs to choose (and may collide), so the row is keyed by the server uuid. */
    static final String INSERT_OTHERS_MESSAGE = """
            insert into messages (local_uuid, uuid, conversation_uuid, author_uuid, text, sent_at, feed_order, state)
            values (?, ?, ?, ?, ?, ?, ?, 'sent')
            on conflict do nothing""";
    static final String INSERT_READ = "insert into reads (message_uuid, reader_uuid) values (?, ?) on conflict do nothing";
    static final String UPSERT_NAME = """
            insert into users (uuid, display_name) values (?, ?)
            on conflict (uuid) do update set display_name = excluded.display_name""";

    void stored(Connection c, Event event) throws SQLException {
        switch (event.getContentCase()) {
            case CONVERSATION_CREATED -> {
                ConversationCreated created = event.getConversationCreated();
                update(c, UPSERT_CONVERSATION, created.getConversationUuid(), created.getName());
                replaceMembers(c, created.getConversationUuid(), created.getMemberUuidsList());
            }
            case CONVERSATION_NAME_CHANGED -> update(c, RENAME, event.getConversationNameChanged().getNewName(),
                    event.getConversationNameChanged().getConversationUuid());
            case MEMBER_JOINED -> {
                MemberJoined joined = event.getMemberJoined();
                if (joined.getUserUuid().equals(me)) {
                    update(c, UPSERT_CONVERSATION, joined.getConversationUuid(), joined.getConversationName());
                }
                // The snapshot is authoritative: it is the membership right after this event.
                replaceMembers(c, joined.getConversationUuid(), joined.getMemberUuidsList());
            }
            case MEMBER_LEFT -> {
                MemberLeft left = event.getMemberLeft();
                update(c, DELETE_MEMBER, left.getConversationUuid(), left.getUserUuid());
                if (left.getUserUuid().equals(me)) {
                    // Keep the history readable; the conversation just stops changing for us.
                    update(c, LEFT, left.getConversationUuid());
                }
            }
            case NEW_MESSAGE -> {
                NewMessage message = event.getNewMessage();
                long sentAt = message.getMessage().getSentAt().getSeconds() * 1000
                        + message.getMessage().getSentAt().getNanos() / 1_000_000;
                long order;
                try (PreparedStatement statement = c.prepareStatement(NEXT_FEED_ORDER); ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    order = rows.getLong(1);
                }
                boolean mine = message.getMessage().getAuthorUuid().equals(me);
                update(c, mine ? UPSERT_MESSAGE : INSERT_OTHERS_MESSAGE, mine ? message.getLocalUuid() : message.getUuid(),
                        message.getUuid(), message.getMessage().getConversationUuid(),
                        message.getMessage().getAuthorUuid(), message.getMessage().getText(), sentAt, order);
            }
            case READ_NEW_MESSAGE -> {
                ReadNewMessage read = event.getReadNewMessage();
                update(c, INSERT_READ, read.getUuid(), read.getReaderUuid());
            }
            case DISPLAY_NAME_CHANGED -> update(c, UPSERT_NAME, event.getDisplayNameChanged().getUserUuid(),
                    event.getDisplayNameChanged().getDisplayName());
            default -> {
                // Profile pictures and kinds this version does not know: the cursor still moves past them.
            }
        }
    }

    private static void replaceMembers(Connection c, String conversation, List<String> members) throws SQLException {
        update(c, CLEAR_MEMBERS, conversation);
        for (String member : members) {
            update(c, INSERT_MEMBER, conversation, member);
        }
    }

    private static void update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }
}
