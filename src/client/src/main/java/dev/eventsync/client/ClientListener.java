package dev.eventsync.client;

import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import io.grpc.Status;

/**
 * What the client tells the app, besides the stored feed ({@link FeedHandler}) and transitory
 * events. Every method has a no-op default. Calls come from the client's own threads; keep them
 * short.
 *
 * <p>{@link #accepted} and {@link #rejected} run inside the transaction that removes the event
 * from the outbox, before it commits: after a crash at the wrong moment the same result can be
 * reported again (the event uuid identifies it), but never lost. An exception thrown here is
 * logged and does not hold the queue.
 */
public interface ClientListener {

    /** The server stored the event (or had stored it already: {@code duplicate}); it left the outbox. */
    default void accepted(Event event, Accepted accepted) {}

    /** The server refused the event; it left the outbox. Roll back what the app showed for it. */
    default void rejected(Event event, Rejected rejected) {}

    default void connectionChanged(ConnectionState state) {}

    /** The server did not know the stored cursor; the client takes a new snapshot and follows from its cursor. */
    default void cursorReset(String detail) {}

    /** A snapshot replaced the model (first sync, or after {@link #cursorReset}); the feed follows from {@code cursor}. */
    default void snapshotApplied(String cursor, int conversations) {}

    /** A call failed and will be retried ({@code what} is "sync" or "feed"); for logs and diagnostics. */
    default void callFailed(String what, Status status) {}
}
