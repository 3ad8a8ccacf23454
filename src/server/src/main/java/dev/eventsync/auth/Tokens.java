package dev.eventsync.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eventsync.events.Uuids;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The token rules of API.md: {@code authorization: Bearer <JWT>} (scheme case-insensitive),
 * HS256 only, a valid signature with the configured secret, {@code sub} a canonical non-nil
 * uuid, {@code exp} (and {@code nbf}) enforced when present with at most 60 s of clock leeway.
 */
public final class Tokens {

    static final Duration LEEWAY = Duration.ofSeconds(60);
    /** Verified tokens remembered at most (then forgotten all at once: they are only verified again). */
    static final int VERIFIED_CACHE = 10_000;
    /** header.payload.signature in unpadded base64url; an HS256 signature is 32 bytes (43 chars). */
    private static final Pattern COMPACT_HS256 =
            Pattern.compile("[A-Za-z0-9_-]{1,1000}\\.[A-Za-z0-9_-]{1,2000}\\.[A-Za-z0-9_-]{43}");

    /** Why a call is not authenticated; the message goes back to the client. */
    public static final class Unauthenticated extends Exception {
        Unauthenticated(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] key;
    private final Clock clock;
    /**
     * A phone sends the same token with every call until it expires: verifying it once (parse,
     * HMAC, JSON) instead of per call was a third of the Sync handler's CPU. Keyed by the whole
     * token, signature included, so only a token that verified can hit; its time bounds are
     * checked again at every use.
     */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /** What a verified token grants, and when. */
    private record Verified(Caller caller, Instant notBefore, Instant expires) {}

    /** Refuses (IllegalStateException) a missing or too short secret. */
    public Tokens(String secret, Clock clock) {
        this.key = AuthProperties.keyOf(secret);
        this.clock = clock;
    }

    public Caller verify(String authorization) throws Unauthenticated {
        if (authorization == null || authorization.isBlank()) {
            throw new Unauthenticated("missing metadata `authorization: Bearer <JWT>`");
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new Unauthenticated("authorization metadata must be `Bearer <JWT>`");
        }
        String token = authorization.substring(space + 1).trim();
        Verified known = verified.get(token);
        if (known == null) {
            known = verifySignedToken(token);
            // The JWT parser also accepts other spellings of a valid token (padding, '+/',
            // trailing filler): only the compact form is remembered, so one token cannot be
            // turned into endless cache entries.
            if (COMPACT_HS256.matcher(token).matches()) {
                if (verified.size() >= VERIFIED_CACHE) {
                    verified.clear();
                }
                verified.put(token, known);
            }
        }
        Instant now = clock.instant();
        if (known.expires() != null && now.isAfter(known.expires().plus(LEEWAY))) {
            throw new Unauthenticated("the token has expired");
        }
        if (known.notBefore() != null && now.isBefore(known.notBefore().minus(LEEWAY))) {
            throw new Unauthenticated("the token is not valid yet");
        }
        return known.caller();
    }

    /** How many verified tokens are remembered now. */
    int rememberedTokens() {
        return verified.size();
    }

    /** The signature, algorithm and subject rules: what does not change with time. */
    private Verified verifySignedToken(String token) throws Unauthenticated {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new Unauthenticated("the token is not a signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new Unauthenticated("only HS256 tokens are accepted");
        }
        JWTClaimsSet claims;
        try {
            if (!jwt.verify(new MACVerifier(key))) {
                throw new Unauthenticated("bad token signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (JOSEException | ParseException e) {
            throw new Unauthenticated("the token cannot be verified");
        }
        UUID user = Uuids.parse(claims.getSubject());
        if (user == null) {
            throw new Unauthenticated("the token's sub must be the user's canonical lowercase, non-nil uuid");
        }
        return new Verified(new Caller(user), instant(claims.getNotBeforeTime()), instant(claims.getExpirationTime()));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    /** A token for {@code user} signed with {@code secret}, valid for {@code ttl} (no expiry when null). */
    public static String mint(String secret, UUID user, Duration ttl, Instant now) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user.toString())
                .issueTime(Date.from(now));
        if (ttl != null) {
            claims.expirationTime(Date.from(now.plus(ttl)));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(AuthProperties.keyOf(secret)));
        } catch (JOSEException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
