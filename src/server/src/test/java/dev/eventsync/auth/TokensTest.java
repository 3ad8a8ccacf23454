package dev.eventsync.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eventsync.tools.TokenCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token rules of API.md (Authentication): {@code authorization: Bearer <JWT>}, scheme
 * case-insensitive, HS256 only with the UTF-8 bytes of the configured secret, {@code sub} a
 * canonical non-nil uuid, {@code exp}/{@code nbf} enforced with at most 60 s of leeway.
 */
class TokensTest {

    /** 64 bytes: long enough for nimbus to sign HS384 and HS512 with it too. */
    static final String SECRET = "tokens-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";
    static final String OTHER_SECRET = "another-secret-entirely-0123456789-abcdefghijklmnopqrstuvwxyz-XY";
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    final Tokens tokens = new Tokens(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    final UUID user = UUID.fromString("3f2504e0-4f89-41d3-9a0c-0305e82c3301");

    static String sign(JWSAlgorithm algorithm, String secret, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String hs256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.HS256, SECRET, claims);
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject(user.toString()).issueTime(Date.from(NOW.minusSeconds(10)))
                .expirationTime(Date.from(NOW.plus(Duration.ofHours(1))));
    }

    static String base64url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    Caller verify(String authorization) throws Exception {
        return tokens.verify(authorization);
    }

    void assertRejected(String authorization) {
        assertThatThrownBy(() -> tokens.verify(authorization))
                .isInstanceOf(Tokens.Unauthenticated.class)
                .hasMessageNotContaining(SECRET);
    }

    @Nested
    class AValidToken {

        @Test
        void identifiesTheCallerBySub() throws Exception {
            assertThat(verify("Bearer " + hs256(claims().build()))).isEqualTo(new Caller(user));
        }

        @Test
        void signedWithTheUtf8BytesOfTheSecretVerifies() throws Exception {
            String secret = "ünïcödé-sëcrét-ünïcödé-sëcrét-ünïcödé";
            Tokens unicode = new Tokens(secret, Clock.fixed(NOW, ZoneOffset.UTC));
            assertThat(unicode.verify("Bearer " + sign(JWSAlgorithm.HS256, secret, claims().build())))
                    .isEqualTo(new Caller(user));
        }

        @Test
        void mintedByTokensMintVerifies() throws Exception {
            assertThat(verify("Bearer " + Tokens.mint(SECRET, user, Duration.ofMinutes(5), NOW))).isEqualTo(new Caller(user));
        }

        @Test
        void withoutExpIsAcceptedWhereExpIsOptionalAsInDevelopmentMode() throws Exception {
            assertThat(verify("Bearer " + hs256(claims().expirationTime(null).build()))).isEqualTo(new Caller(user));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
        void isAcceptedWhateverTheCaseOfTheSchemeWord(String scheme) throws Exception {
            assertThat(verify(scheme + " " + hs256(claims().build()))).isEqualTo(new Caller(user));
        }
    }

    @Nested
    class TheAuthorizationMetadata {

        @ParameterizedTest(name = "\"{0}\"")
        @NullAndEmptySource
        @ValueSource(strings = {" ", "   "})
        void missingOrBlankIsRejected(String authorization) {
            assertRejected(authorization);
        }

        @Test
        void withAnotherSchemeIsRejected() {
            String token = hs256(claims().build());
            assertRejected("Basic " + token);
            assertRejected("Token " + token);
            assertRejected("JWT " + token);
            assertRejected("Bearer: " + token);
            assertRejected("Bearers " + token);
        }

        @Test
        void aTokenOver8KiBIsRejectedAndOneJustUnderIsVerified() throws Exception {
            assertThatThrownBy(() -> tokens.verify("Bearer " + "a".repeat(Tokens.MAX_TOKEN_CHARS + 1)))
                    .isInstanceOf(Tokens.Unauthenticated.class).hasMessageContaining("longer than 8192");
            String big = hs256(claims().claim("pad", "p".repeat(Tokens.MAX_TOKEN_CHARS * 3 / 4 - 200)).build());
            assertThat(big.length()).isBetween(Tokens.MAX_TOKEN_CHARS - 400, Tokens.MAX_TOKEN_CHARS);
            assertThat(verify("Bearer " + big)).isEqualTo(new Caller(user));
            String over = hs256(claims().claim("pad", "p".repeat(Tokens.MAX_TOKEN_CHARS * 3 / 4)).build());
            assertThat(over.length()).isGreaterThan(Tokens.MAX_TOKEN_CHARS);
            assertRejected("Bearer " + over);
        }

        @Test
        void withoutASchemeIsRejected() {
            assertRejected(hs256(claims().build()));
        }

        @Test
        void withTheSchemeAloneIsRejected() {
            assertRejected("Bearer");
            assertRejected("Bearer ");
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"garbage", "a.b.c", "a.b", "...", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.e30",
                "eyJhbGciOiJIUzI1NiJ9.!!!.xyz"})
        void thatIsNotAJwtIsRejected(String token) {
            assertRejected("Bearer " + token);
        }
    }

    @Nested
    class TheAlgorithmAndSignature {

        @Test
        void algNoneIsRejected() {
            String payload = base64url("{\"sub\":\"" + user + "\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}");
            assertRejected("Bearer " + base64url("{\"alg\":\"none\"}") + "." + payload + ".");
            assertRejected("Bearer " + base64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".");
            assertRejected("Bearer " + base64url("{\"alg\":\"None\"}") + "." + payload + ".");
        }

        @Test
        void hs256HeaderWithTheSignatureStrippedIsRejected() {
            String signed = hs256(claims().build());
            assertRejected("Bearer " + signed.substring(0, signed.lastIndexOf('.') + 1));
        }

        @Test
        void hs384SignedWithTheSameSecretIsRejected() {
            assertRejected("Bearer " + sign(JWSAlgorithm.HS384, SECRET, claims().build()));
        }

        @Test
        void hs512SignedWithTheSameSecretIsRejected() {
            assertRejected("Bearer " + sign(JWSAlgorithm.HS512, SECRET, claims().build()));
        }

        @Test
        void signedWithAnotherSecretIsRejected() {
            assertRejected("Bearer " + sign(JWSAlgorithm.HS256, OTHER_SECRET, claims().build()));
        }

        @Test
        void withClaimsChangedAfterSigningIsRejected() {
            String[] parts = hs256(claims().build()).split("\\.");
            String forged = base64url("{\"sub\":\"" + UUID.randomUUID() + "\"}");
            assertRejected("Bearer " + parts[0] + "." + forged + "." + parts[2]);
        }
    }

    @Nested
    class TimeClaims {

        @Test
        void expiredBeyondTheLeewayIsRejected() {
            assertRejected("Bearer " + hs256(claims().expirationTime(Date.from(NOW.minusSeconds(61))).build()));
            assertRejected("Bearer " + hs256(claims().expirationTime(Date.from(NOW.minus(Duration.ofHours(1)))).build()));
        }

        @Test
        void withoutExpIsRejectedWhereExpIsRequiredAsOutsideDevelopmentMode() {
            Tokens required = new Tokens(new Tokens.Rules(SECRET, null, null, null, false, true), null, Clock.fixed(NOW, ZoneOffset.UTC));
            assertThatThrownBy(() -> required.verify("Bearer " + hs256(claims().expirationTime(null).build())))
                    .isInstanceOf(Tokens.Unauthenticated.class).hasMessageContaining("no exp");
        }

        @Test
        void expiredWithinTheLeewayIsAccepted() throws Exception {
            assertThat(verify("Bearer " + hs256(claims().expirationTime(Date.from(NOW.minusSeconds(30))).build())))
                    .isEqualTo(new Caller(user));
        }

        @Test
        void notBeforeInTheFutureBeyondTheLeewayIsRejected() {
            assertRejected("Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build()));
            assertRejected("Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plus(Duration.ofHours(1)))).build()));
        }

        @Test
        void notBeforeWithinTheLeewayOrPastIsAccepted() throws Exception {
            assertThat(verify("Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(30))).build())))
                    .isEqualTo(new Caller(user));
            assertThat(verify("Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.minusSeconds(600))).build())))
                    .isEqualTo(new Caller(user));
        }
    }

    /** A token is verified once and then remembered: its time bounds still apply at every use. */
    @Nested
    class Reuse {

        /** A clock the test moves. */
        static final class MovingClock extends Clock {
            Instant now = NOW;

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return now;
            }
        }

        final MovingClock clock = new MovingClock();
        final Tokens reused = new Tokens(SECRET, clock);

        @Test
        void aTokenAcceptedBeforeIsRejectedOnceItExpires() throws Exception {
            String authorization = "Bearer " + hs256(claims().expirationTime(Date.from(NOW.plusSeconds(120))).build());
            assertThat(reused.verify(authorization)).isEqualTo(new Caller(user));
            clock.now = NOW.plusSeconds(120 + 61);
            assertThatThrownBy(() -> reused.verify(authorization)).isInstanceOf(Tokens.Unauthenticated.class)
                    .hasMessageContaining("expired");
        }

        @Test
        void aTokenRejectedAsNotYetValidIsAcceptedOnceItIs() throws Exception {
            String authorization = "Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(600))).build());
            assertThatThrownBy(() -> reused.verify(authorization)).isInstanceOf(Tokens.Unauthenticated.class)
                    .hasMessageContaining("not valid yet");
            clock.now = NOW.plusSeconds(600);
            assertThat(reused.verify(authorization)).isEqualTo(new Caller(user));
        }

        @Test
        void aTokenWithItsClaimsChangedAfterOneWasAcceptedIsStillRejected() throws Exception {
            String token = hs256(claims().build());
            assertThat(reused.verify("Bearer " + token)).isEqualTo(new Caller(user));
            String[] parts = token.split("\\.");
            String otherUser = base64url("{\"sub\":\"" + UUID.randomUUID() + "\"}");
            assertThatThrownBy(() -> reused.verify("Bearer " + parts[0] + "." + otherUser + "." + parts[2]))
                    .isInstanceOf(Tokens.Unauthenticated.class);
            assertThat(reused.verify("Bearer " + token)).isEqualTo(new Caller(user));
        }

        @Test
        void otherSpellingsOfAValidTokenAreNotRemembered() throws Exception {
            String token = hs256(claims().build());
            assertThat(reused.verify("Bearer " + token)).isEqualTo(new Caller(user));
            for (String variant : List.of(token + "=", token + "==", token + "!!", token + "A".repeat(5000),
                    token.replace('-', '+').replace('_', '/'))) {
                try {
                    reused.verify("Bearer " + variant); // the JWT parser may accept some of these
                } catch (Tokens.Unauthenticated refused) {
                    // fine either way: what matters is that none of them is remembered
                }
            }
            assertThat(reused.rememberedTokens()).isEqualTo(1);
        }

        @Test
        void manyDistinctTokensAllVerifyPastTheCacheBound() throws Exception {
            List<UUID> users = new ArrayList<>();
            for (int i = 0; i < Tokens.VERIFIED_CACHE + 10; i++) {
                UUID someone = UUID.randomUUID();
                users.add(someone);
                assertThat(reused.verify("Bearer " + hs256(claims().subject(someone.toString()).build())))
                        .isEqualTo(new Caller(someone));
            }
            assertThat(users).doesNotHaveDuplicates();
        }
    }

    @Nested
    class TheSubClaim {

        @Test
        void missingIsRejected() {
            assertRejected("Bearer " + hs256(claims().subject(null).build()));
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {
                "",
                "alice",
                "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
                "3f2504e0-4f89-41d3-9A0C-0305e82c3301",
                "00000000-0000-0000-0000-000000000000",
                "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",
                "3f2504e04f8941d39a0c0305e82c3301",
                " 3f2504e0-4f89-41d3-9a0c-0305e82c3301"})
        void thatIsNotACanonicalNonNilUuidIsRejected(String sub) {
            assertRejected("Bearer " + hs256(claims().subject(sub).build()));
        }
    }

    @Nested
    class TheSecret {

        final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

        /** What startup does with the configured secret: a missing or short one fails it. */
        void assertRefusedNamingTheEnvironmentVariable(String secret) {
            assertThatThrownBy(() -> new Tokens(secret, clock))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("EVENTSYNC_AUTH_JWT_SECRET");
            assertThatThrownBy(() -> AuthProperties.keyOf(secret))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("EVENTSYNC_AUTH_JWT_SECRET");
        }

        @Test
        void missingIsRefusedNamingTheEnvironmentVariable() {
            assertRefusedNamingTheEnvironmentVariable(null);
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"", "   "})
        void blankIsRefusedNamingTheEnvironmentVariable(String secret) {
            assertRefusedNamingTheEnvironmentVariable(secret);
        }

        @Test
        void shorterThan32BytesIsRefusedNamingTheEnvironmentVariableWithoutEchoingIt() {
            String secret = "x".repeat(31);
            assertRefusedNamingTheEnvironmentVariable(secret);
            assertThatThrownBy(() -> new Tokens(secret, clock)).hasMessageNotContaining(secret);
        }

        @Test
        void of32BytesIsAccepted() {
            assertThatCode(() -> new Tokens("x".repeat(32), clock)).doesNotThrowAnyException();
        }

        @Test
        void isMeasuredInUtf8BytesNotCharacters() {
            assertThat(AuthProperties.keyOf("é".repeat(16))).hasSize(32); // 16 chars, 32 bytes
            assertRefusedNamingTheEnvironmentVariable("é".repeat(15) + "x"); // 16 chars, 31 bytes
        }

        @Test
        void isNotShownByTheConfigurationPropertiesToString() {
            assertThat(new AuthProperties(SECRET, null, null, null, null, null, false).toString()).doesNotContain(SECRET);
        }

        @Test
        void tooShortCannotMintATokenEither() {
            assertThatThrownBy(() -> Tokens.mint("x".repeat(31), UUID.randomUUID(), Duration.ofMinutes(1), NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("EVENTSYNC_AUTH_JWT_SECRET");
        }
    }

    @Nested
    class TheTokenCommand {

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        int run(String... args) {
            return TokenCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        }

        /** The secret the command signs with: the environment's, else the development secret. */
        String signingSecret() {
            String secret = System.getenv("EVENTSYNC_AUTH_JWT_SECRET");
            return secret == null || secret.isEmpty() ? AuthProperties.DEVELOPMENT_JWT_SECRET : secret;
        }

        String printed() {
            return out.toString(StandardCharsets.UTF_8).trim();
        }

        @Test
        void printsATokenThatVerifiesForTheGivenUser() throws Exception {
            assertThat(run(user.toString())).isZero();

            Tokens verifier = new Tokens(signingSecret(), Clock.systemUTC());
            assertThat(verifier.verify("Bearer " + printed())).isEqualTo(new Caller(user));
        }

        @Test
        void theTokenExpiresAfterTheRequestedTtl() throws Exception {
            assertThat(run(user.toString(), "--ttl=30m")).isZero();

            JWTClaimsSet claims = SignedJWT.parse(printed()).getJWTClaimsSet();
            assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                    .isEqualTo(Duration.ofMinutes(30));
        }

        @Test
        void theTokenHasNoExpiryWithTtlNone() throws Exception {
            assertThat(run(user.toString(), "--ttl=none")).isZero();

            assertThat(SignedJWT.parse(printed()).getJWTClaimsSet().getExpirationTime()).isNull();
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"not-a-uuid", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "00000000-0000-0000-0000-000000000000",
                "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"})
        void rejectsAMalformedUserUuidWithExitCode2AndPrintsNoToken(String uuid) {
            assertThat(run(uuid)).isEqualTo(2);

            assertThat(printed()).isEmpty();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(uuid);
        }

        @Test
        void rejectsAMalformedTtlWithExitCode2() {
            assertThat(run(user.toString(), "--ttl=soon")).isEqualTo(2);
            assertThat(printed()).isEmpty();
        }
    }
}
