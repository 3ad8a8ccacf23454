package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.DeletePusherRequest;
import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.proto.v1.PushServiceGrpc;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/** PushService's registrations (API.md v1.1) over real gRPC: upsert, move, delete, list, and every refusal. */
@ServerTest
@TestPropertySource(properties = {
        "eventsync.push.allowed-gateways=https://push.example.com/,http://127.0.0.1:5000/_matrix/push/v1/notify",
        "eventsync.push.max-pushers-per-user=3"})
class PushServiceTest {

    static final String GATEWAY = "https://push.example.com/_matrix/push/v1/notify";

    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;
    Api.User bob;

    @BeforeEach
    void users() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    static Pusher pusher(String pushkey) {
        return Pusher.newBuilder().setAppId("com.example.chat").setPushkey(pushkey).setGatewayUrl(GATEWAY).build();
    }

    static List<Pusher> list(Api.User user) {
        return user.pushStub().listPushers(ListPushersRequest.getDefaultInstance()).getPushersList();
    }

    static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code));
    }

    @Test
    void setUpsertsByAppAndPushkeyAndReadsUnspecifiedFormatAsFull() {
        Pusher stored = alice.pushStub().setPusher(pusher("key-1"));
        assertThat(stored.getFormat()).isEqualTo(Pusher.Format.FULL);
        Pusher changed = pusher("key-1").toBuilder().setFormat(Pusher.Format.EVENT_ID_ONLY)
                .setDeviceDisplayName("Alice's phone").setLang("fr").build();
        assertThat(alice.pushStub().setPusher(changed)).isEqualTo(changed);
        assertThat(list(alice)).containsExactly(changed);
    }

    @Test
    void aPushkeyRegisteredByAnotherUserMovesToTheCaller() {
        bob.pushStub().setPusher(pusher("shared-phone"));
        alice.pushStub().setPusher(pusher("shared-phone"));
        assertThat(list(bob)).isEmpty();
        assertThat(list(alice)).extracting(Pusher::getPushkey).containsExactly("shared-phone");
    }

    @Test
    void deleteIsIdempotentAndOnlyEverTheCallersOwn() {
        alice.pushStub().setPusher(pusher("key-1"));
        DeletePusherRequest delete = DeletePusherRequest.newBuilder().setAppId("com.example.chat").setPushkey("key-1").build();
        bob.pushStub().deletePusher(delete); // not bob's: nothing happens
        assertThat(list(alice)).hasSize(1);
        alice.pushStub().deletePusher(delete);
        alice.pushStub().deletePusher(delete); // unknown now: still fine
        assertThat(list(alice)).isEmpty();
        assertStatus(() -> alice.pushStub().deletePusher(DeletePusherRequest.newBuilder().setAppId("a").build()),
                Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void aMalformedPusherIsInvalidBeforeTheAllowlistIsConsulted() {
        String notAllowed = "https://elsewhere.example.net/_matrix/push/v1/notify";
        for (Pusher bad : List.of(
                pusher("k").toBuilder().setAppId("").setGatewayUrl(notAllowed).build(),
                pusher("").toBuilder().setGatewayUrl(notAllowed).build(),
                pusher("k").toBuilder().setAppId("a".repeat(65)).build(),
                pusher("k".repeat(513)),
                pusher("k").toBuilder().setGatewayUrl("ftp://push.example.com/notify").build(),
                pusher("k").toBuilder().setGatewayUrl("push.example.com/_matrix/push/v1/notify").build(),
                pusher("k").toBuilder().setFormatValue(7).build(),
                pusher("k").toBuilder().setLang("x".repeat(65)).build(),
                pusher("k").toBuilder().setDeviceDisplayName("d".repeat(257)).build())) {
            assertStatus(() -> alice.pushStub().setPusher(bad), Status.Code.INVALID_ARGUMENT);
        }
        assertThat(list(alice)).isEmpty();
        // the limits themselves are fine
        alice.pushStub().setPusher(pusher("k".repeat(512)).toBuilder().setAppId("a".repeat(64)).build());
    }

    @Test
    void aGatewayOutsideTheAllowlistIsAFailedPrecondition() {
        for (String url : List.of("http://127.0.0.1:8008/_matrix/push/v1/notify", // loopback, not allowed
                "http://127.0.0.1:5000/_matrix/push/v1/notify/extra", // longer than an exact entry
                "https://push.example.com.evil.net/_matrix/push/v1/notify")) { // a prefix of the host is not the host
            assertStatus(() -> alice.pushStub().setPusher(pusher("k").toBuilder().setGatewayUrl(url).build()),
                    Status.Code.FAILED_PRECONDITION);
        }
        assertThat(list(alice)).isEmpty();
        alice.pushStub().setPusher(pusher("k").toBuilder().setGatewayUrl("http://127.0.0.1:5000/_matrix/push/v1/notify").build());
        assertThat(list(alice)).hasSize(1);
    }

    @Test
    void pushersPerUserAreBoundedAndARefusedOneStoresNothing() {
        for (int i = 1; i <= 3; i++) {
            alice.pushStub().setPusher(pusher("key-" + i));
        }
        assertStatus(() -> alice.pushStub().setPusher(pusher("key-4")), Status.Code.RESOURCE_EXHAUSTED);
        assertThat(list(alice)).extracting(Pusher::getPushkey).containsExactly("key-1", "key-2", "key-3");
        alice.pushStub().setPusher(pusher("key-3").toBuilder().setLang("de").build()); // an update is not one more
        // a moved pushkey counts for its new owner
        bob.pushStub().setPusher(pusher("bobs"));
        assertStatus(() -> alice.pushStub().setPusher(pusher("bobs")), Status.Code.RESOURCE_EXHAUSTED);
        assertThat(list(bob)).hasSize(1);
    }

    @Test
    void everyCallNeedsAToken() {
        var anonymous = PushServiceGrpc.newBlockingStub(api.channel());
        assertStatus(() -> anonymous.listPushers(ListPushersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
        assertStatus(() -> anonymous.setPusher(pusher("k")), Status.Code.UNAUTHENTICATED);
    }
}
