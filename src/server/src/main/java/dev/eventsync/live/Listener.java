package dev.eventsync.live;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * {@code LISTEN eventsync} on one dedicated connection, outside the pool and never inside a
 * transaction (a listener stuck in a transaction lets PostgreSQL's notification queue fill, and
 * then every NOTIFYing commit fails). Notifications go to the {@link LiveHub}. A lost connection
 * is re-opened; since notifications may have been missed meanwhile, every stream is then woken,
 * spread over the wake window ({@link LiveHub#listening(long)}): a reconnect must not send every
 * stream's read to a database that has just come back, all in one instant.
 */
@Component
public class Listener implements SmartLifecycle {

    /** The LISTEN connection's {@code application_name} in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "eventsync-listener";

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int POLL_MILLIS = 500;
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final DataSource dataSource;
    private final LiveHub hub;
    private final LiveProperties properties;
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Thread thread;

    private final Timer lag;

    public Listener(DataSource dataSource, LiveHub hub, LiveProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.hub = hub;
        this.properties = properties;
        this.lag = Timer.builder("eventsync.live.notification.lag")
                .description("from a batch's NOTIFY (sender clock) to its receipt here").register(meters);
    }

    /** Whether the LISTEN connection is up (for health). */
    public boolean isListening() {
        return listening;
    }

    @Override
    public void start() {
        running = true;
        Thread listener = new Thread(this::run, "eventsync-listener");
        listener.setDaemon(true);
        thread = listener;
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread listener = thread;
        if (listener != null) {
            try {
                listener.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    private void run() {
        while (running) {
            try (Connection connection = open()) {
                connection.setAutoCommit(true);
                try (Statement listen = connection.createStatement()) {
                    listen.execute("listen " + Notifications.CHANNEL);
                }
                listening = true;
                hub.listening(head(connection)); // whatever was committed while nobody listened (spread over the wake window)
                PGConnection postgres = connection.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (running) {
                    if (System.nanoTime() - lastCheck > CHECK_NANOS) {
                        // Reading alone never notices a half-open connection (failover, NAT drop).
                        try (Statement ping = connection.createStatement()) {
                            ping.execute("select 1");
                        }
                        lastCheck = System.nanoTime();
                    }
                    PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            Notifications.Payload payload = Notifications.parse(notification.getParameter());
                            if (payload.sentAtMillis() > 0) {
                                lag.record(Math.max(0, System.currentTimeMillis() - payload.sentAtMillis()), TimeUnit.MILLISECONDS);
                            }
                            hub.dispatch(payload);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("LISTEN connection lost ({}); reconnecting in {}", e.getMessage(), properties.reconnectDelay());
                }
            } finally {
                listening = false;
            }
            sleep();
        }
    }

    /** The log head, read once LISTEN is on: every commit after it will be announced here. */
    private static long head(Connection connection) throws SQLException {
        try (Statement select = connection.createStatement(); ResultSet row = select.executeQuery(LogHead.SELECT)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** A connection of its own, with the pool's settings but not from the pool. */
    private Connection open() throws SQLException {
        return dedicated(dataSource, APPLICATION_NAME);
    }

    /**
     * A connection of its own, with the pool's settings but not from the pool, named in
     * {@code pg_stat_activity}: for a session that must outlive transactions (LISTEN, a session
     * advisory lock).
     */
    public static Connection dedicated(DataSource dataSource, String applicationName) throws SQLException {
        if (dataSource instanceof HikariDataSource hikari) {
            Properties properties = connectionProperties(hikari);
            properties.setProperty("ApplicationName", applicationName);
            return DriverManager.getConnection(hikari.getJdbcUrl(), properties);
        }
        return dataSource.getConnection();
    }

    /**
     * The pool's driver properties (TLS settings such as {@code sslmode} or {@code sslrootcert}
     * included: the LISTEN connection must be as protected as the pool's), its credentials, and
     * what this connection needs of its own.
     */
    static Properties connectionProperties(HikariDataSource hikari) {
        Properties properties = new Properties();
        properties.putAll(hikari.getDataSourceProperties());
        if (hikari.getUsername() != null) {
            properties.setProperty("user", hikari.getUsername());
        }
        if (hikari.getPassword() != null) {
            properties.setProperty("password", hikari.getPassword());
        }
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketTimeout", "30"); // the periodic `select 1` fails instead of hanging
        properties.setProperty("ApplicationName", APPLICATION_NAME); // operators (and tests) can find it
        return properties;
    }

    private void sleep() {
        if (!running) {
            return;
        }
        try {
            Thread.sleep(properties.reconnectDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
