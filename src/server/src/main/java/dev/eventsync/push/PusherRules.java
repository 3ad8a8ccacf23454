package dev.eventsync.push;

import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.Pusher;

/**
 * Whether a SetPusher may be stored, in API.md's precedence: a malformed pusher is
 * INVALID_ARGUMENT before the allowlist is consulted; a gateway outside the allowlist is
 * FAILED_PRECONDITION. (Too many pushers is decided where they are counted, in {@link Pushers}.)
 */
public final class PusherRules {

    private final GatewayAllowlist allowlist;

    public PusherRules(GatewayAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    public PusherRegistration accept(Pusher request) {
        PusherRegistration registration = PusherRegistration.of(request);
        if (!allowlist.allows(registration.gatewayUrl())) {
            throw new CallRejected(CallRejected.Problem.NOT_ALLOWED, allowlist.isEmpty()
                    ? "push is not enabled on this server (no eventsync.push.allowed-gateways)"
                    : "gateway_url is not one of this server's push gateways (eventsync.push.allowed-gateways)");
        }
        return registration;
    }
}
