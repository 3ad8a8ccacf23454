package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator writes only to a benchmark database: one it found empty and marked, never a
 * database whose append-only log holds events it did not write (unless the operator confirms).
 * Each test has its own schema, migrated by the server's own migrations, on the real test PostgreSQL.
 */
class BenchmarkDatabaseTest {

    String url;

    @BeforeEach
    void freshSchema() {
        TestDatabase.Connection db = TestDatabase.get();
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
        Flyway.configure().dataSource(db.url(), db.username(), db.password()).schemas(schema)
                .locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "eventsync_app")) // as application.properties sets it
                .load().migrate();
        String credentials = "user=" + db.username() + (db.password() == null || db.password().isEmpty() ? "" : "&password=" + db.password());
        url = db.url() + (db.url().contains("?") ? "&" : "?") + credentials + "&currentSchema=" + schema;
    }

    @Test
    void anEmptyLogIsClaimedAsABenchmarkDatabaseAndStaysOne() throws Exception {
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(BenchmarkDatabase.check(connection, false)).isEqualTo(BenchmarkDatabase.Kind.BENCHMARK);
            insertForeignEvent(connection); // now as the load generator's own W1 leaves it: events present
            assertThat(BenchmarkDatabase.check(connection, false)).isEqualTo(BenchmarkDatabase.Kind.BENCHMARK);
        }
    }

    @Test
    void aLogWithEventsItDidNotWriteIsRefusedAndLeftUntouched() throws Exception {
        try (Connection connection = DriverManager.getConnection(url)) {
            insertForeignEvent(connection);
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();

        int exit = LoadGenerator.run(new String[] {"--jdbc", url, "--only", "BASE", "--quick"},
                new PrintStream(printed, true, StandardCharsets.UTF_8), new PrintStream(errors, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8))
                .startsWith("bench: this is not a benchmark database")
                .contains("--i-know-this-is-not-production");
        assertThat(printed.size()).isZero();
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(count(connection, "select count(*) from events")).isEqualTo(1);
            assertThat(count(connection, "select count(*) from users")).isZero();
            assertThat(markerExists(connection)).isFalse();
        }
    }

    @Test
    void theOperatorsConfirmationRunsWithoutClaimingTheDatabaseSoItsWalIsLeftAlone() throws Exception {
        try (Connection connection = DriverManager.getConnection(url)) {
            insertForeignEvent(connection);

            assertThat(BenchmarkDatabase.check(connection, true)).isEqualTo(BenchmarkDatabase.Kind.CONFIRMED_OTHER);
            assertThat(markerExists(connection)).isFalse();
            assertThatThrownBy(() -> BenchmarkDatabase.check(connection, false)).isInstanceOf(BenchmarkDatabase.Refused.class);
        }
    }

    @Test
    void aDatabaseWithoutTheSchemaIsRefused() throws Exception {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute("set search_path to pg_catalog"); // no eventsync tables there
            assertThatThrownBy(() -> BenchmarkDatabase.check(connection, true))
                    .isInstanceOf(BenchmarkDatabase.Refused.class).hasMessageContaining("no eventsync schema");
        }
    }

    /** An event some server stored: a profile event needs no conversation. */
    private static void insertForeignEvent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body)"
                    + " values ((select coalesce(max(position), 0) + 1 from events), gen_random_uuid(), gen_random_uuid(),"
                    + " 'display_name_changed', null, now(), '\\x01')");
        }
    }

    private static boolean markerExists(Connection connection) throws SQLException {
        return count(connection, "select count(*) from pg_tables where schemaname = current_schema() and tablename = '"
                + BenchmarkDatabase.MARKER_TABLE + "'") == 1;
    }

    private static long count(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }
}
