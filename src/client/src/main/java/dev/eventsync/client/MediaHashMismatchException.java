package dev.eventsync.client;

import java.io.IOException;

/**
 * A download's bytes do not hash to what the server says the media's SHA-256 is: the partial file
 * on disk was damaged, or the bytes were. Nothing was kept; the next download starts from zero.
 */
public final class MediaHashMismatchException extends IOException {

    private final String mediaUuid;

    MediaHashMismatchException(String mediaUuid, String detail) {
        super(detail);
        this.mediaUuid = mediaUuid;
    }

    public String mediaUuid() {
        return mediaUuid;
    }
}
