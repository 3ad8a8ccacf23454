package dev.eventsync.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.auth.AuthProperties;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** The terminal chat, run in-process as `java -jar eventsync-tools.jar chat ...` would run it. */
@ServerTest
class ChatCommandTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run chat(String server, Path db, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--server", server, "--db", db.toString(), "--wait", "10s"));
        all.addAll(List.of(args));
        int code = ChatCommand.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void developmentTokensUseTheServersDevelopmentSecret() {
        assertThat(DevelopmentTokens.DEVELOPMENT_SECRET).isEqualTo(AuthProperties.DEVELOPMENT_JWT_SECRET);
    }

    @Test
    void loginCreateAddSendListAndReadAgainstARealServer() {
        String server = "127.0.0.1:" + port;
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        Path aliceDb = dir.resolve("alice.db");
        Path bobDb = dir.resolve("bob.db");
        // Signed like a development token, with the test server's secret.
        String aliceToken = DevelopmentTokens.mint(Api.SECRET, alice, Duration.ofHours(1), Instant.now());
        String bobToken = DevelopmentTokens.mint(Api.SECRET, bob, Duration.ofHours(1), Instant.now());

        assertThat(chat(server, aliceDb, "", "login", "--token", aliceToken).out()).contains("logged in as " + alice);
        assertThat(chat(server, bobDb, "", "login", "--token", bobToken).code()).isZero();
        assertThat(chat(server, aliceDb, "", "whoami").out().trim()).isEqualTo(alice.toString());

        Run created = chat(server, aliceDb, "", "create", "Lunch", bob.toString());
        assertThat(created.code()).as(created.err()).isZero();
        String conversation = created.out().lines().filter(l -> l.matches("[0-9a-f-]{36}")).findFirst().orElseThrow();
        UUID carol = UUID.randomUUID();
        assertThat(chat(server, aliceDb, "", "add", "Lunch", carol.toString()).code()).isZero();
        Run sent = chat(server, aliceDb, "", "send", conversation.substring(0, 8), "Noon?");
        assertThat(sent.out()).doesNotContain("queued");

        assertThat(chat(server, bobDb, "", "list").out()).contains(conversation + "  Lunch  (3 members)");
        assertThat(chat(server, bobDb, "", "read", "Lunch").out()).contains("Noon?");
        // Bob's read receipt reaches Alice: her message shows two ticks.
        assertThat(chat(server, aliceDb, "", "read", "Lunch").out()).contains("me: Noon?  ✓✓");
    }

    @Test
    void sendWhileTheServerIsUnreachableQueuesAndASyncLaterDeliversIt() throws IOException, InterruptedException {
        UUID alice = UUID.randomUUID();
        Path db = dir.resolve("alice.db");
        String token = DevelopmentTokens.mint(Api.SECRET, alice, Duration.ofHours(1), Instant.now());
        String down;
        try (ServerSocket socket = new ServerSocket(0)) {
            down = "127.0.0.1:" + socket.getLocalPort();
        }
        chat(down, db, "", "login", "--token", token);
        Run created = chat(down, db, "", "--wait", "300ms", "create", "Offline");
        assertThat(created.out()).contains("1 event(s) queued");
        Run sent = chat(down, db, "", "--wait", "300ms", "send", "Offline", "written on a plane");
        assertThat(sent.out()).contains("2 event(s) queued");
        assertThat(chat(down, db, "", "pending").out()).contains("2 queued");
        assertThat(chat(down, db, "", "--wait", "300ms", "read", "Offline").out()).contains("me: written on a plane  …");

        Run synced = chat("127.0.0.1:" + port, db, "", "sync");
        assertThat(synced.out()).contains("in sync");
        try (Api api = new Api(port)) {
            assertThat(api.user(alice).feed()).filteredOn(Event::hasNewMessage)
                    .extracting(e -> e.getNewMessage().getMessage().getText()).containsExactly("written on a plane");
        }
    }
}
