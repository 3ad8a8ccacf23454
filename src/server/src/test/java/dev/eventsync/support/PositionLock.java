package dev.eventsync.support;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The log's position lock held in a transaction of the test's own, as a stalled writer would
 * hold it: a writer's next batch waits for it, so calls queue up behind and are written as one
 * batch when it is released, or batches of two instances are in flight at once.
 */
public final class PositionLock implements AutoCloseable {

    private final Connection connection;

    private PositionLock(Connection connection) {
        this.connection = connection;
    }

    public static PositionLock hold(DataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("update log_head set last_position = last_position");
        }
        return new PositionLock(connection);
    }

    public Connection connection() {
        return connection;
    }

    /** Lets the waiting writers go on (nothing was changed). */
    public void release() throws SQLException {
        connection.rollback();
    }

    /** Closes, also when the database has already ended the transaction (one test wants that). */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // ended by the database: nothing is held any more
        }
    }

    /** The backends waiting for a lock, besides the one asking (here only writers wait for one). */
    public static List<Integer> waiters(JdbcTemplate jdbc) {
        return jdbc.queryForList("select pid from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()",
                Integer.class);
    }

    /** Waits until at least {@code count} backends wait for a lock. */
    public static void awaitWaiters(JdbcTemplate jdbc, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters(jdbc).size() >= count);
    }
}
