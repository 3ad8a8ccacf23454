package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * The README's client example (section "The reference client"), compiled and run as an app
 * would run it, against a real server: what it sends reaches the other member.
 */
@ServerTest
class ReadmeExampleTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    /** Exactly the README's example, between the markers. */
    static EventsyncClient example(String server, Path store, String jwt, String bob) {
        // README example begins
        EventsyncClient client = EventsyncClient.builder(server, store)     // "host:port"; the local SQLite file
                .plaintext(true)                                             // a development server: no TLS
                .token(jwt)                                                  // the user is the token's sub
                .handler(event -> System.out.println("stored: " + event.getUuid())) // the feed, in order, at least once
                .listener(new ClientListener() {
                    @Override
                    public void accepted(Event event, Accepted accepted) { System.out.println("sent: " + event.getUuid()); }
                })
                .build().start();
        String lunch = client.createConversation("Lunch", List.of(bob));
        client.sendMessage(lunch, "Noon?");                                  // durable now; sent when online
        // README example ends
        return client;
    }

    @Test
    void theExampleSendsAMessageTheOtherMemberReceives() throws Exception {
        try (Api api = new Api(port)) {
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();

            try (EventsyncClient client = example("127.0.0.1:" + port, dir.resolve("alice.db"), alice.token, bob.uuid())) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(bob.feed().stream()
                        .filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage().getText()))
                        .containsExactly("Noon?"));
                assertThat(client.pending()).isEmpty();
            }
        }
    }

    @Test
    void theReadmeShowsThisExample() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/eventsync/client/ReadmeExampleTest.java"));
        String example = between(source, "// README example begins\n", "\n        // README example ends").stripIndent();
        String readme = Files.readString(Path.of("../../README.md"));

        assertThat(readme).contains(example);
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from));
    }
}
