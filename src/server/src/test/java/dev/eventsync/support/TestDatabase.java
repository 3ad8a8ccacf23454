package dev.eventsync.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL every data test runs against, one per test JVM:
 * {@code EVENTSYNC_TEST_DATABASE_URL} (+ _USERNAME/_PASSWORD) when set; else a Testcontainers
 * {@code postgres:17} when Docker runs; else an embedded PostgreSQL 17 (zonky). Durability
 * settings are the production ones (fsync and synchronous_commit on) in every case.
 */
public final class TestDatabase {

    public record Connection(String url, String username, String password, String kind) {}

    private static Connection connection;

    private TestDatabase() {}

    public static synchronized Connection get() {
        if (connection == null) {
            connection = start();
        }
        return connection;
    }

    private static Connection start() {
        String url = System.getenv("EVENTSYNC_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            return new Connection(url, System.getenv("EVENTSYNC_TEST_DATABASE_USERNAME"),
                    System.getenv("EVENTSYNC_TEST_DATABASE_PASSWORD"), "external");
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17");
            container.start();
            return new Connection(container.getJdbcUrl(), container.getUsername(), container.getPassword(), "testcontainers");
        }
        try {
            EmbeddedPostgres postgres = embedded().start();
            return new Connection(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", "embedded");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded test PostgreSQL", e);
        }
    }

    /** The URL of another database on the test PostgreSQL. */
    public static String urlOf(String database) {
        String withoutParameters = get().url().replaceFirst("\\?.*$", "");
        return withoutParameters.substring(0, withoutParameters.lastIndexOf('/') + 1) + database;
    }

    /**
     * A new, empty database of the test's own on the test PostgreSQL (a server started on it
     * migrates it): for tests whose subject is shared by a whole database, such as the push
     * notifier's lock and position, which other servers of the test JVM must not hold.
     */
    public static Connection createDatabase(String database) {
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(get().url(), get().username(),
                get().password() == null ? "" : get().password());
             java.sql.Statement create = admin.createStatement()) {
            create.execute("create database " + database);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
        return new Connection(urlOf(database), get().username(), get().password(), get().kind());
    }

    /** An embedded PostgreSQL (zonky) with the durability settings of production. */
    public static EmbeddedPostgres.Builder embedded() {
        return EmbeddedPostgres.builder()
                // zonky defaults to synchronous_commit=off; tests run with production durability.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("max_connections", "300");
    }

    private static boolean dockerAvailable() {
        // Ask Testcontainers only where a Docker engine can be (it logs an ERROR when there is none).
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
