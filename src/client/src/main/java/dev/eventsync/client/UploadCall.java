package dev.eventsync.client;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadMediaRequest;
import dev.eventsync.proto.v1.UploadStart;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One {@code UploadMedia} call under gRPC flow control: the start, then each chunk only when the
 * call is ready for it (so a slow network never piles a file up in memory), then the server's
 * answer. What {@link EventsyncClient} uploads with; usable on its own (tools, benchmarks).
 */
public final class UploadCall {

    /** The chunks of the call, in order; null after the last. */
    @FunctionalInterface
    public interface Chunks {
        ByteString next() throws IOException;
    }

    private UploadCall() {}

    /**
     * Runs the call on the calling thread. Returns the server's answer; throws its status as a
     * {@link StatusRuntimeException} (CANCELLED when this thread is interrupted), or the
     * {@link IOException} of the chunks (the call is cancelled then).
     */
    public static MediaStatus run(MediaServiceGrpc.MediaServiceStub stub, UploadStart start, Chunks chunks) throws IOException {
        CompletableFuture<MediaStatus> answer = new CompletableFuture<>();
        Object ready = new Object();
        CompletableFuture<ClientCallStreamObserver<UploadMediaRequest>> started = new CompletableFuture<>();
        stub.uploadMedia(new ClientResponseObserver<UploadMediaRequest, MediaStatus>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<UploadMediaRequest> requests) {
                requests.setOnReadyHandler(() -> wake(ready));
                started.complete(requests);
            }

            @Override
            public void onNext(MediaStatus status) {
                answer.complete(status);
                wake(ready);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
                wake(ready);
            }

            @Override
            public void onCompleted() {
                if (answer.complete(null)) {
                    wake(ready);
                }
            }
        });
        ClientCallStreamObserver<UploadMediaRequest> requests = started.join();
        try {
            requests.onNext(UploadMediaRequest.newBuilder().setStart(start).build());
            while (awaitReady(requests, answer, ready)) {
                ByteString chunk = chunks.next();
                if (chunk == null) {
                    requests.onCompleted();
                    break;
                }
                requests.onNext(UploadMediaRequest.newBuilder().setChunk(chunk).build());
            }
        } catch (IOException | RuntimeException e) {
            requests.cancel("the client cannot go on with this upload", e);
            throw e;
        }
        return await(requests, answer);
    }

    /** Whether the call can take a chunk now; false when it ended (its answer says how). */
    private static boolean awaitReady(ClientCallStreamObserver<UploadMediaRequest> requests,
            CompletableFuture<MediaStatus> answer, Object ready) {
        synchronized (ready) {
            while (!requests.isReady() && !answer.isDone()) {
                try {
                    ready.wait(1000); // onReady wakes us; the timeout only guards against a missed wake-up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw Status.CANCELLED.withDescription("the client is stopping").asRuntimeException(); // the caller cancels the call
                }
            }
        }
        return !answer.isDone();
    }

    private static MediaStatus await(ClientCallStreamObserver<UploadMediaRequest> requests,
            CompletableFuture<MediaStatus> answer) {
        try {
            MediaStatus status = answer.get();
            if (status == null) {
                throw Status.INTERNAL.withDescription("the server closed the upload without an answer").asRuntimeException();
            }
            return status;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException status ? status : Status.fromThrowable(e.getCause()).asRuntimeException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.cancel("the client is stopping", null);
            throw Status.CANCELLED.withDescription("the client is stopping").asRuntimeException();
        }
    }

    private static void wake(Object ready) {
        synchronized (ready) {
            ready.notifyAll();
        }
    }
}
