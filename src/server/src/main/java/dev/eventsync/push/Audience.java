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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    static final String MESSAGE = """
            select m.seq, m.deleted_by is not null, c.name, u.display_name
            from messages m join conversations c using (conversation_uuid) join users u on u.user_uuid = m.author_uuid
            where m.conversation_uuid = ? and m.message_uuid = ?""";

    static final String CANDIDATES = """
            select p.user_uuid, p.app_id, p.pushkey, p.gateway_url, p.format, extract(epoch from p.registered_at)::bigint,
                   exists (select 1 from presence pr where pr.user_uuid = ms.user_uuid),
                   coalesce(s.muted_until > now(), false),
                   exists (select 1 from blocks b where b.user_uuid = ms.user_uuid and b.blocked_uuid = ?)
            from memberships ms
                 join pushers p on p.user_uuid = ms.user_uuid
                 left join conversation_settings s on s.conversation_uuid = ms.conversation_uuid and s.user_uuid = ms.user_uuid
            where ms.conversation_uuid = ? and ms.joined_seq < ?
            order by p.user_uuid, p.app_id, p.pushkey""";

    static final String PUSHERS_OF = """
            select user_uuid, app_id, pushkey, gateway_url, format, extract(epoch from registered_at)::bigint
            from pushers where user_uuid = ? order by app_id, pushkey""";


    /** A new message with the members who may be notified of it; null when it is gone (deleted meanwhile). */
    record NewMessage(NewMessageFacts facts, List<Candidate> candidates) {}

    private final DataSource dataSource;

    Audience(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    NewMessage newMessage(LogTail.Entry entry) throws SQLException {
        Message message;
        try {
            message = Event.parseFrom(entry.body()).getNewMessage().getMessage();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored event " + entry.eventUuid() + " is unreadable", e);
        }
        try (Connection connection = dataSource.getConnection()) {
            long seq;
            NewMessageFacts facts;
            try (PreparedStatement select = connection.prepareStatement(MESSAGE)) {
                select.setObject(1, entry.conversation());
                select.setObject(2, UUID.fromString(message.getUuid()));
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next() || row.getBoolean(2)) {
                        return null; // deleted before the notifier reached it: nothing to tell
                    }
                    seq = row.getLong(1);
                    Set<UUID> mentioned = new HashSet<>();
                    message.getMentionedUserUuidsList().forEach(u -> mentioned.add(UUID.fromString(u)));
                    facts = new NewMessageFacts(entry.eventUuid(), entry.conversation(), entry.author(), row.getString(4),
                            row.getString(3), message.getText(), message.getAttachmentsCount(), Set.copyOf(mentioned),
                            entry.storedAt());
                }
            }
            List<Candidate> candidates = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(CANDIDATES)) {
                select.setObject(1, entry.author());
                select.setObject(2, entry.conversation());
                select.setLong(3, seq);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(new Candidate(target(rows), rows.getBoolean(7), rows.getBoolean(8), rows.getBoolean(9)));
                    }
                }
            }
            return new NewMessage(facts, candidates);
        }
    }

    List<PushTarget> pushersOf(UUID user) throws SQLException {
        List<PushTarget> targets = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(PUSHERS_OF)) {
            select.setObject(1, user);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    targets.add(target(rows));
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

    private static PushTarget target(ResultSet rows) throws SQLException {
        return new PushTarget(rows.getObject(1, UUID.class), new PusherKey(rows.getString(2), rows.getString(3)),
                rows.getString(4), Pusher.Format.forNumber(rows.getShort(5)), rows.getLong(6));
    }
}
