package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * The reference client's push registrations (registerPusher, unregisterPusher, listPushers)
 * against a real server: stored as the server stores them, seen from another device of the same
 * user, and every refusal surfacing as the server's status. Nothing is sent here, so the gateway
 * need not exist; what the notifier then sends is {@code push/NotifierTest}'s.
 */
@ServerTest
// The same properties as api/PushServiceTest, so both run on one server.
@TestPropertySource(properties = {
        "eventsync.push.allowed-gateways=https://push.example.com/,http://127.0.0.1:5000/_matrix/push/v1/notify",
        "eventsync.push.max-pushers-per-user=3"})
class PushRegistrationClientTest {

    static final String GATEWAY = "https://push.example.com/_matrix/push/v1/notify";

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    ClientPool pool;
    final UUID alice = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        pool = new ClientPool(port, dir);
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    static Pusher pusher(String pushkey) {
        return Pusher.newBuilder().setAppId("com.example.chat.android").setPushkey(pushkey).setGatewayUrl(GATEWAY).build();
    }

    static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code));
    }

    @Test
    void aRegistrationIsStoredUpdatedListedOnEveryDeviceAndRemoved() {
        EventsyncClient phone = pool.online(alice, "alice-phone");
        EventsyncClient laptop = pool.offline(alice, "alice-laptop"); // never started: the calls do not need the feed

        Pusher stored = phone.registerPusher(pusher("fcm-token-1"));
        assertThat(stored.getFormat()).as("unspecified reads as FULL").isEqualTo(Pusher.Format.FULL);
        Pusher eventIdOnly = pusher("fcm-token-1").toBuilder().setFormat(Pusher.Format.EVENT_ID_ONLY)
                .setDeviceDisplayName("Alice's phone").setLang("fr").build();
        assertThat(phone.registerPusher(eventIdOnly)).isEqualTo(eventIdOnly);
        assertThat(laptop.listPushers()).containsExactly(eventIdOnly);

        laptop.unregisterPusher("com.example.chat.android", "fcm-token-1");
        laptop.unregisterPusher("com.example.chat.android", "fcm-token-1"); // unknown now: still no error
        assertThat(phone.listPushers()).isEmpty();
    }

    @Test
    void refusalsAreTheServersStatusAndNothingIsStored() {
        EventsyncClient phone = pool.offline(alice, "alice-phone");
        assertStatus(() -> phone.registerPusher(pusher("k").toBuilder()
                .setGatewayUrl("https://push.example.com.evil.net/_matrix/push/v1/notify").build()), Status.Code.FAILED_PRECONDITION);
        assertStatus(() -> phone.registerPusher(pusher("")), Status.Code.INVALID_ARGUMENT);
        for (int i = 0; i < 3; i++) {
            phone.registerPusher(pusher("k" + i));
        }
        assertStatus(() -> phone.registerPusher(pusher("one-too-many")), Status.Code.RESOURCE_EXHAUSTED);
        assertThat(phone.listPushers()).extracting(Pusher::getPushkey).containsExactlyInAnyOrder("k0", "k1", "k2");
    }

    @Test
    void aServerThatIsNotReachedIsUnavailable() {
        EventsyncClient away = Clients.builder(Clients.freePort(), dir.resolve("away.db"), alice).build();
        try (away) {
            assertStatus(away::listPushers, Status.Code.UNAVAILABLE);
        }
    }
}
