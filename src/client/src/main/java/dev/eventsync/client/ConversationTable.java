package dev.eventsync.client;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * The {@code conversations} and {@code members} tables: name, whether we are (still) in it, and
 * its members with their admin flag, as the feed says. A pending {@code conversation_created}
 * shows the conversation unconfirmed until the feed brings it, and removes it on rejection.
 */
final class ConversationTable {

    /** A conversation row, members apart. */
    record Row(String uuid, String name, boolean joined, boolean confirmed) {}

    /** A member and their role. */
    record Member(String user, boolean admin) {}

    static final String ALL = "select uuid, name, joined, confirmed from conversations order by name, uuid";
    static final String ONE = "select uuid, name, joined, confirmed from conversations where uuid = ?";
    static final String MEMBERS = "select user_uuid, admin from members where conversation_uuid = ? order by user_uuid";
    static final String INSERT_PENDING = """
            insert into conversations (uuid, name, joined, confirmed) values (?, ?, 1, 0)
            on conflict (uuid) do nothing""";
    static final String INSERT_MEMBER = "insert into members (conversation_uuid, user_uuid) values (?, ?) on conflict do nothing";
    static final String DELETE_UNCONFIRMED = "delete from conversations where uuid = ? and confirmed = 0";
    static final String DELETE_ORPHAN_MEMBERS = """
            delete from members where conversation_uuid = ? and not exists (select 1 from conversations where uuid = ?)""";
    static final String UPSERT = """
            insert into conversations (uuid, name, joined, confirmed) values (?, ?, 1, 1)
            on conflict (uuid) do update set name = excluded.name, joined = 1, confirmed = 1""";
    static final String RENAME = "update conversations set name = ? where uuid = ?";
    static final String CLEAR_MEMBERS = "delete from members where conversation_uuid = ?";
    static final String DELETE_MEMBER = "delete from members where conversation_uuid = ? and user_uuid = ?";
    static final String LEFT = "update conversations set joined = 0 where uuid = ?";
    static final String SET_ADMIN = "update members set admin = ? where conversation_uuid = ? and user_uuid = ?";
    static final String JOINED = "select joined from conversations where uuid = ?";

    /** What the feed confirmed; our own pending conversation_created rows stay (the outbox still owns them). */
    static final String CLEAR_CONFIRMED_MEMBERS = """
            delete from members where conversation_uuid in (select uuid from conversations where confirmed = 1)""";
    static final String CLEAR_CONFIRMED = "delete from conversations where confirmed = 1";

    private ConversationTable() {}

    static void clearConfirmed(Connection c) throws SQLException {
        Sql.update(c, CLEAR_CONFIRMED_MEMBERS);
        Sql.update(c, CLEAR_CONFIRMED);
    }

    static List<Row> all(Connection c) throws SQLException {
        return Sql.list(c, ALL, ConversationTable::row);
    }

    static Row one(Connection c, String uuid) throws SQLException {
        return Sql.first(c, ONE, ConversationTable::row, uuid);
    }

    private static Row row(ResultSet row) throws SQLException {
        return new Row(row.getString(1), row.getString(2), row.getInt(3) == 1, row.getInt(4) == 1);
    }

    static List<Member> members(Connection c, String conversation) throws SQLException {
        return Sql.list(c, MEMBERS, row -> new Member(row.getString(1), row.getInt(2) == 1), conversation);
    }

    static boolean joined(Connection c, String conversation) throws SQLException {
        Boolean joined = Sql.first(c, JOINED, row -> row.getInt(1) == 1, conversation);
        return joined != null && joined;
    }

    /** Our own {@code conversation_created}, shown until the server answers. */
    static void pending(Connection c, String conversation, String name, String me, Collection<String> members)
            throws SQLException {
        Sql.update(c, INSERT_PENDING, conversation, name);
        Sql.update(c, INSERT_MEMBER, conversation, me);
        for (String member : members) {
            Sql.update(c, INSERT_MEMBER, conversation, member);
        }
        Sql.update(c, SET_ADMIN, 1, conversation, me); // the creator is the first admin
    }

    static void rejected(Connection c, String conversation) throws SQLException {
        Sql.update(c, DELETE_UNCONFIRMED, conversation);
        Sql.update(c, DELETE_ORPHAN_MEMBERS, conversation, conversation);
    }

    /** We are in it (created or added): the name and member snapshot are the server's. */
    static void joinedWith(Connection c, String conversation, String name) throws SQLException {
        Sql.update(c, UPSERT, conversation, name);
    }

    static void rename(Connection c, String conversation, String name) throws SQLException {
        Sql.update(c, RENAME, name, conversation);
    }

    /** The membership right after an event: a snapshot, so replaces whatever we had. */
    static void replaceMembers(Connection c, String conversation, Collection<String> members, Collection<String> admins)
            throws SQLException {
        Sql.update(c, CLEAR_MEMBERS, conversation);
        for (String member : members) {
            Sql.update(c, INSERT_MEMBER, conversation, member);
        }
        for (String admin : admins) {
            setAdmin(c, conversation, admin, true);
        }
    }

    static void removeMember(Connection c, String conversation, String user, String me) throws SQLException {
        Sql.update(c, DELETE_MEMBER, conversation, user);
        if (user.equals(me)) {
            // Keep the history readable; the conversation just stops changing for us.
            Sql.update(c, LEFT, conversation);
        }
    }

    static void setAdmin(Connection c, String conversation, String user, boolean admin) throws SQLException {
        Sql.update(c, SET_ADMIN, admin ? 1 : 0, conversation, user);
    }
}
