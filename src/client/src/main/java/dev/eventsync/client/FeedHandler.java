package dev.eventsync.client;

import dev.eventsync.proto.v1.Event;

/**
 * The app's consumer of stored feed events, called in feed order on the feed thread.
 *
 * <p>Called inside the SQLite transaction that advances the cursor past the event, before it
 * commits. So an event is never skipped, but it can be handed over again: after a crash between
 * this call and the commit, or when this method throws (the client then reconnects and hands the
 * same event again). Deduplicate by {@link Event#getUuid()}, or keep your effects in a store that
 * commits with the cursor, as {@link LocalModel} does.
 *
 * <p>Keep it short and never wait on another thread here: the client's store is locked while it
 * runs, so {@code send()} and the model's reads on other threads (a UI thread) wait for it to
 * return. Hand slow work (images, notifications) to a thread of your own.
 */
@FunctionalInterface
public interface FeedHandler {

    void handle(Event event) throws Exception;
}
