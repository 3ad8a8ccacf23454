package dev.eventsync.store;

import java.util.Set;
import java.util.UUID;

/**
 * Erases, right after their batch committed, the bytes and then the rows of the media that
 * batch marked 'erasing' (a deleted message's media nothing else references). The append path
 * calls it before it acknowledges the batch, so a delete is answered once the bytes are gone
 * (API.md guarantee 6). What it cannot erase stays 'erasing' for the media lifecycle job: a
 * failure here or a crash before it leaves no bytes for ever.
 */
public interface MediaEraser {

    /** Nothing to erase: a server without media (the store tests' appenders). Rows stay 'erasing' for the job. */
    MediaEraser NONE = media -> {};

    /** Never throws: a failure is logged and left to the job. */
    void eraseNow(Set<UUID> media);
}
