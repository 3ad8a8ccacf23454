package dev.eventsync.api;

import dev.eventsync.feed.FeedMessage;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The response marshaller of SyncFromServer: a built Event is serialized by the generated
 * marshaller; a stored body is written as it is (its bytes are already the serialized Event), so
 * a catch-up neither parses nor serializes the events it streams. The client sees the same bytes
 * either way: a stored body is the canonical serialization of the Event the server built and
 * stored, which is what serializing it again would write.
 */
final class FeedMessageMarshaller implements MethodDescriptor.Marshaller<FeedMessage> {

    static final FeedMessageMarshaller INSTANCE = new FeedMessageMarshaller();

    private static final MethodDescriptor.Marshaller<Event> EVENTS = EventServiceGrpc.getSyncFromServerMethod().getResponseMarshaller();

    private FeedMessageMarshaller() {}

    @Override
    public InputStream stream(FeedMessage message) {
        if (message instanceof FeedMessage.Stored stored) {
            return new StoredBody(stored.body());
        }
        return EVENTS.stream(((FeedMessage.Built) message).event());
    }

    /** Only a client parses these; the server's own use never does. */
    @Override
    public FeedMessage parse(InputStream stream) {
        return new FeedMessage.Built(EVENTS.parse(stream));
    }

    /**
     * The bytes, drained into the transport's buffer in one write: grpc-java's framer writes a
     * {@link Drainable} of {@link KnownLength} straight into its frame, with no copy in between.
     */
    private static final class StoredBody extends InputStream implements Drainable, KnownLength {
        private final byte[] body;
        private int next;

        StoredBody(byte[] body) {
            this.body = body;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = body.length - next;
            target.write(body, next, length);
            next = body.length;
            return length;
        }

        @Override
        public int available() {
            return body.length - next;
        }

        @Override
        public int read() {
            return next < body.length ? body[next++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (next >= body.length) {
                return -1;
            }
            int n = Math.min(length, body.length - next);
            System.arraycopy(body, next, into, offset, n);
            next += n;
            return n;
        }
    }
}
