package dev.eventsync.client;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.Attachment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The files of a message being sent: each read once for its size and SHA-256 (what the server
 * checks the upload against), given a media uuid, and recorded as an upload the outbox entry
 * waits for.
 */
final class OutgoingFiles {

    /** At most this many files per message (API.md). */
    static final int MAX_FILES = 10;

    /** A file measured and named, ready to queue. */
    record Prepared(String mediaUuid, AttachmentFile file, long sizeBytes, byte[] sha256) {
        /** The attachment as the message carries it; size and hash are the server's to set, shown locally meanwhile. */
        Attachment attachment() {
            return Attachment.newBuilder().setMediaUuid(mediaUuid).setContentType(file.contentType())
                    .setFileName(file.fileName()).setSizeBytes(sizeBytes).setSha256(ByteString.copyFrom(sha256))
                    .setThumbnail(file.thumbnail()).setWidth(file.width()).setHeight(file.height())
                    .setDurationMs(file.durationMs()).build();
        }
    }

    private OutgoingFiles() {}

    static List<Prepared> prepare(List<AttachmentFile> files) {
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a message carries at most " + MAX_FILES + " files; got " + files.size());
        }
        List<Prepared> prepared = new ArrayList<>(files.size());
        for (AttachmentFile file : files) {
            if (!Files.isRegularFile(file.path())) {
                throw new IllegalArgumentException("not a file: " + file.path());
            }
            Measured measured;
            try {
                measured = measure(file.path());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file.path(), e);
            }
            if (measured.sizeBytes() == 0) {
                throw new IllegalArgumentException("an empty file cannot be sent (the server needs size_bytes > 0): " + file.path());
            }
            prepared.add(new Prepared(UUID.randomUUID().toString(), file, measured.sizeBytes(), measured.sha256()));
        }
        return prepared;
    }

    /** Inside the transaction that queues the event: its uploads, in the message's order. */
    static void waitFor(Connection c, String eventUuid, List<Prepared> files) throws SQLException {
        for (int i = 0; i < files.size(); i++) {
            Prepared file = files.get(i);
            UploadTable.add(c, new UploadTable.Upload(file.mediaUuid(), eventUuid, i, file.file().path().toAbsolutePath(),
                    file.file().contentType(), file.sizeBytes(), file.sha256(), false));
        }
    }

    /** A file's size and SHA-256, as the server computes them. */
    record Measured(long sizeBytes, byte[] sha256) {}

    /** Reads the file once. */
    static Measured measure(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        return new Measured(size, digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
