package dev.eventsync.media;

import com.google.protobuf.ByteString;
import dev.eventsync.store.UserLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** The {@code media} table (migration V9): each upload's declared file and its durably committed bytes. */
public final class MediaTable {

    static final String FIND = """
            select owner_uuid, content_type, size_bytes, sha256, committed_bytes, state = 'complete'
            from media where media_uuid = ? and state <> 'erasing'""";

    /** A media being erased counts no more: it is gone in a moment. */
    static final String USAGE = """
            select count(*) filter (where state = 'uploading'), coalesce(sum(size_bytes), 0)
            from media where owner_uuid = ? and state <> 'erasing'""";

    static final String INSERT = """
            insert into media (media_uuid, owner_uuid, content_type, size_bytes, sha256, committed_bytes, state, created_at, updated_at)
            values (?, ?, ?, ?, ?, 0, 'uploading', now(), now())
            on conflict (media_uuid) do nothing""";

    /** Only an upload's own bytes: a complete row never goes back. */
    static final String RECORD_COMMITTED = """
            update media set committed_bytes = ?, updated_at = now() where media_uuid = ? and state = 'uploading'""";

    static final String MARK_COMPLETE = """
            update media set committed_bytes = size_bytes, state = 'complete', updated_at = now()
            where media_uuid = ? and state = 'uploading'""";

    static final String DELETE_UPLOADING = "delete from media where media_uuid = ? and state = 'uploading'";

    private final DataSource dataSource;

    public MediaTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The file, or null when unknown or being erased. */
    public MediaFile find(UUID media) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(FIND)) {
            select.setObject(1, media);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                return new MediaFile(media, row.getObject(1, UUID.class), row.getString(2), row.getLong(3),
                        ByteString.copyFrom(row.getBytes(4)), row.getLong(5), row.getBoolean(6));
            }
        }
    }

    /** What one user holds: uploads not complete yet, and the bytes of all their media (declared sizes). */
    public record Usage(long incompleteUploads, long bytes) {}

    /**
     * Records a new upload of this owner, after {@code roomCheck} accepted the owner's usage (it
     * throws to refuse: nothing is stored). Returns the row as stored now, which is someone
     * else's when another call inserted the uuid first, or null when that uuid is being erased.
     */
    public MediaFile create(UUID owner, MediaSpec spec, Consumer<Usage> roomCheck) throws SQLException {
        UserLock.inTransaction(dataSource, owner, UserLock.MEDIA, connection -> {
            try (PreparedStatement usage = connection.prepareStatement(USAGE)) {
                usage.setObject(1, owner);
                try (ResultSet row = usage.executeQuery()) {
                    row.next();
                    roomCheck.accept(new Usage(row.getLong(1), row.getLong(2)));
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setObject(1, spec.media());
                insert.setObject(2, owner);
                insert.setString(3, spec.contentType());
                insert.setLong(4, spec.sizeBytes());
                insert.setBytes(5, spec.sha256().toByteArray());
                insert.executeUpdate();
            }
        });
        return find(spec.media());
    }

    /** Records bytes the store has made durable (never more: a resuming client trusts this number). */
    public void recordCommitted(UUID media, long committedBytes) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(RECORD_COMMITTED)) {
            update.setLong(1, committedBytes);
            update.setObject(2, media);
            update.executeUpdate();
        }
    }

    /** The upload is checked and its bytes are the complete media in the store. */
    public void markComplete(UUID media) throws SQLException {
        execute(MARK_COMPLETE, media);
    }

    /** Forgets an upload that failed its hash: the uuid is free again. */
    public void deleteUploading(UUID media) throws SQLException {
        execute(DELETE_UPLOADING, media);
    }

    private void execute(String sql, UUID media) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, media);
            statement.executeUpdate();
        }
    }
}
