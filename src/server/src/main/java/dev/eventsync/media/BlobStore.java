package dev.eventsync.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Where media bytes live (DESIGN.md decision 13); what is known of them lives in {@link MediaTable}.
 * A store never decides who may do what: {@link MediaRules} does, before a store is asked.
 */
public interface BlobStore {

    /**
     * The incomplete bytes of one upload, held by the caller alone until it closes them; empty
     * when another call (of this or another server on the same store) holds them.
     */
    Optional<IncompleteBlob> openIncomplete(UUID media) throws IOException;

    /** The bytes of a complete media from {@code offset}. */
    InputStream openComplete(UUID media, long offset) throws IOException;

    /** Erases the bytes of a media, complete or not; nothing if there are none. */
    void erase(UUID media) throws IOException;

    /** A short-lived URL a client can GET the complete media from, where the store can presign one. */
    Optional<PresignedUrl> presignedUrl(UUID media);

    record PresignedUrl(URI url, Instant expiresAt) {}

    /**
     * One upload's bytes while a call holds them. Only bytes passed to {@link #sync} are durable;
     * whatever lies past them may be lost in a crash, and {@link #keep} cuts it off.
     */
    interface IncompleteBlob extends AutoCloseable {

        /**
         * Keeps at most the first {@code committed} bytes (the durable ones recorded: what lies
         * past them is not trusted) and returns how many are held; appends go after them.
         */
        long keep(long committed) throws IOException;

        /** The held bytes, streamed (for hashing a resumed upload's prefix). */
        InputStream readHeld() throws IOException;

        /** Appends after the held bytes. */
        void append(java.nio.ByteBuffer bytes) throws IOException;

        /** Makes every held byte durable: only then may they be reported or recorded as committed. */
        void sync() throws IOException;

        /** Makes the held bytes the complete media, durably (they must be synced and checked first). */
        void complete() throws IOException;

        /** Erases the held bytes (a hash mismatch, or nothing to keep). */
        void discard() throws IOException;

        /** Lets another call hold the bytes. */
        @Override
        void close();
    }
}
