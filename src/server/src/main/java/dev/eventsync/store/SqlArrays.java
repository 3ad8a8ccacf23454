package dev.eventsync.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.UUID;

/** PostgreSQL arrays for the {@code = any(?)} and {@code unnest(?)} statements: one round trip for n rows. */
final class SqlArrays {

    private SqlArrays() {}

    static Array uuids(Connection connection, Collection<UUID> uuids) throws SQLException {
        return connection.createArrayOf("uuid", uuids.toArray());
    }
}
