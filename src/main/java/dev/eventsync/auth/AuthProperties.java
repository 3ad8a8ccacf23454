package dev.eventsync.auth;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code eventsync.auth.jwt-secret} (env {@code EVENTSYNC_AUTH_JWT_SECRET}): the HS256 key, as
 * UTF-8 bytes, at least 32 of them. Required: the embedded development mode supplies a
 * documented development secret when none is set; with a real database, startup fails without one.
 */
@ConfigurationProperties("eventsync.auth")
public record AuthProperties(String jwtSecret) {

    public static final int MIN_SECRET_BYTES = 32;

    public AuthProperties {
        if (jwtSecret == null || jwtSecret.isBlank()) {
            throw new IllegalArgumentException("No JWT secret configured. Set EVENTSYNC_AUTH_JWT_SECRET (property"
                    + " eventsync.auth.jwt-secret) to a random secret of at least " + MIN_SECRET_BYTES
                    + " bytes, e.g. `openssl rand -base64 48`. (Only the embedded development database comes"
                    + " with a development secret.)");
        }
        int length = jwtSecret.getBytes(StandardCharsets.UTF_8).length;
        if (length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("EVENTSYNC_AUTH_JWT_SECRET (eventsync.auth.jwt-secret) is " + length
                    + " bytes; HS256 needs at least " + MIN_SECRET_BYTES + ". Use e.g. `openssl rand -base64 48`.");
        }
    }

    byte[] key() {
        return jwtSecret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuthProperties[jwtSecret=(hidden)]";
    }
}
