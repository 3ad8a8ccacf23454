package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A server stopped and started again on the same database loses nothing and forgets no uuid. */
class RestartTest {

    @Test
    void eventsAcknowledgedBeforeARestartAreAllThereAfterItAndResendsStayDuplicates() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String conversation = Events.newUuid();
        Event created = Events.createConversation(conversation, "before restart", bob.toString());
        Event message = Events.send(conversation, "still here?");
        EventResult acknowledged;
        List<String> before;

        ConfigurableApplicationContext first = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(first))) {
            api.user(alice).sync(created);
            acknowledged = api.user(alice).submit(message);
            assertThat(acknowledged.hasAccepted()).isTrue();
            before = api.user(bob).feed().stream().map(Event::getUuid).toList();
        } finally {
            first.close();
        }

        ConfigurableApplicationContext second = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(second))) {
            assertThat(api.user(bob).feed()).extracting(Event::getUuid)
                    .containsExactlyElementsOf(before)
                    .containsExactly(created.getUuid(), message.getUuid());
            EventResult resent = api.user(alice).submit(message);
            assertThat(resent.getAccepted().getDuplicate()).isTrue();
            assertThat(resent.getAccepted().getMessageUuid()).isEqualTo(acknowledged.getAccepted().getMessageUuid());
            assertThat(resent.getAccepted().getStoredAt()).isEqualTo(acknowledged.getAccepted().getStoredAt());
            // and the cursor a client kept before the restart still resolves
            assertThat(api.user(bob).feed(created.getUuid())).extracting(Event::getUuid).containsExactly(message.getUuid());
        } finally {
            second.close();
        }
    }
}
