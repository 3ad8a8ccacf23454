package dev.eventsync.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.Message;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/**
 * A file attached to a message, as the model shows it: what to display (name, type, size,
 * dimensions, duration, the inline thumbnail) and what {@link EventsyncClient#download} needs (the
 * media uuid). {@code sha256} is hex. For a pending message of ours, size and hash are those of
 * the local file; once stored, the server's.
 */
public record LocalAttachment(String mediaUuid, String fileName, String contentType, long sizeBytes, String sha256,
        int width, int height, long durationMs, ByteString thumbnail) {

    static LocalAttachment of(Attachment a) {
        return new LocalAttachment(a.getMediaUuid(), a.getFileName(), a.getContentType(), a.getSizeBytes(),
                HexFormat.of().formatHex(a.getSha256().toByteArray()), a.getWidth(), a.getHeight(), a.getDurationMs(),
                a.getThumbnail());
    }

    /** The column value of a message's attachments: null when none, else a Message holding only them. */
    static byte[] column(List<Attachment> attachments) {
        return attachments.isEmpty() ? null : Message.newBuilder().addAllAttachments(attachments).build().toByteArray();
    }

    static List<LocalAttachment> fromColumn(byte[] column) throws SQLException {
        if (column == null) {
            return List.of();
        }
        try {
            return Message.parseFrom(column).getAttachmentsList().stream().map(LocalAttachment::of).toList();
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("a message's attachments column is not a serialized Message: " + e.getMessage(), e);
        }
    }
}
