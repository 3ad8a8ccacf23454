package dev.eventsync.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.eventsync.client.UploadTable.Upload;
import dev.eventsync.proto.v1.GetMediaStatusRequest;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadStart;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Brings the files of a queued message to complete on the server, one after the other, each
 * resumed from the bytes the server reports durable ({@code GetMediaStatus}): a cut call or a
 * restart of the app costs the bytes after the server's last durable point, never the file. The
 * server's hash check at the end makes the upload byte-exact; the media uuid makes it happen once.
 *
 * <p>Runs on the dispatcher's thread: the message waits behind its files, and everything queued
 * after it waits behind the message (the outbox's order). Memory: a few chunks in flight, under
 * gRPC flow control, whatever the file's size.
 */
final class MediaUploader {

    /** Bytes per chunk: well under the server's 4 MiB message limit; the server's own download chunk. */
    static final int CHUNK_BYTES = 256 * 1024;

    /** What became of an entry's uploads. */
    sealed interface Outcome {
        /** Every file is complete on the server: the message can go. */
        record Complete() implements Outcome {}

        /** A call failed in a way a later try can mend (network, server restart, another call still holding the upload). */
        record Retry(Status status) implements Outcome {}

        /** It can never succeed (the file changed or went, over a server limit): the message fails locally. */
        record Refused(String detail) implements Outcome {}
    }

    private final ClientStore store;
    private final Transport transport;

    MediaUploader(ClientStore store, Transport transport) {
        this.store = store;
        this.transport = transport;
    }

    Outcome uploadAll(String eventUuid) {
        List<Upload> uploads = store.read(c -> UploadTable.incomplete(c, eventUuid));
        for (Upload upload : uploads) {
            Outcome outcome = upload(upload);
            if (!(outcome instanceof Outcome.Complete)) {
                return outcome;
            }
            store.inTransaction(c -> {
                UploadTable.complete(c, upload.mediaUuid());
                return null;
            });
        }
        return new Outcome.Complete();
    }

    Outcome upload(Upload upload) {
        try {
            if (!Files.isRegularFile(upload.path()) || Files.size(upload.path()) != upload.sizeBytes()) {
                return changed(upload);
            }
            long committed;
            try {
                MediaStatus status = transport.mediaStub().withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getMediaStatus(GetMediaStatusRequest.newBuilder().setMediaUuid(upload.mediaUuid()).build());
                if (status.getComplete()) {
                    return new Outcome.Complete();
                }
                committed = status.getCommittedBytes();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    return classify(e.getStatus(), upload);
                }
                committed = 0; // never started, or discarded after a hash mismatch, or expired: from the start
            }
            MediaStatus answer = stream(upload, committed);
            return answer.getComplete() ? new Outcome.Complete()
                    : new Outcome.Retry(Status.UNAVAILABLE.withDescription("the server answered the upload incomplete at "
                            + answer.getCommittedBytes() + " of " + upload.sizeBytes() + " bytes"));
        } catch (StatusRuntimeException e) {
            return classify(e.getStatus(), upload);
        } catch (IOException e) {
            return new Outcome.Refused("cannot read " + upload.path() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // The call refused a send (cancelled under us, or the channel shut down): try again later.
            return new Outcome.Retry(Status.fromThrowable(e));
        }
    }

    /** One UploadMedia call from {@code offset} to the end of the file; its answer, or its status thrown. */
    private MediaStatus stream(Upload upload, long offset) throws IOException {
        UploadStart start = UploadStart.newBuilder().setMediaUuid(upload.mediaUuid()).setContentType(upload.contentType())
                .setSizeBytes(upload.sizeBytes()).setSha256(ByteString.copyFrom(upload.sha256())).setOffset(offset).build();
        try (FileChannel file = FileChannel.open(upload.path(), StandardOpenOption.READ)) {
            long[] position = {offset};
            return UploadCall.run(transport.mediaAsyncStub(), start, () -> {
                if (position[0] == upload.sizeBytes()) {
                    return null;
                }
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, upload.sizeBytes() - position[0]));
                while (chunk.hasRemaining()) {
                    if (file.read(chunk, position[0] + chunk.position()) < 0) {
                        throw new IOException("the file is shorter than when the message was sent");
                    }
                }
                position[0] += chunk.capacity();
                return UnsafeByteOperations.unsafeWrap(chunk.array()); // the buffer is never touched again: no copy
            });
        }
    }

    /**
     * What a refusal means for the message. DATA_LOSS: the bytes sent do not hash as the file did
     * when the message was sent, so the file changed; the others cannot change by retrying.
     */
    private static Outcome classify(Status status, Upload upload) {
        switch (status.getCode()) {
            case DATA_LOSS:
                return changed(upload);
            case INVALID_ARGUMENT, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED:
                return new Outcome.Refused("the server refused the upload of " + upload.path() + ": " + status.getCode()
                        + " " + status.getDescription());
            default:
                return new Outcome.Retry(status);
        }
    }

    private static Outcome changed(Upload upload) {
        return new Outcome.Refused(upload.path() + " changed or went away after its message was sent (it must stay"
                + " in place, unchanged, until the message is sent)");
    }
}
