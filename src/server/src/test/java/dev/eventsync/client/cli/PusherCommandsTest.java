package dev.eventsync.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/** {@code chat pusher add|list|remove} run in-process against a real server that allows one gateway. */
@ServerTest
// The same properties as api/PushServiceTest, so both run on one server.
@TestPropertySource(properties = {
        "eventsync.push.allowed-gateways=https://push.example.com/,http://127.0.0.1:5000/_matrix/push/v1/notify",
        "eventsync.push.max-pushers-per-user=3"})
class PusherCommandsTest {

    static final String GATEWAY = "https://push.example.com/_matrix/push/v1/notify";

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    Path db;

    record Run(int code, String out, String err) {}

    Run chatOn(String server, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--server", server, "--db", db.toString(), "--wait", "10s"));
        all.addAll(List.of(args));
        int code = ChatCommand.run(all.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run chat(String... args) {
        return chatOn("127.0.0.1:" + port, args);
    }

    @BeforeEach
    void login() {
        db = dir.resolve("alice.db");
        String token = DevelopmentTokens.mint(Api.SECRET, UUID.randomUUID(), Duration.ofHours(1), Instant.now());
        assertThat(chat("login", "--token", token).code()).isZero();
    }

    @Test
    void addListAndRemoveAPusher() {
        Run added = chat("pusher", "add", "com.example.chat.android", "fcm-1", GATEWAY,
                "--format", "event-id-only", "--device-name", "Pixel", "--lang", "en");
        assertThat(added.code()).as(added.err()).isZero();
        String line = "com.example.chat.android  fcm-1  " + GATEWAY + "  event-id-only  \"Pixel\"  en";
        assertThat(added.out()).contains("✓ pusher registered: " + line);
        assertThat(chat("pusher", "add", "com.example.chat.ios", "apns-1", GATEWAY).code()).isZero();

        Run listed = chat("pusher", "list");
        assertThat(listed.code()).isZero();
        assertThat(listed.out().lines()).contains(line, "com.example.chat.ios  apns-1  " + GATEWAY + "  full", "2 pusher(s)");

        Run removed = chat("pusher", "remove", "com.example.chat.android", "fcm-1");
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(chat("pusher", "list").out().lines()).doesNotContain(line).contains("1 pusher(s)");
    }

    @Test
    void aGatewayTheOperatorDidNotAllowIsOneLineWithTheReasonAndExitOne() {
        Run refused = chat("pusher", "add", "com.example.chat", "k", "https://push.example.com.evil.net/_matrix/push/v1/notify");
        assertThat(refused.code()).isEqualTo(ChatSession.REFUSED);
        assertThat(refused.err().lines()).singleElement().asString().startsWith("the server refused: FAILED_PRECONDITION");
        assertThat(chat("pusher", "list").out()).contains("0 pusher(s)");
    }

    @Test
    void aBadFormatIsRefusedLocallyAndNoServerOrOfflineIsExitThree() throws Exception {
        assertThat(chat("pusher", "add", "a", "k", GATEWAY, "--format", "loud").code()).isEqualTo(ChatSession.REFUSED);
        assertThat(chat("--offline", "pusher", "list").code()).isEqualTo(ChatSession.NOT_REACHED);
        Run away = chatOn(ChatCommandTest.unreachableAddress(), "pusher", "list");
        assertThat(away.code()).isEqualTo(ChatSession.NOT_REACHED);
        assertThat(away.err()).contains("not reached: UNAVAILABLE");
    }
}
