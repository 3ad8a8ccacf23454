package dev.eventsync.feed;

import dev.eventsync.proto.v1.Event;

/**
 * One message of a SyncFromServer stream, as the transport is to write it: an {@link Event} built
 * by the server (transitory events, presence, {@code sync_caught_up}), or a stored event as its
 * stored body. A stored body is the serialized Event every reader of the feed receives (redaction
 * rewrites it in the table; nothing is changed per reader), so it goes to the wire as it is,
 * without being parsed and serialized again.
 */
public sealed interface FeedMessage {

    record Built(Event event) implements FeedMessage {}

    /** A serialized Event, exactly as stored; never changed after it is handed on. */
    record Stored(byte[] body) implements FeedMessage {}
}
