package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One client per store file: a second would move the cursor backwards and send the outbox twice. */
class ClientStoreTest {

    @TempDir
    Path dir;

    @Test
    void aSecondClientOnTheSameFileIsRefusedUntilTheFirstCloses() {
        Path file = dir.resolve("alice.db");
        ClientStore first = ClientStore.open(file);
        assertThatThrownBy(() -> ClientStore.open(file))
                .isInstanceOf(ClientStoreException.class)
                .hasMessageContaining("in use by another client");
        first.close();
        ClientStore.open(file).close();
    }

    @Test
    void aBuildThatFailsOnABadTokenLeavesTheFileFreeForTheNextBuild() {
        Path file = dir.resolve("bob.db");
        assertThatThrownBy(() -> Clients.builder(Clients.freePort(), file, UUID.randomUUID()).token("not-a-jwt").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JWT");
        EventsyncClient client = Clients.builder(Clients.freePort(), file, UUID.randomUUID()).build();
        client.close();
    }
}
