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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The current-state tables {@code users}, {@code conversations} and {@code memberships}: locking
 * and loading a batch's conversations, and writing their changes back.
 */
final class Conversations {

    /** The caller's conversations, for profile events' audience (contacts). */
    static final String CONVERSATIONS_OF_USERS = """
            select conversation_uuid from memberships where user_uuid = any(?)""";

    /**
     * Locks the rows of the conversations a batch acts in, in uuid order (every writer locks in
     * the same order, so two batches cannot deadlock). A concurrent batch on another instance
     * touching one of them waits until this one commits, so membership checks and audiences are
     * decided on the state the event is ordered after. The members are read by the next
     * statement, never joined here: a statement that waited for a lock still reads the other
     * tables as of its own start, so a join would miss a removal committed by the batch it waited
     * for (a removed member's message accepted and delivered after the removal).
     * MultiInstanceAppendTest shows the race.
     */
    static final String LOCK_CONVERSATIONS = """
            select conversation_uuid, name from conversations
            where conversation_uuid = any(?)
            order by conversation_uuid
            for no key update""";

    static final String MEMBERS = """
            select conversation_uuid, user_uuid, joined_at, joined_seq, admin from memberships
            where conversation_uuid = any(?)""";

    static final String INSERT_USERS = """
            insert into users (user_uuid) select * from unnest(?::uuid[]) order by 1 on conflict do nothing""";

    static final String INSERT_CONVERSATION = """
            insert into conversations (conversation_uuid, name, created_by, created_at)
            values (?, ?, ?, ?) on conflict do nothing""";

    static final String RENAME_CONVERSATION = """
            update conversations set name = ? where conversation_uuid = ?""";

    static final String INSERT_MEMBERS = """
            insert into memberships (conversation_uuid, user_uuid, joined_at, joined_seq, admin)
            select c, u, ?, s, a from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::boolean[]) as m(c, u, s, a) order by c, u""";

    static final String INSERT_ENDED_MEMBERSHIPS = """
            insert into membership_periods (conversation_uuid, user_uuid, from_seq, to_seq, left_at, name)
            select c, u, f, t, ?, n from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::bigint[], ?::text[]) as p(c, u, f, t, n)
            on conflict do nothing""";

    static final String SET_ADMINS = """
            update memberships set admin = m.a
            from unnest(?::uuid[], ?::uuid[], ?::boolean[]) as m(c, u, a)
            where conversation_uuid = m.c and user_uuid = m.u""";

    static final String DELETE_MEMBERS = """
            delete from memberships
            where (conversation_uuid, user_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String SET_DISPLAY_NAME = """
            update users set display_name = ? where user_uuid = ?""";

    static final String SET_PICTURE = """
            update users set picture_media_uuid = ? where user_uuid = ?""";

    private Conversations() {}

    /** Locks the batch's conversations and loads their names and members. */
    static ConversationState load(Connection connection, Needs needs) throws SQLException {
        Map<UUID, String> names = new HashMap<>();
        Map<UUID, Map<UUID, ConversationState.Member>> members = new HashMap<>();
        if (!needs.conversations.isEmpty()) {
            try (PreparedStatement lock = connection.prepareStatement(LOCK_CONVERSATIONS)) {
                lock.setArray(1, SqlArrays.uuids(connection, needs.conversations));
                try (ResultSet rows = lock.executeQuery()) {
                    while (rows.next()) {
                        UUID conversation = rows.getObject(1, UUID.class);
                        names.put(conversation, rows.getString(2));
                        members.put(conversation, new HashMap<>());
                    }
                }
            }
        }
        // Profile events reach the author's contacts: the members of their other conversations too.
        Set<UUID> loaded = new HashSet<>(names.keySet());
        if (!needs.profileAuthors.isEmpty()) {
            loaded.addAll(uuidColumn(connection, CONVERSATIONS_OF_USERS, needs.profileAuthors));
        }
        if (!loaded.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(MEMBERS)) {
                select.setArray(1, SqlArrays.uuids(connection, loaded));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        members.computeIfAbsent(rows.getObject(1, UUID.class), c -> new HashMap<>())
                                .put(rows.getObject(2, UUID.class), new ConversationState.Member(
                                        rows.getTimestamp(3).toInstant(), rows.getLong(4), rows.getBoolean(5)));
                    }
                }
            }
        }
        return new ConversationState(names, members);
    }

    /**
     * Writes the batch's net changes. Returns false when another instance created one of the
     * batch's new conversations meanwhile: the caller rolls back and decides the batch again.
     * {@code storedUsers} are users known to have a committed row (skipped); the ones this batch
     * inserts are added to {@code insertedUsers}, to remember once the transaction commits.
     */
    static boolean write(Connection connection, BatchState batch, Instant at, Set<UUID> storedUsers,
                         Set<UUID> insertedUsers) throws SQLException {
        ConversationState state = batch.conversations;
        Timestamp time = Timestamp.from(at);
        Set<UUID> users = new TreeSet<>(batch.authors);
        List<UUID> joinedConversations = new ArrayList<>();
        List<UUID> joinedUsers = new ArrayList<>();
        List<Long> joinedSeqs = new ArrayList<>();
        List<Boolean> joinedAdmins = new ArrayList<>();
        List<UUID> leftConversations = new ArrayList<>();
        List<UUID> leftUsers = new ArrayList<>();
        List<UUID> roleConversations = new ArrayList<>();
        List<UUID> roleUsers = new ArrayList<>();
        List<Boolean> roles = new ArrayList<>();
        Map<UUID, Map<UUID, ConversationState.Member>> before = state.initialMembers();
        state.currentMembers().forEach((conversation, after) -> {
            Map<UUID, ConversationState.Member> was = before.getOrDefault(conversation, Map.of());
            after.forEach((user, member) -> {
                ConversationState.Member previous = was.get(user);
                if (previous == null) {
                    users.add(user);
                    joinedConversations.add(conversation);
                    joinedUsers.add(user);
                    joinedSeqs.add(member.joinedSeq());
                    joinedAdmins.add(member.admin());
                } else if (previous.admin() != member.admin()) {
                    roleConversations.add(conversation);
                    roleUsers.add(user);
                    roles.add(member.admin());
                }
            });
            for (UUID user : was.keySet()) {
                if (!after.containsKey(user)) {
                    leftConversations.add(conversation);
                    leftUsers.add(user);
                }
            }
        });
        state.ended.forEach(membership -> users.add(membership.user())); // one may have joined in this batch
        users.removeIf(storedUsers::contains); // users are never deleted: one known to be stored needs no insert
        if (!users.isEmpty()) {
            insertedUsers.addAll(users);
            try (PreparedStatement insert = connection.prepareStatement(INSERT_USERS)) {
                insert.setArray(1, SqlArrays.uuids(connection, users));
                insert.executeUpdate();
            }
        }
        if (!state.createdConversations.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_CONVERSATION)) {
                for (UUID conversation : new TreeSet<>(state.createdConversations)) {
                    insert.setObject(1, conversation);
                    insert.setString(2, state.name(conversation));
                    insert.setObject(3, state.creators.get(conversation));
                    insert.setTimestamp(4, time);
                    insert.addBatch();
                }
                for (int count : insert.executeBatch()) {
                    if (count == 0) {
                        return false;
                    }
                }
            }
        }
        Set<UUID> renamed = new HashSet<>(state.renamedConversations);
        renamed.removeAll(state.createdConversations);
        if (!renamed.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(RENAME_CONVERSATION)) {
                for (UUID conversation : renamed) {
                    update.setString(1, state.name(conversation));
                    update.setObject(2, conversation);
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        if (!leftUsers.isEmpty()) {
            try (PreparedStatement delete = connection.prepareStatement(DELETE_MEMBERS)) {
                delete.setArray(1, SqlArrays.uuids(connection, leftConversations));
                delete.setArray(2, SqlArrays.uuids(connection, leftUsers));
                delete.executeUpdate();
            }
        }
        if (!state.ended.isEmpty()) {
            writeEnded(connection, state.ended, time);
        }
        if (!joinedUsers.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_MEMBERS)) {
                insert.setTimestamp(1, time);
                insert.setArray(2, SqlArrays.uuids(connection, joinedConversations));
                insert.setArray(3, SqlArrays.uuids(connection, joinedUsers));
                insert.setArray(4, connection.createArrayOf("bigint", joinedSeqs.toArray()));
                insert.setArray(5, connection.createArrayOf("boolean", joinedAdmins.toArray()));
                insert.executeUpdate();
            }
        }
        if (!roleUsers.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(SET_ADMINS)) {
                update.setArray(1, SqlArrays.uuids(connection, roleConversations));
                update.setArray(2, SqlArrays.uuids(connection, roleUsers));
                update.setArray(3, connection.createArrayOf("boolean", roles.toArray()));
                update.executeUpdate();
            }
        }
        if (!batch.displayNames.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(SET_DISPLAY_NAME)) {
                for (Map.Entry<UUID, String> entry : batch.displayNames.entrySet()) {
                    update.setString(1, entry.getValue());
                    update.setObject(2, entry.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        if (!batch.pictures.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(SET_PICTURE)) {
                for (Map.Entry<UUID, Optional<UUID>> entry : batch.pictures.entrySet()) {
                    update.setObject(1, entry.getValue().orElse(null));
                    update.setObject(2, entry.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        return true;
    }

    /**
     * A member who joined and left again within one conversation's same message (no message in
     * between) has an empty range twice: the key keeps the first, which means the same.
     */
    private static void writeEnded(Connection connection, List<ConversationState.EndedMembership> ended, Timestamp time)
            throws SQLException {
        List<UUID> conversations = new ArrayList<>();
        List<UUID> users = new ArrayList<>();
        Long[] from = new Long[ended.size()];
        Long[] to = new Long[ended.size()];
        String[] names = new String[ended.size()];
        for (ConversationState.EndedMembership membership : ended) {
            from[conversations.size()] = membership.fromSeq();
            to[conversations.size()] = membership.toSeq();
            names[conversations.size()] = membership.name();
            conversations.add(membership.conversation());
            users.add(membership.user());
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_ENDED_MEMBERSHIPS)) {
            insert.setTimestamp(1, time);
            insert.setArray(2, SqlArrays.uuids(connection, conversations));
            insert.setArray(3, SqlArrays.uuids(connection, users));
            insert.setArray(4, connection.createArrayOf("bigint", from));
            insert.setArray(5, connection.createArrayOf("bigint", to));
            insert.setArray(6, connection.createArrayOf("text", names));
            insert.executeUpdate();
        }
    }

    private static Set<UUID> uuidColumn(Connection connection, String sql, Set<UUID> argument) throws SQLException {
        Set<UUID> result = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setArray(1, SqlArrays.uuids(connection, argument));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return result;
    }
}
