package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** The server goes away while the app keeps sending; when it is back, everything arrives once, in order. */
class ServerOutageTest {

    @TempDir
    Path dir;

    @Test
    void hundredMessagesSentWhileTheServerIsDownAreStoredExactlyOnceInOrderWhenItIsBack() throws Exception {
        int port = Clients.freePort();
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        ConfigurableApplicationContext first = Clients.serverOn(port);
        String conversation;
        try (EventsyncClient client = Clients.builder(port, dir.resolve("alice.db"), alice).build().start()) {
            conversation = client.createConversation("outage", List.of(bob.toString()));
            await().atMost(Duration.ofSeconds(20)).until(() -> client.pending().isEmpty()
                    && client.model().conversation(conversation).confirmed());

            first.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> client.connectionState() == ConnectionState.OFFLINE);
            for (int i = 0; i < 100; i++) {
                client.sendMessage(conversation, "m" + i);
            }
            assertThat(client.pending()).hasSize(100);
            assertThat(client.model().messages(conversation)).hasSize(100)
                    .allMatch(m -> m.state() == LocalModel.State.PENDING);

            ConfigurableApplicationContext second = Clients.serverOn(port);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> client.pending().isEmpty());
                await().atMost(Duration.ofSeconds(20)).until(() -> client.model().messages(conversation).stream()
                        .allMatch(m -> m.state() == LocalModel.State.SENT && m.sentAt() != null));

                List<String> expected = IntStream.range(0, 100).mapToObj(i -> "m" + i).toList();
                try (Api api = new Api(port)) {
                    List<Event> bobsFeed = api.user(bob).feed();
                    assertThat(bobsFeed.stream().filter(Event::hasNewMessage)
                            .map(e -> e.getNewMessage().getMessage().getText()).toList())
                            .containsExactlyElementsOf(expected);
                }
                assertThat(client.model().messages(conversation)).extracting(LocalModel.LocalMessage::text)
                        .containsExactlyElementsOf(expected);
            } finally {
                second.close();
            }
        }
    }
}
