package dev.eventsync.history;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A pooled connection in a read-only REPEATABLE READ transaction: every statement of it sees one
 * state of the database. Closing rolls back (nothing was written) and gives the connection back
 * as the pool lent it.
 */
public final class ReadTransaction implements AutoCloseable {

    private final Connection connection;

    private ReadTransaction(Connection connection) {
        this.connection = connection;
    }

    public static ReadTransaction begin(DataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            return new ReadTransaction(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
            connection.setReadOnly(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(true);
        } finally {
            connection.close();
        }
    }
}
