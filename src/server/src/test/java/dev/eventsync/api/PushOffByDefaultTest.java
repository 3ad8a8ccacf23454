package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** With no eventsync.push.allowed-gateways (the default), no gateway is allowed: push is off. */
@ServerTest
class PushOffByDefaultTest {

    @LocalGrpcServerPort
    int port;

    @Test
    void noPusherCanBeRegistered() throws InterruptedException {
        try (Api api = new Api(port)) {
            Api.User alice = api.newUser();
            assertThatThrownBy(() -> alice.pushStub().setPusher(PushServiceTest.pusher("k")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).contains("push is not enabled");
                    });
            assertThat(alice.pushStub().listPushers(ListPushersRequest.getDefaultInstance()).getPushersList()).isEmpty();
        }
    }
}
