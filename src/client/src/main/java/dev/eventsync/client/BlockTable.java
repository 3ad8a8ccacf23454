package dev.eventsync.client;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/** The {@code blocks} table: the users this user has blocked, as the latest {@code user_blocked} of each says. */
final class BlockTable {

    static final String BLOCK = "insert into blocks (user_uuid) values (?) on conflict do nothing";
    static final String UNBLOCK = "delete from blocks where user_uuid = ?";
    static final String ALL = "select user_uuid from blocks order by user_uuid";

    static final String CLEAR = "delete from blocks";

    private BlockTable() {}

    static void clear(Connection c) throws SQLException {
        Sql.update(c, CLEAR);
    }

    static void put(Connection c, String user, boolean blocked) throws SQLException {
        Sql.update(c, blocked ? BLOCK : UNBLOCK, user);
    }

    static Set<String> all(Connection c) throws SQLException {
        return new LinkedHashSet<>(Sql.list(c, ALL, row -> row.getString(1)));
    }
}
