package dev.eventsync.media;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Who may read a media (API.md v1.1), the one check DownloadMedia and GetMediaUrl make before
 * anything else: its uploader, and a user whose feed holds a non-deleted event referencing it
 * (an attachment, or a profile_picture_changed). A message delete removes its references in the
 * delete's transaction, so a deleted message's media is NOT_FOUND from its acknowledgement on.
 */
public final class MediaAccess {

    /** One probe of media_refs by media, each reference's event by uuid, then the user's feed by key. */
    static final String REFERENCED_IN_FEED = """
            select exists (select 1 from media_refs r
                           join events e on e.event_uuid = r.event_uuid
                           join feed f on f.user_uuid = ? and f.position = e.position
                           where r.media_uuid = ?)""";

    private final MediaRules rules;
    private final MediaTable table;
    private final DataSource dataSource;

    public MediaAccess(MediaRules rules, MediaTable table, DataSource dataSource) {
        this.rules = rules;
        this.table = table;
        this.dataSource = dataSource;
    }

    /** The complete media, if the caller may read it; NOT_FOUND otherwise, alike for unknown, incomplete and not allowed. */
    public MediaFile readable(UUID caller, UUID media) throws SQLException {
        MediaFile known = table.find(media);
        boolean referenced = known != null && known.complete() && !known.owner().equals(caller) && referencedInFeed(caller, media);
        return rules.readable(caller, media, known, referenced);
    }

    private boolean referencedInFeed(UUID user, UUID media) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(REFERENCED_IN_FEED)) {
            select.setObject(1, user);
            select.setObject(2, media);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }
}
