package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
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
        assertThatThrownBy(() -> builder(file).token("not-a-jwt").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JWT");
        builder(file).token(unsignedToken(UUID.randomUUID())).build().close();
    }

    /** Nothing listens on port 1: building a client connects to nothing. */
    private static EventsyncClient.Builder builder(Path file) {
        return EventsyncClient.builder("127.0.0.1:1", file).plaintext(true);
    }

    /** The client reads only the token's subject; no server checks this one's signature. */
    private static String unsignedToken(UUID user) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(("{\"sub\":\"" + user + "\"}").getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }
}
