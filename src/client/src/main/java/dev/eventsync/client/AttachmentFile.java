package dev.eventsync.client;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A local file to send with a message: its path, its type ({@code type/subtype}), the name shown
 * to the others (the file's own name unless set), and what the app knows of it (an inline
 * thumbnail of at most 16 KiB, image or video dimensions, a voice note's duration), passed to the
 * server as they are. The file must stay in place, unchanged, until its message is sent: the
 * outbox keeps its path, size and hash, not its bytes.
 */
public record AttachmentFile(Path path, String contentType, String fileName, ByteString thumbnail, int width, int height,
        long durationMs) {

    public AttachmentFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(contentType, "contentType");
        fileName = fileName == null || fileName.isEmpty() ? String.valueOf(path.getFileName()) : fileName;
        thumbnail = thumbnail == null ? ByteString.EMPTY : thumbnail;
    }

    public static AttachmentFile of(Path path, String contentType) {
        return new AttachmentFile(path, contentType, null, null, 0, 0, 0);
    }

    public AttachmentFile named(String name) {
        return new AttachmentFile(path, contentType, name, thumbnail, width, height, durationMs);
    }

    public AttachmentFile withThumbnail(byte[] preview) {
        return new AttachmentFile(path, contentType, fileName, ByteString.copyFrom(preview), width, height, durationMs);
    }

    public AttachmentFile withDimensions(int imageWidth, int imageHeight) {
        return new AttachmentFile(path, contentType, fileName, thumbnail, imageWidth, imageHeight, durationMs);
    }

    public AttachmentFile withDuration(long millis) {
        return new AttachmentFile(path, contentType, fileName, thumbnail, width, height, millis);
    }
}
