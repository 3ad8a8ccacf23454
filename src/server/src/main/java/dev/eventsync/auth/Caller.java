package dev.eventsync.auth;

import io.grpc.Context;
import java.util.UUID;

/** The authenticated user of the current gRPC call, taken from the token's {@code sub}. */
public record Caller(UUID userUuid) {

    static final Context.Key<Caller> KEY = Context.key("eventsync.caller");

    /** The caller of the call being handled; the interceptor guarantees there is one. */
    public static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this gRPC context");
        }
        return caller;
    }
}
