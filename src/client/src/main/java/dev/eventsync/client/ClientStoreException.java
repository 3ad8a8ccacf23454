package dev.eventsync.client;

/** The local SQLite store failed (disk full, file locked, corrupt): nothing of the operation was committed. */
public final class ClientStoreException extends RuntimeException {

    public ClientStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
