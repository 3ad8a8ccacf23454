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

    /**
     * A uuid[] as an array literal, for one row's value inside an {@code unnest} of text (SQL has
     * no ragged arrays). Uuids hold no character an array literal would need quoted.
     */
    static String uuidLiteral(Collection<UUID> uuids) {
        StringBuilder literal = new StringBuilder("{");
        for (UUID uuid : uuids) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            literal.append(uuid);
        }
        return literal.append('}').toString();
    }
}
