package dev.eventsync.push;

import dev.eventsync.live.Listener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Which instance holds the notifier: a session advisory lock on a connection of its own (not the
 * pool's: a pooled connection would carry the lock to whoever borrows it next). The lock lives as
 * long as the session, so a dead instance's lock goes with its connection and another instance's
 * next try takes it.
 */
final class NotifierLock implements AutoCloseable {

    /** pg_stat_activity's name for the holder's connection. */
    static final String APPLICATION_NAME = "eventsync-push";
    /** Advisory keys are shared by the whole database: the notifier's is named after it. */
    static final String TRY = "select pg_try_advisory_lock(hashtextextended('eventsync.push.notifier', 0))";

    private final DataSource dataSource;
    /** The session that holds or tries the lock: kept between tries, reopened only when lost. */
    private Connection session;
    private boolean held;

    NotifierLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Tries once; true when this instance holds the lock (now or already). */
    boolean tryHold() {
        if (held) {
            return true;
        }
        try {
            if (session == null) {
                session = Listener.dedicated(dataSource, APPLICATION_NAME);
                session.setAutoCommit(true);
            }
            try (PreparedStatement lock = session.prepareStatement(TRY); ResultSet row = lock.executeQuery()) {
                row.next();
                held = row.getBoolean(1);
            }
        } catch (SQLException e) {
            close(); // the database is away: not the holder, try again later on a new session
        }
        return held;
    }

    /** Whether the lock is still held: its session answers. A lost session lost the lock with it. */
    boolean stillHeld() {
        if (!held) {
            return false;
        }
        try (Statement ping = session.createStatement()) {
            ping.execute("select 1");
            return true;
        } catch (SQLException e) {
            close();
            return false;
        }
    }

    boolean held() {
        return held;
    }

    /** Lets the lock go (closing its session releases it at once). */
    @Override
    public void close() {
        closeQuietly(session);
        session = null;
        held = false;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // gone already: so is the lock
            }
        }
    }
}
