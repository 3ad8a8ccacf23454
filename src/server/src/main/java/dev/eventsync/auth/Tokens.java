package dev.eventsync.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eventsync.events.Uuids;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The token rules of API.md (Authentication; Tokens from an identity provider):
 * {@code authorization: Bearer <JWT>} (scheme case-insensitive, token at most 8 KiB); HS256 with
 * the shared secret when one is configured; RS256, ES256 and EdDSA (Ed25519) with a key of the
 * identity provider's JWK set when one is configured; {@code iss}/{@code aud} checked when
 * configured; the user uuid from {@code sub} (or the configured claim), canonical and non-nil,
 * or derived from a non-uuid subject; {@code exp} required outside development mode, and
 * {@code exp}/{@code nbf} enforced with at most 60 s of clock leeway.
 */
public final class Tokens {

    static final Duration LEEWAY = Duration.ofSeconds(60);
    /** Verified tokens remembered at most (then forgotten all at once: they are only verified again). */
    static final int VERIFIED_CACHE = 10_000;
    /** API.md: a longer token is refused before it is parsed. */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;
    /**
     * The namespace of the uuid v5 derived from {@code iss + " " + subject} when
     * {@code derive-user-uuid} is on. Fixed for ever: changing it would give every such user a
     * new identity.
     */
    public static final UUID DERIVED_USER_NAMESPACE = UUID.fromString("17230a4b-4f3e-4614-aec1-0ad9a97cbf54");
    private static final Set<JWSAlgorithm> ASYMMETRIC =
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    /** Why a call is not authenticated; the message goes back to the client. */
    public static final class Unauthenticated extends Exception {
        Unauthenticated(String message) {
            super(message, null, false, false);
        }
    }

    /** The token may be valid but the keys to check it cannot be fetched now: retry (UNAVAILABLE). */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The configured rules. {@code secret} null or blank: no HS256 (allowed only with a JWK set);
     * {@code issuer}, {@code audience}, {@code userClaim} null: not checked, {@code sub}.
     */
    public record Rules(String secret, String issuer, String audience, String userClaim, boolean deriveUserUuid,
            boolean requireExp) {

        /** HS256 with this secret, nothing else checked: what the token command's tokens need. */
        public static Rules hs256(String secret) {
            return new Rules(secret, null, null, null, false, false);
        }
    }

    private final Rules rules;
    /** The HS256 key; null when no secret is configured (a JWK set is, then). */
    private final byte[] key;
    private final RemoteKeys remote;
    private final Clock clock;
    /**
     * A phone sends the same token with every call until it expires: verifying it once (parse,
     * signature, JSON) instead of per call was a third of the Sync handler's CPU. Keyed by the
     * whole token, signature included, so only a token that verified can hit; its time bounds are
     * checked again at every use.
     */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /** What a verified token grants, and when. */
    private record Verified(Caller caller, Instant notBefore, Instant expires) {}

    /** HS256 only, {@code exp} optional. Refuses (IllegalStateException) a missing or too short secret. */
    public Tokens(String secret, Clock clock) {
        this(Rules.hs256(secret), null, clock);
    }

    /** {@code remote} null: no JWK set, so the secret is required (IllegalStateException without one). */
    Tokens(Rules rules, RemoteKeys remote, Clock clock) {
        boolean noSecret = rules.secret() == null || rules.secret().isBlank();
        this.key = noSecret && remote != null ? null : AuthProperties.keyOf(rules.secret());
        this.rules = rules;
        this.remote = remote;
        this.clock = clock;
    }

    public Caller verify(String authorization) throws Unauthenticated, Unavailable {
        if (authorization == null || authorization.isBlank()) {
            throw new Unauthenticated("missing metadata `authorization: Bearer <JWT>`");
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new Unauthenticated("authorization metadata must be `Bearer <JWT>`");
        }
        String token = authorization.substring(space + 1).trim();
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new Unauthenticated("the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        Verified known = verified.get(token);
        if (known == null) {
            known = verifySignedToken(token);
            // The JWT parser also accepts other spellings of a valid token (padding, '+/',
            // trailing filler): only the compact form is remembered, so one token cannot be
            // turned into endless cache entries.
            if (isCompact(token)) {
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

    /** Three parts, each the one unpadded base64url spelling of its bytes. */
    private static boolean isCompact(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String part : parts) {
            try {
                if (part.isEmpty() || !Base64URL.encode(Base64.getUrlDecoder().decode(part)).toString().equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /** The signature, algorithm and claim rules: what does not change with time. */
    private Verified verifySignedToken(String token) throws Unauthenticated, Unavailable {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new Unauthenticated("the token is not a signed JWT");
        }
        JWTClaimsSet claims;
        try {
            if (!jwt.verify(verifierFor(jwt.getHeader()))) {
                throw new Unauthenticated("bad token signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (JOSEException | ParseException e) {
            throw new Unauthenticated("the token cannot be verified");
        }
        if (rules.issuer() != null && !rules.issuer().equals(claims.getIssuer())) {
            throw new Unauthenticated("the token's iss is not " + rules.issuer());
        }
        if (rules.audience() != null && (claims.getAudience() == null || !claims.getAudience().contains(rules.audience()))) {
            throw new Unauthenticated("the token's aud does not contain " + rules.audience());
        }
        if (rules.requireExp() && claims.getExpirationTime() == null) {
            throw new Unauthenticated("the token has no exp; this server requires one");
        }
        Caller caller = new Caller(user(claims));
        return new Verified(caller, instant(claims.getNotBeforeTime()), instant(claims.getExpirationTime()));
    }

    /** The verifier for the token's algorithm, or why the algorithm is not accepted. */
    private JWSVerifier verifierFor(JWSHeader header) throws Unauthenticated, Unavailable, JOSEException {
        JWSAlgorithm algorithm = header.getAlgorithm();
        if (JWSAlgorithm.HS256.equals(algorithm) && key != null) {
            return new MACVerifier(key);
        }
        if (remote == null || !ASYMMETRIC.contains(algorithm)) {
            throw new Unauthenticated("only " + String.join(", ", accepted()) + " tokens are accepted");
        }
        JWKMatcher.Builder matcher = new JWKMatcher.Builder().keyUses(KeyUse.SIGNATURE, null);
        if (JWSAlgorithm.RS256.equals(algorithm)) {
            matcher.keyType(KeyType.RSA).algorithms(algorithm, null);
        } else if (JWSAlgorithm.ES256.equals(algorithm)) {
            matcher.keyType(KeyType.EC).curve(Curve.P_256).algorithms(algorithm, null);
        } else {
            matcher.keyType(KeyType.OKP).curve(Curve.Ed25519).algorithms(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519, null);
        }
        if (header.getKeyID() != null) {
            matcher.keyID(header.getKeyID());
        }
        List<JWK> keys = remote.select(matcher.build());
        if (keys.size() != 1) {
            throw new Unauthenticated(header.getKeyID() != null
                    ? keys.size() + " keys of the identity provider's JWK set match the token's kid and " + algorithm
                    : "the token has no kid and the identity provider's JWK set has " + keys.size() + " keys for "
                            + algorithm + " (a token without kid needs exactly one)");
        }
        JWK jwk = keys.get(0);
        if (jwk instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (jwk instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        return new Ed25519JdkVerifier((OctetKeyPair) jwk);
    }

    private List<String> accepted() {
        List<String> accepted = new ArrayList<>();
        if (key != null) {
            accepted.add("HS256");
        }
        if (remote != null) {
            accepted.addAll(List.of("RS256", "ES256", "EdDSA"));
        }
        return accepted;
    }

    /** The user: the claim's canonical uuid, or the uuid derived from the issuer and a non-uuid subject. */
    private UUID user(JWTClaimsSet claims) throws Unauthenticated {
        String name = rules.userClaim() != null ? rules.userClaim() : "sub";
        Object value = claims.getClaim(name);
        String subject = value instanceof String text ? text : null;
        UUID user = Uuids.parse(subject);
        if (user != null) {
            return user;
        }
        if (!rules.deriveUserUuid()) {
            throw new Unauthenticated("the token's " + name + " must be the user's canonical lowercase, non-nil uuid");
        }
        if (subject == null || subject.isEmpty()) {
            throw new Unauthenticated("the token has no " + name + " (a non-empty string)");
        }
        if (claims.getIssuer() == null || claims.getIssuer().isEmpty()) {
            throw new Unauthenticated("a user uuid is derived from iss and " + name + ": the token has no iss");
        }
        return derivedUserUuid(claims.getIssuer(), subject);
    }

    /** The name-based (SHA-1, version 5) uuid of {@code issuer + " " + subject} in {@link #DERIVED_USER_NAMESPACE}. */
    public static UUID derivedUserUuid(String issuer, String subject) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
        ByteBuffer namespace = ByteBuffer.allocate(16)
                .putLong(DERIVED_USER_NAMESPACE.getMostSignificantBits())
                .putLong(DERIVED_USER_NAMESPACE.getLeastSignificantBits());
        sha1.update(namespace.array());
        byte[] hash = sha1.digest((issuer + " " + subject).getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
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
