package dev.eventsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The server's feed page statement ({@code FeedReader.PAGE}) as the server binds it, for BASE
 * jdbc_feed_read: the text is the server's own resource file, put on this jar's classpath by
 * src/tools/pom.xml, so the ceiling of W2 runs exactly what a SyncFromServer stream runs.
 */
final class ServerFeedPage {

    static final String RESOURCE = "server/page.sql";
    /** Parameters: max bytes, user, after position, max rows, max bytes (as FeedReader.pageAfter binds them). */
    static final String SQL = load();
    /** eventsync.feed.page-rows by default. */
    static final int ROWS = 500;
    /**
     * eventsync.feed.page-bytes by default (2MB): what a stream reserves for a page while the
     * memory budget is not short, as in W2's single stream.
     */
    static final long BYTES = 2L << 20;

    private ServerFeedPage() {}

    private static String load() {
        try (InputStream text = ServerFeedPage.class.getResourceAsStream(RESOURCE)) {
            if (text == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the tools jar (src/tools/pom.xml copies it from the server)");
            }
            return new String(text.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
