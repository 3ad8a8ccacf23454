package dev.eventsync.media;

import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.util.Timestamps;
import dev.eventsync.events.CallRejected;
import dev.eventsync.flow.ReadyStream;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.MediaUrl;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Function;

/**
 * Downloads under gRPC flow control (API.md v1.1): a chunk is read from the store only when the
 * client can take it (isReady), so a call holds one chunk in memory whatever the file's size.
 * The access check comes before anything else, so what a caller may not read is NOT_FOUND alike.
 */
public final class Downloads {

    static final int CHUNK_BYTES = 256 * 1024;

    private final MediaRules rules;
    private final MediaAccess access;
    private final BlobStore store;

    public Downloads(MediaRules rules, MediaAccess access, BlobStore store) {
        this.rules = rules;
        this.access = access;
        this.store = store;
    }

    public void start(ServerCallStreamObserver<DownloadMediaChunk> observer, UUID caller, DownloadMediaRequest request,
                      Function<Throwable, StatusException> errors) throws SQLException, IOException {
        UUID media = MediaRules.mediaUuid(request.getMediaUuid());
        MediaFile file = access.readable(caller, media);
        rules.requireDownloadOffset(request.getOffset(), file.sizeBytes());
        ReadyStream.start(observer, new Chunks(file, request.getOffset(), store.openComplete(media, request.getOffset())), errors);
    }

    /** A presigned URL where the store has them; the filesystem store has none (FAILED_PRECONDITION: use DownloadMedia). */
    public MediaUrl url(UUID caller, String mediaUuid) throws SQLException {
        UUID media = MediaRules.mediaUuid(mediaUuid);
        access.readable(caller, media);
        BlobStore.PresignedUrl url = store.presignedUrl(media).orElseThrow(() -> new CallRejected(
                CallRejected.Problem.WRONG_STATE, "this server's media store cannot presign URLs: use DownloadMedia"));
        return MediaUrl.newBuilder().setUrl(url.url().toString())
                .setExpiresAt(Timestamps.fromMillis(url.expiresAt().toEpochMilli())).build();
    }

    /** A file's chunks from an offset: at least one, the first with the metadata. */
    private static final class Chunks implements ReadyStream.Source<DownloadMediaChunk> {
        private final MediaFile file;
        private final InputStream bytes;
        private long position;
        private boolean first = true;

        Chunks(MediaFile file, long offset, InputStream bytes) {
            this.file = file;
            this.position = offset;
            this.bytes = bytes;
        }

        @Override
        public DownloadMediaChunk next() throws IOException {
            if (position == file.sizeBytes() && !first) {
                return null;
            }
            int length = (int) Math.min(CHUNK_BYTES, file.sizeBytes() - position);
            byte[] data = bytes.readNBytes(length);
            if (data.length < length) {
                throw new EOFException("the stored media " + file.media() + " is shorter than its " + file.sizeBytes() + " bytes");
            }
            DownloadMediaChunk.Builder chunk = DownloadMediaChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(data));
            if (first) {
                chunk.setContentType(file.contentType()).setSizeBytes(file.sizeBytes()).setSha256(file.sha256());
                first = false;
            }
            position += length;
            return chunk.build();
        }

        @Override
        public void close() {
            try {
                bytes.close();
            } catch (IOException e) {
                // a file only read: nothing to lose
            }
        }
    }
}
