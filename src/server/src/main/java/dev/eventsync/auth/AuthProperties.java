package dev.eventsync.auth;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code eventsync.auth.jwt-secret} (env {@code EVENTSYNC_AUTH_JWT_SECRET}): the HS256 key, as
 * UTF-8 bytes, at least 32 of them. Required, except in development mode (the embedded
 * database), which falls back to the public {@link #DEVELOPMENT_JWT_SECRET}.
 */
@ConfigurationProperties("eventsync.auth")
public record AuthProperties(String jwtSecret) {

    public static final int MIN_SECRET_BYTES = 32;

    /** Documented in the README; accepted only by a server in development mode. */
    public static final String DEVELOPMENT_JWT_SECRET = "eventsync-development-secret-not-for-production";

    /** The HMAC key of a secret, refusing a missing or short one with a message saying what to set. */
    static byte[] keyOf(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("No JWT secret configured. Set EVENTSYNC_AUTH_JWT_SECRET (property"
                    + " eventsync.auth.jwt-secret) to a random secret of at least " + MIN_SECRET_BYTES
                    + " bytes, e.g. `openssl rand -base64 48`. (Only development mode, on the embedded database,"
                    + " has a default.)");
        }
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalStateException("EVENTSYNC_AUTH_JWT_SECRET (eventsync.auth.jwt-secret) is " + key.length
                    + " bytes; HS256 needs at least " + MIN_SECRET_BYTES + ". Use e.g. `openssl rand -base64 48`.");
        }
        return key;
    }

    @Override
    public String toString() {
        return "AuthProperties[jwtSecret=(hidden)]";
    }
}
