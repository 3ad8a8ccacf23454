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
 * Mints HS256 tokens the server accepts, so the tools log in without a login service: the one
 * minting implementation of the terminal chat, the {@code token} command and the load
 * generators. The tools do not depend on the server's code, so this is plain JDK HMAC; the
 * server's tests check that it verifies the result.
 */
public final class DevelopmentTokens {

    /** The server's public development secret (AuthProperties.DEVELOPMENT_JWT_SECRET); only a development server accepts it. */
    public static final String DEVELOPMENT_SECRET = "eventsync-development-secret-not-for-production";
    /** HS256 keys shorter than its hash are refused by the server (AuthProperties.MIN_SECRET_BYTES). */
    static final int MIN_SECRET_BYTES = 32;

    private DevelopmentTokens() {}

    /** A token for {@code user} signed with {@code secret}, valid for {@code ttl} (no expiry when null). */
    public static String mint(String secret, UUID user, Duration ttl, Instant now) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("cannot sign with this secret: EVENTSYNC_AUTH_JWT_SECRET must be at least "
                    + MIN_SECRET_BYTES + " bytes");
        }
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{\"sub\":\"" + user + "\",\"iat\":" + now.getEpochSecond()
                + (ttl == null ? "" : ",\"exp\":" + now.plus(ttl).getEpochSecond()) + "}";
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
