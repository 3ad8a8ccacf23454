package dev.eventsync.media;

import com.google.protobuf.ByteString;
import java.util.UUID;

/** What an UploadStart declares of the whole file (well-formed: {@link MediaRules#start}), and where its chunks begin. */
public record MediaSpec(UUID media, String contentType, long sizeBytes, ByteString sha256, long offset) {

    /** The same file as one already known: size, hash and type alike. */
    boolean sameFileAs(MediaFile file) {
        return sizeBytes == file.sizeBytes() && sha256.equals(file.sha256()) && contentType.equals(file.contentType());
    }
}
