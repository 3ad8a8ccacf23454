package dev.eventsync.media;

import com.google.protobuf.ByteString;
import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadStart;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Resumable uploads (API.md v1.1): the rules of {@link MediaRules} applied to the rows of
 * {@link MediaTable} and the bytes of a {@link BlobStore}. Committed bytes are recorded only after
 * the store made them durable: every {@link #SYNC_EVERY} bytes, and whenever a call ends.
 * Memory per call: the chunk being written and one hash state, whatever the file's size.
 */
public final class Uploads {

    /** Bytes between two durable records while an upload runs: what a crash can cost it at most. */
    static final long SYNC_EVERY = 4L * 1024 * 1024;
    private static final int HASH_BUFFER = 64 * 1024;

    private final MediaRules rules;
    private final MediaTable table;
    private final BlobStore store;

    public Uploads(MediaRules rules, MediaTable table, BlobStore store) {
        this.rules = rules;
        this.table = table;
        this.store = store;
    }

    /** The caller's upload as last recorded (NOT_FOUND for anyone else's). */
    public MediaStatus status(UUID caller, String mediaUuid) throws SQLException {
        UUID media = MediaRules.mediaUuid(mediaUuid);
        return rules.ownUpload(caller, media, table.find(media)).status();
    }

    /**
     * Begins a call: the media is complete already (the call is answered at once), or this call
     * holds its bytes until {@link Call#finish} or {@link Call#close}.
     */
    public Started start(UUID caller, UploadStart start) throws SQLException, IOException {
        MediaSpec spec = rules.start(start);
        MediaFile known = table.find(spec.media());
        if (known == null) {
            known = table.create(caller, spec, usage -> rules.requireRoomForUpload(usage.incompleteUploads(), usage.bytes(), spec.sizeBytes()));
            if (known == null) {
                throw new CallRejected(CallRejected.Problem.UNAVAILABLE, "media_uuid " + spec.media()
                        + " is being erased: retry in a moment, or choose another uuid");
            }
        }
        rules.requireSameUpload(caller, spec, known);
        if (known.complete()) {
            return new Started.Complete(known.status());
        }
        Optional<BlobStore.IncompleteBlob> held = store.openIncomplete(spec.media());
        if (held.isEmpty()) {
            throw inProgress();
        }
        BlobStore.IncompleteBlob blob = held.get();
        try {
            // Read again now that this call holds the bytes: another call may have moved them on.
            MediaFile now = table.find(spec.media());
            if (now == null) {
                throw inProgress(); // discarded by a call that just failed its hash
            }
            if (now.complete()) {
                blob.discard(); // the part this open created; the complete bytes are elsewhere
                blob.close();
                return new Started.Complete(now.status());
            }
            long committed = blob.keep(now.committedBytes());
            if (committed < now.committedBytes()) {
                table.recordCommitted(spec.media(), committed); // the store lost bytes: never promise them
            }
            rules.requireOffsetWithin(spec.offset(), committed);
            Call call = new Call(spec, blob, committed);
            if (committed == spec.sizeBytes()) {
                // Every byte arrived in an earlier call that could not complete (its database
                // update failed): no chunk will come to trigger the check, so check now.
                call.completeOrDiscard();
                return new Started.Complete(call.status());
            }
            return new Started.Receiving(call);
        } catch (SQLException | IOException | RuntimeException e) {
            blob.close();
            throw e;
        }
    }

    private static CallRejected inProgress() {
        return new CallRejected(CallRejected.Problem.UNAVAILABLE,
                "another upload of this media is still in progress: retry (GetMediaStatus tells where to resume)");
    }

    public sealed interface Started {
        /** Nothing to receive: answer this. */
        record Complete(MediaStatus status) implements Started {}

        record Receiving(Call call) implements Started {}
    }

    /** One UploadMedia call holding the bytes: chunks in order, then finish; close whichever way it ends. */
    public final class Call implements AutoCloseable {
        private final MediaSpec spec;
        private final BlobStore.IncompleteBlob blob;
        private final MessageDigest digest;
        /** Offset in the file of the next byte the client sends. */
        private long position;
        /** Bytes held: written after the held ones, none skipped. */
        private long held;
        private long recorded;
        private boolean complete;
        private boolean closed;

        Call(MediaSpec spec, BlobStore.IncompleteBlob blob, long committed) throws IOException {
            this.spec = spec;
            this.blob = blob;
            this.position = spec.offset();
            this.held = committed;
            this.recorded = committed;
            this.digest = sha256();
            hashHeld(committed);
        }

        private void hashHeld(long committed) throws IOException {
            if (committed == 0) {
                return;
            }
            byte[] buffer = new byte[HASH_BUFFER];
            try (InputStream in = blob.readHeld()) {
                long left = committed;
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("the held part of media " + spec.media() + " is shorter than " + committed + " bytes");
                    }
                    digest.update(buffer, 0, n);
                    left -= n;
                }
            }
        }

        /**
         * Takes the next chunk: bytes before the held ones are skipped; a chunk passing size_bytes
         * is refused whole (INVALID_ARGUMENT; close records what came before); at size_bytes the
         * hash decides (DATA_LOSS discards everything, else the media is complete).
         */
        public void write(ByteString chunk) throws IOException, SQLException {
            rules.requireChunkFits(position, chunk.size(), spec.sizeBytes());
            int skip = (int) Math.max(0, Math.min(chunk.size(), held - position));
            if (skip < chunk.size()) {
                ByteString fresh = chunk.substring(skip);
                fresh.asReadOnlyByteBufferList().forEach(digest::update);
                blob.append(fresh.asReadOnlyByteBuffer());
                held += fresh.size();
            }
            position += chunk.size();
            if (held == spec.sizeBytes()) {
                completeOrDiscard();
            } else if (held - recorded >= SYNC_EVERY) {
                record();
            }
        }

        private void completeOrDiscard() throws IOException, SQLException {
            blob.sync();
            try {
                rules.requireHash(spec, digest.digest());
            } catch (CallRejected mismatch) {
                table.deleteUploading(spec.media());
                blob.discard();
                closed = true;
                blob.close();
                throw mismatch;
            }
            blob.complete();
            table.markComplete(spec.media());
            complete = true;
            close();
        }

        private void record() throws IOException, SQLException {
            blob.sync();
            table.recordCommitted(spec.media(), held);
            recorded = held;
        }

        /** The client sent everything it meant to: the durable state it may resume from. */
        public MediaStatus finish() throws IOException, SQLException {
            if (!complete) {
                record();
            }
            close();
            return status();
        }

        MediaStatus status() {
            return MediaStatus.newBuilder().setMediaUuid(spec.media().toString())
                    .setCommittedBytes(complete ? spec.sizeBytes() : held).setComplete(complete).build();
        }

        /**
         * Ends the call whichever way (cancelled, failed, finished): the held bytes are recorded
         * durably, so the client resumes from them, and another call may hold them. Idempotent.
         */
        @Override
        public void close() throws IOException, SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (!complete && held > recorded) {
                    record();
                }
            } finally {
                blob.close();
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
