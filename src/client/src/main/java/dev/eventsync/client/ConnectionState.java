package dev.eventsync.client;

/** Where the client's feed stream is; the app shows it (offline banner, "syncing…"). */
public enum ConnectionState {
    /** Not started yet, or waiting (with backoff) to reconnect after a failure. */
    OFFLINE,
    /** A SyncFromServer call is open and the backlog after the cursor is arriving. */
    CATCHING_UP,
    /** Caught up ({@code sync_caught_up} received): new events arrive live. */
    LIVE,
    /** {@link EventsyncClient#close()} was called. */
    CLOSED
}
