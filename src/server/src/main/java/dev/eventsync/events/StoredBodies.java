package dev.eventsync.events;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.eventsync.proto.v1.Event;
import java.io.IOException;

/** The stored body of an event back to its {@link Event}: the server wrote it, so failing to parse is a bug. */
public final class StoredBodies {

    private static final int UUID_TAG = Event.UUID_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private StoredBodies() {}

    public static Event parse(byte[] body) {
        try {
            return Event.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored event body does not parse", e);
        }
    }

    /**
     * The body's {@link Event#getUuid() uuid} without parsing the rest: the top-level fields are
     * stepped over (the content is one length-delimited field, skipped in one step), and the last
     * uuid field wins, as in a full parse.
     */
    public static String uuid(byte[] body) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(body);
            String uuid = "";
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == UUID_TAG) {
                    uuid = in.readStringRequireUtf8();
                } else if (!in.skipField(tag)) {
                    throw new InvalidProtocolBufferException("an end-group tag at the top level"); // as a full parse would
                }
            }
            return uuid;
        } catch (IOException e) {
            throw new IllegalStateException("a stored event body does not parse", e);
        }
    }
}
