package dev.eventsync.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The load generator writes straight into the event log's tables (BASE, the W2 seed) and forces
 * gigabytes of WAL, and the log is append-only: pointed at a production database by mistake, it
 * would leave benchmark events there for good. So it runs only on a benchmark database: one that
 * holds the marker table it creates, which it creates only where the log is still empty (a fresh
 * database, as {@code bench/run.sh} starts). Any other database is refused unless the operator
 * confirms, and even then its WAL is left alone.
 */
final class BenchmarkDatabase {

    static final String MARKER_TABLE = "eventsync_benchmark_database";
    static final String CONFIRMATION = "--i-know-this-is-not-production";

    /** What the load generator may do here. */
    enum Kind {
        /** Created (claimed while empty) by the load generator: every workload and the WAL preparation. */
        BENCHMARK,
        /** Not a benchmark database, run anyway at the operator's word: no WAL preparation. */
        CONFIRMED_OTHER
    }

    /** The database is not one the load generator may write to; the message says why and what to do. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private BenchmarkDatabase() {}

    /** Checks (and, on an empty log, claims) the database behind the connection's search path. */
    static Kind check(Connection connection, boolean confirmed) throws SQLException, Refused {
        try (Statement statement = connection.createStatement()) {
            if (exists(statement, "select to_regclass('" + MARKER_TABLE + "') is not null")) {
                return Kind.BENCHMARK;
            }
            if (!exists(statement, "select to_regclass('events') is not null")) {
                throw new Refused("this database has no eventsync schema (no table events): start the server on it"
                        + " first, so that its migrations create the tables");
            }
            if (!exists(statement, "select exists (select 1 from events)")) {
                // Claimed before the first write, so a second run on the same database finds it ours.
                statement.execute("create table if not exists " + MARKER_TABLE + " (created_at timestamptz not null default now(),"
                        + " note text not null default 'created by the eventsync load generator on an empty event log;"
                        + " this database holds benchmark events')");
                statement.execute("insert into " + MARKER_TABLE + " default values");
                return Kind.BENCHMARK;
            }
            if (confirmed) {
                return Kind.CONFIRMED_OTHER;
            }
            throw new Refused("this is not a benchmark database: its event log holds events the load generator did not"
                    + " write (and the log is append-only). Point --jdbc at a fresh database (bench/run.sh starts one),"
                    + " or pass " + CONFIRMATION + " to write benchmark events here anyway (the WAL is then left alone)");
        }
    }

    private static boolean exists(Statement statement, String query) throws SQLException {
        try (ResultSet row = statement.executeQuery(query)) {
            row.next();
            return row.getBoolean(1);
        }
    }
}
