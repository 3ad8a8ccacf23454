package dev.eventsync.store;

import java.sql.SQLException;

/**
 * A database read made while a batch is being decided failed. Unchecked so that it can cross the
 * rules (which know nothing of SQL); the writer unwraps it, so the failure is classified like any
 * other SQL failure of the batch (an outage stays an outage, not one call's fault).
 */
final class StateReadFailure extends RuntimeException {

    StateReadFailure(SQLException cause) {
        super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
