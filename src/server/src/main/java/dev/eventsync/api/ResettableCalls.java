package dev.eventsync.api;

import dev.eventsync.feed.FeedStreams;
import dev.eventsync.proto.v1.EventServiceGrpc;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerStreamTracer;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.stereotype.Component;

/**
 * Gives every SyncFromServer call a context that this server can cancel ({@link FeedStreams#CALL}):
 * cancelling it with a {@link java.util.concurrent.TimeoutException} resets the call's HTTP/2
 * stream, which frees what the transport holds for a client that does not read. Closing the call
 * with a status cannot: the trailers queue behind the unread data, and so do its buffers.
 *
 * <p>Why a stream tracer: grpc-java never hands a call its own cancellable context
 * ({@code Context.current()} is an uncancellable surrogate), and a context an interceptor creates
 * is a child of it, whose cancellation does not reach the call. A tracer's
 * {@link ServerStreamTracer#filterContext} is public API and runs before grpc-java derives the
 * call's context from the one it returns: the call's context is then a child of ours, so
 * cancelling ours cancels the call, and a cancellation caused by a timeout is a deadline, on which
 * grpc-java resets the stream (as it does when a client's deadline passes).
 */
@Component
class ResettableCalls<T extends ServerBuilder<T>> implements ServerBuilderCustomizer<T> {

    private static final String SYNC_FROM_SERVER = EventServiceGrpc.getSyncFromServerMethod().getFullMethodName();

    private static final ServerStreamTracer RESETTABLE = new ServerStreamTracer() {
        @Override
        public Context filterContext(Context context) {
            Context.CancellableContext own = context.withCancellation();
            // Not cancelled when the call ends normally: nothing waits on it, and it goes with the call.
            return own.withValue(FeedStreams.CALL, own);
        }
    };

    private static final ServerStreamTracer UNCHANGED = new ServerStreamTracer() {};

    private static final ServerStreamTracer.Factory FACTORY = new ServerStreamTracer.Factory() {
        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            return SYNC_FROM_SERVER.equals(fullMethodName) ? RESETTABLE : UNCHANGED;
        }
    };

    @Override
    public void customize(T builder) {
        builder.addStreamTracerFactory(FACTORY);
    }
}
