package dev.eventsync.push;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.history.UnreadCounts;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.Pusher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the notifier reads about the people of an event, as it reaches the event: the message, its
 * conversation's members then (memberships.joined_seq below the message's seq: a member who left
 * before the notifier reached the message is not notified), their pushers, presence, mutes and
 * blocks, and a user's total unread count. Current state, not the state at the message: the
 * notifier usually runs a few milliseconds behind the log.
 */
final class Audience {

    /**
     * The pushers of a batch's new messages, one round trip for the whole batch (the notifier
     * reads the log in batches): for each message not deleted since, the members who were in the
     * conversation when it was sent (joined_seq below its seq) and hold a pusher, with their
     * presence, mute and block of the author. Messages nobody could be notified of return no row.
     */
    static final String CANDIDATES = """
            select x.ord, p.user_uuid, p.app_id, p.pushkey, p.gateway_url, p.format, extract(epoch from p.registered_at)::bigint,
                   exists (select 1 from presence pr where pr.user_uuid = ms.user_uuid),
                   coalesce(s.muted_until > now(), false),
                   exists (select 1 from blocks b where b.user_uuid = ms.user_uuid and b.blocked_uuid = x.author)
            from unnest(?::uuid[], ?::uuid[], ?::uuid[]) with ordinality as x(conversation, message, author, ord)
                 join messages m on m.conversation_uuid = x.conversation and m.message_uuid = x.message and m.deleted_by is null
                 join memberships ms on ms.conversation_uuid = x.conversation and ms.joined_seq < m.seq
                 join pushers p on p.user_uuid = ms.user_uuid
                 left join conversation_settings s on s.conversation_uuid = ms.conversation_uuid and s.user_uuid = ms.user_uuid
            order by x.ord, p.user_uuid, p.app_id, p.pushkey""";

    /** The room's and the sender's names as of now, for the messages that have candidates. */
    static final String NAMES = """
            select x.ord, c.name, u.display_name
            from unnest(?::uuid[], ?::uuid[]) with ordinality as x(conversation, author, ord)
                 join conversations c on c.conversation_uuid = x.conversation
                 join users u on u.user_uuid = x.author""";

    static final String PUSHERS_OF = """
            select user_uuid, app_id, pushkey, gateway_url, format, extract(epoch from registered_at)::bigint
            from pushers where user_uuid = ? order by app_id, pushkey""";


    /** A new message with the members who may be notified of it. */
    record NewMessage(NewMessageFacts facts, List<Candidate> candidates) {}

    private final DataSource dataSource;

    Audience(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The batch's new_message entries that someone may be notified of, in log order: two round
     * trips whatever the batch's size (none more when nobody holds a pusher). A message deleted
     * before the notifier reached it is left out: nothing to tell.
     */
    List<NewMessage> newMessages(List<LogTail.Entry> entries) throws SQLException {
        List<LogTail.Entry> news = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        for (LogTail.Entry entry : entries) {
            if (entry.kind().equals("new_message")) {
                news.add(entry);
                messages.add(message(entry));
            }
        }
        if (news.isEmpty()) {
            return List.of();
        }
        try (Connection connection = dataSource.getConnection()) {
            Map<Integer, List<Candidate>> candidates = new TreeMap<>();
            try (PreparedStatement select = connection.prepareStatement(CANDIDATES)) {
                select.setArray(1, connection.createArrayOf("uuid", news.stream().map(LogTail.Entry::conversation).toArray()));
                select.setArray(2, connection.createArrayOf("uuid", messages.stream().map(m -> UUID.fromString(m.getUuid())).toArray()));
                select.setArray(3, connection.createArrayOf("uuid", news.stream().map(LogTail.Entry::author).toArray()));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.computeIfAbsent(rows.getInt(1) - 1, i -> new ArrayList<>())
                                .add(new Candidate(target(rows, 2), rows.getBoolean(8), rows.getBoolean(9), rows.getBoolean(10)));
                    }
                }
            }
            if (candidates.isEmpty()) {
                return List.of();
            }
            List<Integer> notified = new ArrayList<>(candidates.keySet());
            Map<Integer, String[]> names = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(NAMES)) {
                select.setArray(1, connection.createArrayOf("uuid", notified.stream().map(i -> news.get(i).conversation()).toArray()));
                select.setArray(2, connection.createArrayOf("uuid", notified.stream().map(i -> news.get(i).author()).toArray()));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        names.put(notified.get(rows.getInt(1) - 1), new String[] {rows.getString(2), rows.getString(3)});
                    }
                }
            }
            List<NewMessage> result = new ArrayList<>(notified.size());
            for (int i : notified) {
                LogTail.Entry entry = news.get(i);
                Message message = messages.get(i);
                String[] name = names.getOrDefault(i, new String[2]);
                Set<UUID> mentioned = new HashSet<>();
                message.getMentionedUserUuidsList().forEach(u -> mentioned.add(UUID.fromString(u)));
                NewMessageFacts facts = new NewMessageFacts(entry.eventUuid(), entry.conversation(), entry.author(), name[1],
                        name[0], message.getText(), message.getAttachmentsCount(), Set.copyOf(mentioned), entry.storedAt());
                result.add(new NewMessage(facts, candidates.get(i)));
            }
            return result;
        }
    }

    private static Message message(LogTail.Entry entry) {
        try {
            return Event.parseFrom(entry.body()).getNewMessage().getMessage();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored event " + entry.eventUuid() + " is unreadable", e);
        }
    }

    List<PushTarget> pushersOf(UUID user) throws SQLException {
        List<PushTarget> targets = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(PUSHERS_OF)) {
            select.setObject(1, user);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    targets.add(target(rows, 1));
                }
            }
        }
        return targets;
    }

    long unread(UUID user) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(UnreadCounts.TOTAL)) {
            select.setObject(1, user);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The pusher whose six columns start at {@code first}. */
    private static PushTarget target(ResultSet rows, int first) throws SQLException {
        return new PushTarget(rows.getObject(first, UUID.class), new PusherKey(rows.getString(first + 1), rows.getString(first + 2)),
                rows.getString(first + 3), Pusher.Format.forNumber(rows.getShort(first + 4)), rows.getLong(first + 5));
    }
}
