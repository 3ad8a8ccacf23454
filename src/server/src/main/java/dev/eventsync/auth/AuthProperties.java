package dev.eventsync.auth;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code eventsync.auth.*} (API.md, Authentication). {@code jwt-secret} (env
 * {@code EVENTSYNC_AUTH_JWT_SECRET}): the HS256 key, as UTF-8 bytes, at least 32 of them; required
 * when no JWK set is configured, except in development mode (the embedded database), which falls
 * back to the public {@link #DEVELOPMENT_JWT_SECRET} and is the only mode that accepts it.
 * {@code jwk-set-uri} or {@code issuer-uri} (OIDC discovery): the identity provider's keys.
 * {@code issuer} (default: the issuer-uri) and {@code audience}: what {@code iss} must equal and
 * {@code aud} contain. {@code user-claim} (default {@code sub}) holds the user uuid;
 * {@code derive-user-uuid} maps a non-uuid subject to a uuid v5 ({@link Tokens#derivedUserUuid}).
 * Blank values count as not set (an empty environment variable).
 */
@ConfigurationProperties("eventsync.auth")
public record AuthProperties(String jwtSecret, String jwkSetUri, String issuerUri, String issuer, String audience,
        String userClaim, boolean deriveUserUuid) {

    public AuthProperties {
        jwtSecret = blankToNull(jwtSecret);
        jwkSetUri = blankToNull(jwkSetUri);
        issuerUri = blankToNull(issuerUri);
        issuer = blankToNull(issuer);
        audience = blankToNull(audience);
        userClaim = blankToNull(userClaim);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** What {@code iss} must equal: {@code issuer}, else the issuer-uri, else nothing is checked. */
    String expectedIssuer() {
        return issuer != null ? issuer : issuerUri;
    }

    public static final int MIN_SECRET_BYTES = 32;

    /** Documented in the README; accepted only by a server in development mode. */
    public static final String DEVELOPMENT_JWT_SECRET = "eventsync-development-secret-not-for-production";

    /** The HMAC key of a secret, refusing a missing or short one with a message saying what to set. */
    static byte[] keyOf(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("No JWT secret configured. Set EVENTSYNC_AUTH_JWT_SECRET (property"
                    + " eventsync.auth.jwt-secret) to a random secret of at least " + MIN_SECRET_BYTES
                    + " bytes, e.g. `openssl rand -base64 48`, or set eventsync.auth.issuer-uri or"
                    + " eventsync.auth.jwk-set-uri to verify your identity provider's tokens. (Only development"
                    + " mode, on the embedded database, has a default.)");
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
        return "AuthProperties[jwtSecret=" + (jwtSecret == null ? "(none)" : "(hidden)") + ", jwkSetUri=" + jwkSetUri
                + ", issuerUri=" + issuerUri + ", issuer=" + issuer + ", audience=" + audience + ", userClaim=" + userClaim
                + ", deriveUserUuid=" + deriveUserUuid + "]";
    }
}
