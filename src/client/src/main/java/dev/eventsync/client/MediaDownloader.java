package dev.eventsync.client;

import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Downloads media into a local cache and copies it where the app wants it. The bytes arrive in
 * {@code <cache>/<media uuid>.part}, appended and fsynced, so a cut download resumes from the
 * bytes already on disk; once the whole file is there its SHA-256 is checked against the
 * server's, and only a match becomes {@code <cache>/<media uuid>}, which later downloads of the
 * same media copy without asking the server. A mismatch deletes the part and throws.
 *
 * <p>One download of a media at a time (later ones wait); memory: one chunk, under flow control.
 */
final class MediaDownloader {

    private final Path cache;
    private final Transport transport;
    private final ConcurrentHashMap<String, Object> inProgress = new ConcurrentHashMap<>();

    MediaDownloader(Path cache, Transport transport) {
        this.cache = cache;
        this.transport = transport;
    }

    Path download(String mediaUuid, Path target) throws IOException {
        if (!mediaUuid.matches("[0-9a-fA-F-]{36}")) {
            throw new IllegalArgumentException("not a media uuid: " + mediaUuid); // it names a file in the cache
        }
        synchronized (inProgress.computeIfAbsent(mediaUuid, m -> new Object())) {
            Path complete = cache.resolve(mediaUuid);
            if (!Files.exists(complete)) {
                fetch(mediaUuid, complete);
            }
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.copy(complete, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
    }

    /** Whether the media is in the cache whole (a download of it asks the server nothing). */
    boolean cached(String mediaUuid) {
        return Files.exists(cache.resolve(mediaUuid));
    }

    private void fetch(String mediaUuid, Path complete) throws IOException {
        Files.createDirectories(cache);
        Path part = cache.resolve(mediaUuid + ".part");
        long offset = Files.exists(part) ? Files.size(part) : 0;
        byte[] expected;
        try {
            expected = receive(mediaUuid, part, offset);
        } catch (StatusRuntimeException e) {
            if (offset == 0 || e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                throw e;
            }
            // More bytes on disk than the media has: not its beginning. Start over.
            Files.delete(part);
            expected = receive(mediaUuid, part, 0);
        }
        byte[] actual = OutgoingFiles.measure(part).sha256();
        if (!MessageDigest.isEqual(expected, actual)) {
            Files.deleteIfExists(part);
            throw new MediaHashMismatchException(mediaUuid, "media " + mediaUuid + " downloaded with SHA-256 "
                    + HexFormat.of().formatHex(actual) + ", the server's is " + HexFormat.of().formatHex(expected)
                    + ": discarded (download again)");
        }
        Files.move(part, complete, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Appends the media's bytes from offset to the part; returns the server's SHA-256 of the whole file. */
    private byte[] receive(String mediaUuid, Path part, long offset) throws IOException {
        // A cancellable context: leaving early (an I/O error here) must end the server's stream too.
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            Iterator<DownloadMediaChunk> chunks = transport.mediaStub().downloadMedia(
                    DownloadMediaRequest.newBuilder().setMediaUuid(mediaUuid).setOffset(offset).build());
            byte[] sha256 = null;
            long size = -1;
            long position = offset;
            try {
                while (chunks.hasNext()) {
                    DownloadMediaChunk chunk = chunks.next();
                    if (sha256 == null) {
                        sha256 = chunk.getSha256().toByteArray();
                        size = chunk.getSizeBytes();
                    }
                    ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
                    while (data.hasRemaining()) {
                        out.write(data);
                    }
                    position += chunk.getData().size();
                }
            } finally {
                out.force(true); // what is on disk is what the next try resumes from
            }
            if (sha256 == null || position != size) {
                throw Status.DATA_LOSS.withDescription("the download of " + mediaUuid + " ended at " + position + " of "
                        + size + " bytes").asRuntimeException();
            }
            return sha256;
        } finally {
            context.detach(previous);
            context.cancel(null);
        }
    }
}
