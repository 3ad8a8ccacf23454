package dev.eventsync.client;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code uploads} table: the files a queued message waits for. Rows are written in the
 * transaction that queues the message and removed in the one that records the server's answer to
 * it, so an outbox entry and its uploads never part, whenever the process dies.
 */
final class UploadTable {

    /** One file to upload: what a resume after a restart needs, with no bytes of it. */
    record Upload(String mediaUuid, String eventUuid, int position, Path path, String contentType, long sizeBytes,
            byte[] sha256, boolean complete) {}

    static final String INSERT = """
            insert into uploads (media_uuid, event_uuid, position, path, content_type, size_bytes, sha256)
            values (?, ?, ?, ?, ?, ?, ?)""";
    static final String INCOMPLETE_OF = """
            select media_uuid, event_uuid, position, path, content_type, size_bytes, sha256, complete
            from uploads where event_uuid = ? and complete = 0 order by position""";
    static final String WAITING = "select exists (select 1 from uploads where event_uuid = ? and complete = 0)";
    static final String ANY_WAITING = "select exists (select 1 from uploads where complete = 0)";
    static final String COMPLETE = "update uploads set complete = 1 where media_uuid = ?";
    static final String FORGET = "delete from uploads where event_uuid = ?";

    private UploadTable() {}

    static void add(Connection c, Upload upload) throws SQLException {
        Sql.update(c, INSERT, upload.mediaUuid(), upload.eventUuid(), upload.position(), upload.path().toString(),
                upload.contentType(), upload.sizeBytes(), upload.sha256());
    }

    /** The entry's uploads the server has not confirmed complete yet, in the message's order. */
    static List<Upload> incomplete(Connection c, String eventUuid) throws SQLException {
        return Sql.list(c, INCOMPLETE_OF, row -> new Upload(row.getString(1), row.getString(2), row.getInt(3),
                Path.of(row.getString(4)), row.getString(5), row.getLong(6), row.getBytes(7), row.getInt(8) == 1), eventUuid);
    }

    /** The index of the first entry still waiting for an upload; the batch's size when none is. */
    static int readyPrefix(Connection c, List<Outbox.Entry> batch) throws SQLException {
        if (!Sql.first(c, ANY_WAITING, row -> row.getInt(1) == 1)) {
            return batch.size(); // the common case, one query
        }
        for (int i = 0; i < batch.size(); i++) {
            if (Sql.first(c, WAITING, row -> row.getInt(1) == 1, batch.get(i).event().getUuid())) {
                return i;
            }
        }
        return batch.size();
    }

    static void complete(Connection c, String mediaUuid) throws SQLException {
        Sql.update(c, COMPLETE, mediaUuid);
    }

    /** The entry got its answer: its uploads are done with (the server keeps the media). */
    static void forget(Connection c, String eventUuid) throws SQLException {
        Sql.update(c, FORGET, eventUuid);
    }
}
