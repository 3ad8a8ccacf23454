package dev.eventsync.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

/**
 * The one classification of failures on the append path (DESIGN.md decision 10), by what they
 * mean for the calls of a batch. The Appender acts on the {@link Kind}; GrpcErrors turns it into
 * the call's status.
 */
public final class Failures {

    public enum Kind {
        /**
         * The database cannot be reached or used now (connection lost or refused, pool timeout,
         * lock or statement timeout, shutting down): the whole batch fails at once with
         * UNAVAILABLE; splitting it would only make N calls wait N times.
         */
        OUTAGE,
        /** Serialization failure or deadlock with a concurrent writer: the batch runs again. */
        CONFLICT,
        /**
         * The fault of one call (a value the database refuses, a raise, a RuntimeException while
         * deciding or writing it): that call alone gets INTERNAL, it is a bug; the rest is written.
         */
        CALL_FAULT
    }

    private Failures() {}

    public static Kind classify(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql != null) {
            return classify(sql);
        }
        if (failure instanceof TransientDataAccessException || failure instanceof DataAccessResourceFailureException
                || failure instanceof RecoverableDataAccessException) {
            return Kind.OUTAGE;
        }
        return Kind.CALL_FAULT;
    }

    private static Kind classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("40001") || state.equals("40P01")) {
            return Kind.CONFLICT;
        }
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return Kind.OUTAGE; // Hikari's pool timeout, a closed or broken connection
        }
        if (state.startsWith("22") || state.startsWith("23") || state.startsWith("P0")) {
            return Kind.CALL_FAULT; // data exception, integrity constraint, PL/pgSQL raise
        }
        // 08 connection, 53 resources, 57 operator intervention (57014 statement timeout,
        // 57P01 shutdown), 55P03 lock timeout, and anything the database says without a state:
        // none of it is one call's fault, and retrying later is the only answer.
        return Kind.OUTAGE;
    }

    private static SQLException sqlCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /**
     * A call that failed through a server bug (a {@link Kind#CALL_FAULT}); it was logged with its
     * stack when it happened, and nothing of the call was written.
     */
    public static final class CallFault extends RuntimeException {
        public CallFault(Throwable cause) {
            super("the server failed on this call (a bug, logged); nothing of it was written", cause, false, false);
        }
    }
}
