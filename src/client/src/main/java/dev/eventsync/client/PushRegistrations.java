package dev.eventsync.client;

import dev.eventsync.proto.v1.DeletePusherRequest;
import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.proto.v1.Pusher;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This device's registrations with a push gateway (API.md v1.1, PushService). Direct calls, not
 * queued in the outbox: a registration is state on the server that the app re-asserts at every
 * start (a pushkey the platform rotated replaces the old one), so a queued, stale one would help
 * nobody.
 */
final class PushRegistrations {

    private static final long DEADLINE_SECONDS = 10;

    private final Transport transport;

    PushRegistrations(Transport transport) {
        this.transport = transport;
    }

    Pusher register(Pusher pusher) {
        return transport.pushStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).setPusher(pusher);
    }

    void unregister(String appId, String pushkey) {
        transport.pushStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .deletePusher(DeletePusherRequest.newBuilder().setAppId(appId).setPushkey(pushkey).build());
    }

    List<Pusher> list() {
        return transport.pushStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .listPushers(ListPushersRequest.getDefaultInstance()).getPushersList();
    }
}
