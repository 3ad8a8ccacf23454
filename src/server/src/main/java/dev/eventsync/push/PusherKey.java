package dev.eventsync.push;

import dev.eventsync.events.CallRejected;
import java.nio.charset.StandardCharsets;

/** What names a pusher: a device's pushkey within one app (API.md v1.1). */
public record PusherKey(String appId, String pushkey) {

    static final int MAX_APP_ID_BYTES = 64;
    static final int MAX_PUSHKEY_BYTES = 512;

    /** A well-formed key, else INVALID_ARGUMENT. */
    public static PusherKey of(String appId, String pushkey) {
        if (appId.isEmpty() || pushkey.isEmpty()) {
            throw invalid("app_id and pushkey must not be empty");
        }
        requireAtMost("app_id", appId, MAX_APP_ID_BYTES);
        requireAtMost("pushkey", pushkey, MAX_PUSHKEY_BYTES);
        return new PusherKey(appId, pushkey);
    }

    static void requireAtMost(String field, String value, int maxBytes) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw invalid(field + " is " + bytes + " bytes, at most " + maxBytes);
        }
    }

    static CallRejected invalid(String message) {
        return new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, message);
    }
}
