package dev.eventsync.media;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.MediaStatus;
import java.util.UUID;

/** One row of {@code media}: a file as the server knows it, and how much of it is durably held. */
public record MediaFile(UUID media, UUID owner, String contentType, long sizeBytes, ByteString sha256,
                        long committedBytes, boolean complete) {

    public MediaStatus status() {
        return MediaStatus.newBuilder().setMediaUuid(media.toString()).setCommittedBytes(committedBytes)
                .setComplete(complete).build();
    }
}
