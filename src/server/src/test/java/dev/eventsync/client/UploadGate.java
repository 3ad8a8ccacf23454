package dev.eventsync.client;

import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.UploadMediaRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the client's UploadMedia calls: records where each call starts ({@code offset}) and
 * holds the uploading thread inside the first call's chunk number {@code holdAt} (1-based) until
 * {@link #release}, which lets it go on or cuts the call there (a client-side cancel, as a dropped
 * connection or a closed app does). {@code holdAt} 0: never holds.
 */
final class UploadGate implements ClientInterceptor {

    final List<Long> startOffsets = new CopyOnWriteArrayList<>();
    final AtomicInteger chunks = new AtomicInteger();
    final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final int holdAt;
    private final Runnable onHold;
    private volatile boolean cut;

    UploadGate(int holdAt) {
        this(holdAt, () -> { });
    }

    UploadGate(int holdAt, Runnable onHold) {
        this.holdAt = holdAt;
        this.onHold = onHold;
    }

    /** Lets the held thread go: on with the call, or cutting it. */
    void release(boolean cutTheCall) {
        cut = cutTheCall;
        released.countDown();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (!method.getFullMethodName().equals(MediaServiceGrpc.getUploadMediaMethod().getFullMethodName())) {
            return call;
        }
        boolean first = startOffsets.isEmpty();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            private boolean cancelled;

            @Override
            public void sendMessage(Q message) {
                if (cancelled) {
                    return; // what the cut call would have sent: gone with it
                }
                UploadMediaRequest request = (UploadMediaRequest) message;
                if (request.hasStart()) {
                    startOffsets.add(request.getStart().getOffset());
                } else if (chunks.incrementAndGet() == holdAt && first) {
                    onHold.run();
                    holding.countDown();
                    try {
                        released.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (cut) {
                        cancelled = true;
                        delegate().cancel("the test cut the upload here", null);
                        return;
                    }
                }
                super.sendMessage(message);
            }

            @Override
            public void halfClose() {
                if (!cancelled) {
                    super.halfClose();
                }
            }
        };
    }
}
