package dev.eventsync.client.cli;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens for a development server, so the terminal client can log in without a
 * login service. The client must not depend on the server's code, so this is a small copy of
 * what {@code token} does; a test checks both agree and that the server accepts the result.
 */
final class DevelopmentTokens {

    /** The server's public development secret (AuthProperties.DEVELOPMENT_JWT_SECRET); only a development server accepts it. */
    static final String DEVELOPMENT_SECRET = "eventsync-development-secret-not-for-production";

    private DevelopmentTokens() {}

    static String mint(String secret, UUID user, Duration ttl, Instant now) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{\"sub\":\"" + user + "\",\"iat\":" + now.getEpochSecond()
                + ",\"exp\":" + now.plus(ttl).getEpochSecond() + "}";
        String payload = base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + base64.encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }
}
