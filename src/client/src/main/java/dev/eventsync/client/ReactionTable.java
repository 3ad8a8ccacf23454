package dev.eventsync.client;

import dev.eventsync.proto.v1.ReactionsChanged;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code reactions} table: each user's whole current set on each message, as the latest
 * {@code reactions_changed} in feed order says. None on a deleted message.
 */
final class ReactionTable {

    static final String SET = """
            insert into reactions (conversation_uuid, message_uuid, user_uuid, reactions)
            select ?, ?, ?, ? where not exists (select 1 from messages where uuid = ? and deleted = 1)
            on conflict (message_uuid, user_uuid) do update set reactions = excluded.reactions""";
    static final String CLEAR_USER = "delete from reactions where message_uuid = ? and user_uuid = ?";
    static final String ERASE = "delete from reactions where message_uuid = ?";
    static final String OF_CONVERSATION = """
            select message_uuid, user_uuid, reactions from reactions where conversation_uuid = ?""";

    static final String CLEAR = "delete from reactions";

    private ReactionTable() {}

    static void clear(Connection c) throws SQLException {
        Sql.update(c, CLEAR);
    }

    static void changed(Connection c, ReactionsChanged changed) throws SQLException {
        if (changed.getReactionsCount() == 0) {
            Sql.update(c, CLEAR_USER, changed.getMessageUuid(), changed.getUserUuid());
            return;
        }
        Sql.update(c, SET, changed.getConversationUuid(), changed.getMessageUuid(), changed.getUserUuid(),
                Sql.join(changed.getReactionsList(), "\n"), changed.getMessageUuid());
    }

    static void erase(Connection c, String messageUuid) throws SQLException {
        Sql.update(c, ERASE, messageUuid);
    }

    /** message uuid → user → that user's set (users sorted, so two models compare equal). */
    static Map<String, Map<String, List<String>>> ofConversation(Connection c, String conversation) throws SQLException {
        Map<String, Map<String, List<String>>> reactions = new HashMap<>();
        for (String[] row : Sql.list(c, OF_CONVERSATION, r -> new String[] {r.getString(1), r.getString(2), r.getString(3)},
                conversation)) {
            reactions.computeIfAbsent(row[0], m -> new TreeMap<>()).put(row[1], Sql.split(row[2], "\n"));
        }
        return reactions;
    }
}
