package dev.eventsync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A transaction holding one user's advisory lock for one kind of limit, so that a count checked
 * inside it cannot be raced past the limit by the user's concurrent calls. Whatever the work
 * throws rolls everything back: a refused write stores nothing.
 */
public final class UserLock {

    /** The kinds, each its own lock: a user's pushers do not wait for their uploads. */
    public static final int PUSHERS = 7;
    public static final int MEDIA = 9;
    /** Taken by the append batches, many users at once: see {@code Preferences.LOCK_BLOCKS}. */
    static final int BLOCKS = 11;

    static final String LOCK = "select pg_advisory_xact_lock(hashtextextended(?::text, ?))";

    public interface Work {
        void run(Connection connection) throws SQLException;
    }

    private UserLock() {}

    public static void inTransaction(DataSource dataSource, UUID user, int kind, Work work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
                    lock.setObject(1, user);
                    lock.setLong(2, kind);
                    lock.executeQuery().close();
                }
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** The count a query of one user parameter answers (inside the transaction). */
    public static long count(Connection connection, String sql, UUID user) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(sql)) {
            count.setObject(1, user);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
