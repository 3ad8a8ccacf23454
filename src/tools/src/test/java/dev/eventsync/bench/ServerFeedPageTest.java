package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** BASE jdbc_feed_read runs the server's page statement itself, not a copy that could drift from it. */
class ServerFeedPageTest {

    @Test
    void isTheServersOwnPageStatement() throws Exception {
        // Maven runs the tests in the module's folder: src/tools.
        String server = Files.readString(Path.of("../server/src/main/resources/dev/eventsync/feed/page.sql"));
        assertThat(ServerFeedPage.SQL).isEqualTo(server);
        assertThat(ServerFeedPage.SQL.chars().filter(c -> c == '?').count())
                .as("the five parameters the load generator binds as FeedReader.pageAfter does").isEqualTo(5);
    }
}
