package dev.eventsync.support;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.GetMediaStatusRequest;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadMediaRequest;
import dev.eventsync.proto.v1.UploadStart;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** MediaService calls as a client makes them: files, uploads (whole, partial, cancelled) and downloads. */
public final class Media {

    public static final String TYPE = "application/octet-stream";

    private Media() {}

    /** Reproducible bytes, different for each seed. */
    public static byte[] file(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static ByteString sha256(byte[] bytes) {
        try {
            return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The start of an upload of this whole file, its chunks beginning at offset. */
    public static UploadStart start(String mediaUuid, byte[] file, long offset) {
        return UploadStart.newBuilder().setMediaUuid(mediaUuid).setContentType(TYPE).setSizeBytes(file.length)
                .setSha256(sha256(file)).setOffset(offset).build();
    }

    /** The file's bytes [from, to) in chunks of at most chunkSize. */
    public static List<ByteString> chunks(byte[] file, int from, int to, int chunkSize) {
        List<ByteString> chunks = new ArrayList<>();
        for (int at = from; at < to; at += chunkSize) {
            chunks.add(ByteString.copyFrom(file, at, Math.min(chunkSize, to - at)));
        }
        return chunks;
    }

    /** One whole UploadMedia call: start, the chunks, half-close; its answer, or its status as a StatusRuntimeException. */
    public static MediaStatus upload(Api.User user, UploadStart start, List<ByteString> chunks) {
        return open(user).send(start).send(chunks).finish();
    }

    /** Uploads the whole file from 0 in 256 KiB chunks. */
    public static MediaStatus uploadWhole(Api.User user, String mediaUuid, byte[] file) {
        return upload(user, start(mediaUuid, file, 0), chunks(file, 0, file.length, 256 * 1024));
    }

    /** An UploadMedia call left open: the test sends, then half-closes or cancels. */
    public static Open open(Api.User user) {
        CompletableFuture<MediaStatus> answer = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<UploadMediaRequest>> call = new CompletableFuture<>();
        user.mediaAsyncStub().uploadMedia(new ClientResponseObserver<UploadMediaRequest, MediaStatus>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<UploadMediaRequest> requests) {
                call.complete(requests);
            }

            @Override
            public void onNext(MediaStatus status) {
                answer.complete(status);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        return new Open(call.join(), answer);
    }

    public record Open(ClientCallStreamObserver<UploadMediaRequest> requests, CompletableFuture<MediaStatus> answer) {
        public Open send(UploadStart start) {
            requests.onNext(UploadMediaRequest.newBuilder().setStart(start).build());
            return this;
        }

        public Open send(List<ByteString> chunks) {
            chunks.forEach(chunk -> requests.onNext(UploadMediaRequest.newBuilder().setChunk(chunk).build()));
            return this;
        }

        public MediaStatus finish() {
            requests.onCompleted();
            return await(answer);
        }

        /** As a client closing the app, or a connection dropping: the server sees the call cancelled. */
        public void cancel() {
            requests.cancel("the client went away", null);
        }
    }

    /**
     * For awaiting an upload in flight: an upload call is asynchronous, and until the server has
     * stored its start the media uuid is NOT_FOUND (what GetMediaStatus answers for any unknown one).
     */
    public static boolean notStartedYet(Throwable e) {
        return e instanceof StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND;
    }

    public static MediaStatus status(Api.User user, String mediaUuid) {
        return user.mediaStub().getMediaStatus(GetMediaStatusRequest.newBuilder().setMediaUuid(mediaUuid).build());
    }

    /** Every chunk of DownloadMedia from offset. */
    public static List<DownloadMediaChunk> download(Api.User user, String mediaUuid, long offset) {
        List<DownloadMediaChunk> chunks = new ArrayList<>();
        Iterator<DownloadMediaChunk> stream = user.mediaStub()
                .downloadMedia(DownloadMediaRequest.newBuilder().setMediaUuid(mediaUuid).setOffset(offset).build());
        stream.forEachRemaining(chunks::add);
        return chunks;
    }

    /** The data of the chunks, joined. */
    public static byte[] bytes(List<DownloadMediaChunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(chunk -> out.writeBytes(chunk.getData().toByteArray()));
        return out.toByteArray();
    }

    private static MediaStatus await(CompletableFuture<MediaStatus> answer) {
        try {
            return answer.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException status) {
                throw status;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer to the upload within 60 s", e);
        }
    }
}
