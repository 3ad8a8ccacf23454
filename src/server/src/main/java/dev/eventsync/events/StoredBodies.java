package dev.eventsync.events;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Event;

/** The stored body of an event back to its {@link Event}: the server wrote it, so failing to parse is a bug. */
public final class StoredBodies {

    private StoredBodies() {}

    public static Event parse(byte[] body) {
        try {
            return Event.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored event body does not parse", e);
        }
    }
}
