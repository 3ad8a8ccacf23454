package dev.eventsync.store;

import dev.eventsync.events.Command;
import dev.eventsync.events.KnownEvent;
import dev.eventsync.events.Submission;
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
import java.util.TreeSet;
import java.util.UUID;

/**
 * The current-state tables ({@code users}, {@code conversations}, {@code memberships},
 * {@code messages}): loading a batch's state under row locks, and writing its changes back.
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
            select conversation_uuid, user_uuid from memberships where conversation_uuid = any(?)""";

    static final String MESSAGES = """
            select conversation_uuid, message_uuid from messages
            where (conversation_uuid, message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String INSERT_USERS = """
            insert into users (user_uuid) select * from unnest(?::uuid[]) order by 1 on conflict do nothing""";

    static final String INSERT_CONVERSATION = """
            insert into conversations (conversation_uuid, name, created_by, created_at)
            values (?, ?, ?, ?) on conflict do nothing""";

    static final String RENAME_CONVERSATION = """
            update conversations set name = ? where conversation_uuid = ?""";

    static final String INSERT_MEMBERS = """
            insert into memberships (conversation_uuid, user_uuid, joined_at)
            select c, u, ? from unnest(?::uuid[], ?::uuid[]) as m(c, u) order by c, u""";

    static final String DELETE_MEMBERS = """
            delete from memberships
            where (conversation_uuid, user_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    static final String INSERT_MESSAGES = """
            insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at)
            select c, m, a, l, e, ? from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[]) as n(c, m, a, l, e)""";

    static final String SET_DISPLAY_NAME = """
            update users set display_name = ? where user_uuid = ?""";

    private Conversations() {}

    /** Loads (and locks) what the batch's submissions need to be decided. */
    static BatchState load(Connection connection, List<Pending> calls) throws SQLException {
        Set<UUID> conversations = new TreeSet<>();
        Set<UUID> profileAuthors = new HashSet<>();
        Set<UUID> eventUuids = new HashSet<>();
        List<UUID> readConversations = new ArrayList<>();
        List<UUID> readMessages = new ArrayList<>();
        for (Pending call : calls) {
            for (Submission submission : call.submissions()) {
                if (submission instanceof Submission.Transitory t) {
                    conversations.add(t.command().conversation());
                } else if (submission instanceof Submission.Storable s) {
                    eventUuids.add(s.eventUuid());
                    if (s.createsConversation() != null) {
                        conversations.add(s.createsConversation());
                    }
                    Command command = s.command();
                    if (command == null) {
                        continue;
                    }
                    if (command.conversation() != null) {
                        conversations.add(command.conversation());
                    } else {
                        profileAuthors.add(call.caller());
                    }
                    if (command instanceof Command.ReadMessage read) {
                        readConversations.add(read.conversation());
                        readMessages.add(read.message());
                    }
                }
            }
        }
        Map<UUID, String> names = new HashMap<>();
        Map<UUID, Set<UUID>> members = new HashMap<>();
        if (!conversations.isEmpty()) {
            try (PreparedStatement lock = connection.prepareStatement(LOCK_CONVERSATIONS)) {
                lock.setArray(1, SqlArrays.uuids(connection, conversations));
                try (ResultSet rows = lock.executeQuery()) {
                    while (rows.next()) {
                        UUID conversation = rows.getObject(1, UUID.class);
                        names.put(conversation, rows.getString(2));
                        members.put(conversation, new HashSet<>());
                    }
                }
            }
        }
        // Profile events reach the author's contacts: the members of their other conversations too.
        Set<UUID> loaded = new HashSet<>(names.keySet());
        if (!profileAuthors.isEmpty()) {
            loaded.addAll(uuidColumn(connection, CONVERSATIONS_OF_USERS, profileAuthors));
        }
        if (!loaded.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(MEMBERS)) {
                select.setArray(1, SqlArrays.uuids(connection, loaded));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        members.computeIfAbsent(rows.getObject(1, UUID.class), c -> new HashSet<>())
                                .add(rows.getObject(2, UUID.class));
                    }
                }
            }
        }
        Set<BatchState.MessageKey> messages = new HashSet<>();
        if (!readMessages.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(MESSAGES)) {
                select.setArray(1, SqlArrays.uuids(connection, readConversations));
                select.setArray(2, SqlArrays.uuids(connection, readMessages));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        messages.add(new BatchState.MessageKey(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class)));
                    }
                }
            }
        }
        Map<UUID, KnownEvent> known = eventUuids.isEmpty() ? new HashMap<>() : EventLog.knownEvents(connection, eventUuids);
        return new BatchState(known, names, members, messages);
    }

    /**
     * Writes the batch's net changes. Returns false when another instance created one of the
     * batch's new conversations meanwhile: the caller rolls back and decides the batch again.
     * {@code storedUsers} are users known to have a committed row (skipped); the ones this batch
     * inserts are added to {@code insertedUsers}, to remember once the transaction commits.
     */
    static boolean write(Connection connection, BatchState state, Instant at, Set<UUID> storedUsers,
                         Set<UUID> insertedUsers) throws SQLException {
        Timestamp time = Timestamp.from(at);
        Set<UUID> users = new TreeSet<>(state.authors);
        List<UUID> joinedConversations = new ArrayList<>();
        List<UUID> joinedUsers = new ArrayList<>();
        List<UUID> leftConversations = new ArrayList<>();
        List<UUID> leftUsers = new ArrayList<>();
        Map<UUID, Set<UUID>> before = state.initialMembers();
        state.currentMembers().forEach((conversation, after) -> {
            Set<UUID> was = before.getOrDefault(conversation, Set.of());
            for (UUID user : after) {
                if (!was.contains(user)) {
                    users.add(user);
                    joinedConversations.add(conversation);
                    joinedUsers.add(user);
                }
            }
            for (UUID user : was) {
                if (!after.contains(user)) {
                    leftConversations.add(conversation);
                    leftUsers.add(user);
                }
            }
        });
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
                    insert.setString(2, state.conversationName(conversation));
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
                    update.setString(1, state.conversationName(conversation));
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
        if (!joinedUsers.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_MEMBERS)) {
                insert.setTimestamp(1, time);
                insert.setArray(2, SqlArrays.uuids(connection, joinedConversations));
                insert.setArray(3, SqlArrays.uuids(connection, joinedUsers));
                insert.executeUpdate();
            }
        }
        if (!state.newMessages.isEmpty()) {
            List<UUID> conversations = new ArrayList<>();
            List<UUID> messages = new ArrayList<>();
            List<UUID> authors = new ArrayList<>();
            List<UUID> localUuids = new ArrayList<>();
            List<UUID> eventUuids = new ArrayList<>();
            state.newMessages.forEach((key, row) -> {
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
                insert.executeUpdate();
            }
        }
        if (!state.displayNames.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(SET_DISPLAY_NAME)) {
                for (Map.Entry<UUID, String> entry : state.displayNames.entrySet()) {
                    update.setString(1, entry.getValue());
                    update.setObject(2, entry.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        return true;
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
