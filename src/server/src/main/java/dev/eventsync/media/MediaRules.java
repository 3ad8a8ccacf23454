package dev.eventsync.media;

import com.google.protobuf.ByteString;
import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Uuids;
import dev.eventsync.proto.v1.UploadStart;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Every MediaService rule of API.md v1.1, in the order
 * API.md applies them. Plain Java: the callers fetch the rows and the store, these decide.
 */
public final class MediaRules {

    static final int SHA256_BYTES = 32;
    static final int MAX_CONTENT_TYPE_BYTES = 255;
    /** type/subtype with RFC 6838's restricted name characters; the same check as the table's. */
    static final Pattern CONTENT_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");

    private final long maxSize;
    private final int maxIncompleteUploads;
    private final long quotaBytes;

    public MediaRules(long maxSize, int maxIncompleteUploads, long quotaBytes) {
        this.maxSize = maxSize;
        this.maxIncompleteUploads = maxIncompleteUploads;
        this.quotaBytes = quotaBytes;
    }

    /** A well-formed start (else INVALID_ARGUMENT) within the size limit (else RESOURCE_EXHAUSTED). Types are stored lower case. */
    public MediaSpec start(UploadStart start) {
        UUID media = mediaUuid(start.getMediaUuid());
        String type = start.getContentType().toLowerCase(java.util.Locale.ROOT);
        if (type.length() > MAX_CONTENT_TYPE_BYTES || !CONTENT_TYPE.matcher(type).matches()) {
            throw invalid("content_type must be type/subtype (such as image/jpeg), at most " + MAX_CONTENT_TYPE_BYTES + " bytes");
        }
        if (start.getSizeBytes() <= 0) {
            throw invalid("size_bytes must be positive, is " + start.getSizeBytes());
        }
        if (start.getSha256().size() != SHA256_BYTES) {
            throw invalid("sha256 must be the 32 bytes of the file's SHA-256, is " + start.getSha256().size() + " bytes");
        }
        if (start.getOffset() < 0) {
            throw invalid("offset must be 0 or the committed_bytes reported, is " + start.getOffset());
        }
        if (start.getSizeBytes() > maxSize) {
            throw new CallRejected(CallRejected.Problem.TOO_LARGE, "size_bytes " + start.getSizeBytes()
                    + " is over this server's limit of " + maxSize + " bytes (eventsync.media.max-size)");
        }
        return new MediaSpec(media, type, start.getSizeBytes(), start.getSha256(), start.getOffset());
    }

    /** A canonical, non-nil media uuid, else INVALID_ARGUMENT. */
    public static UUID mediaUuid(String text) {
        UUID media = Uuids.parse(text);
        if (media == null) {
            throw invalid("media_uuid must be a canonical lowercase, non-nil uuid");
        }
        return media;
    }

    /**
     * A new upload of {@code sizeBytes} for a user with this many incomplete uploads and this many
     * bytes stored (complete and incomplete, counted at their declared size), else
     * RESOURCE_EXHAUSTED: before any byte is kept.
     */
    public void requireRoomForUpload(long incompleteUploads, long storedBytes, long sizeBytes) {
        if (incompleteUploads >= maxIncompleteUploads) {
            throw new CallRejected(CallRejected.Problem.TOO_MANY, "at most " + maxIncompleteUploads
                    + " incomplete uploads per user (eventsync.media.max-incomplete-uploads): finish one first");
        }
        if (sizeBytes > quotaBytes - storedBytes) {
            throw new CallRejected(CallRejected.Problem.TOO_MANY, "this upload of " + sizeBytes + " bytes would pass your quota of "
                    + quotaBytes + " bytes (eventsync.media.quota-bytes); " + storedBytes + " are stored or being uploaded");
        }
    }

    /** The known file is the caller's and the one declared, else ALREADY_EXISTS (the uuid names something else). */
    public void requireSameUpload(UUID caller, MediaSpec spec, MediaFile known) {
        if (!known.owner().equals(caller)) {
            throw new CallRejected(CallRejected.Problem.CONFLICT, "media_uuid " + spec.media() + " is taken: choose another");
        }
        if (!spec.sameFileAs(known)) {
            throw new CallRejected(CallRejected.Problem.CONFLICT, "media_uuid " + spec.media()
                    + " was started with another size, hash or content_type: choose another uuid for another file");
        }
    }

    /** A call may begin at any offset up to the bytes held (those it resends are skipped), not beyond (FAILED_PRECONDITION). */
    public void requireOffsetWithin(long offset, long committed) {
        if (offset > committed) {
            throw new CallRejected(CallRejected.Problem.WRONG_STATE, "offset " + offset + " is beyond the "
                    + committed + " committed bytes: resume from committed_bytes (GetMediaStatus)");
        }
    }

    /** A chunk at this position ends within the file, else INVALID_ARGUMENT (the chunk is refused whole). */
    public void requireChunkFits(long position, int length, long sizeBytes) {
        if (length > sizeBytes - position) {
            throw invalid("a chunk of " + length + " bytes at offset " + position + " passes size_bytes " + sizeBytes);
        }
    }

    /** The bytes received are the file declared, else DATA_LOSS (they are discarded and the uuid is free). */
    public void requireHash(MediaSpec spec, byte[] received) {
        if (!spec.sha256().equals(ByteString.copyFrom(received))) {
            throw new CallRejected(CallRejected.Problem.CORRUPT, "the " + spec.sizeBytes()
                    + " bytes received do not match sha256: the upload was discarded, upload the file again");
        }
    }

    /**
     * The file, when the caller may read it (API.md v1.1): complete, and the caller its uploader
     * or {@code referencedInFeed} (the caller's feed holds a non-deleted event referencing it).
     * Unknown, incomplete or not allowed: NOT_FOUND alike.
     */
    public MediaFile readable(UUID caller, UUID media, MediaFile known, boolean referencedInFeed) {
        if (known == null || !known.complete() || !(known.owner().equals(caller) || referencedInFeed)) {
            throw notFound(media);
        }
        return known;
    }

    /** The upload's state, for its uploader only (NOT_FOUND for anyone else, as for unknown media). */
    public MediaFile ownUpload(UUID caller, UUID media, MediaFile known) {
        if (known == null || !known.owner().equals(caller)) {
            throw notFound(media);
        }
        return known;
    }

    /** A download starts within the file (at its end: one empty chunk), else INVALID_ARGUMENT. */
    public void requireDownloadOffset(long offset, long sizeBytes) {
        if (offset < 0 || offset > sizeBytes) {
            throw invalid("offset must be 0 to size_bytes (" + sizeBytes + "), is " + offset);
        }
    }

    private static CallRejected notFound(UUID media) {
        return new CallRejected(CallRejected.Problem.NOT_FOUND, "no media " + media);
    }

    private static CallRejected invalid(String message) {
        return new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, message);
    }
}
