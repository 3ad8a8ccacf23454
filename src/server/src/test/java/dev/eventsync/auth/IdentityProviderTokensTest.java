package dev.eventsync.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.support.IdentityProvider;
import dev.eventsync.support.IdentityProvider.Kind;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * API.md, Tokens from an identity provider: tokens signed by a key of a JWK set served over HTTP
 * by an in-test provider, with rotation, the iss/aud rules, the user claim and derived uuids.
 */
class IdentityProviderTokensTest {

    /** A clock the test moves (the refetch rate limit is a minute). */
    static final class MovingClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    final MovingClock clock = new MovingClock();
    final IdentityProvider idp = IdentityProvider.started().addKey(Kind.RSA, "rsa-1");
    final UUID user = UUID.randomUUID();

    @AfterEach
    void stop() {
        idp.close();
    }

    /** Keycloak's configuration: the issuer-uri (discovery) and an audience; no shared secret. */
    Tokens keycloakStyle() {
        return tokens(new Tokens.Rules(null, idp.issuer(), IdentityProvider.AUDIENCE, null, false, true), false);
    }

    Tokens tokens(Tokens.Rules rules, boolean jwkSetUri) {
        RemoteKeys keys = jwkSetUri ? new RemoteKeys(URI.create(idp.jwkSetUri()), null, clock)
                : new RemoteKeys(null, URI.create(idp.issuer()), clock);
        return new Tokens(rules, keys, clock);
    }

    static void assertUnauthenticated(Tokens tokens, String token, String because) {
        assertThatThrownBy(() -> tokens.verify("Bearer " + token))
                .isInstanceOf(Tokens.Unauthenticated.class).hasMessageContaining(because);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aTokenSignedByAKeyOfTheSetIsAccepted(Kind kind) throws Exception {
        idp.addKey(kind, "key-" + kind);
        Tokens tokens = keycloakStyle();

        assertThat(tokens.verify("Bearer " + idp.token("key-" + kind, idp.claims(user.toString()).build())))
                .isEqualTo(new Caller(user));
        assertThat(idp.discoveryFetches()).isEqualTo(1);
        assertThat(idp.keyFetches()).isEqualTo(1);
    }

    @Test
    void theJwkSetUriWorksWithoutDiscovery() throws Exception {
        Tokens tokens = tokens(new Tokens.Rules(null, null, null, null, false, true), true);

        assertThat(tokens.verify("Bearer " + idp.token("rsa-1", idp.claims(user.toString()).build())))
                .isEqualTo(new Caller(user));
        assertThat(idp.discoveryFetches()).isZero();
    }

    @Test
    void aRotatedInKeyIsFetchedOnItsFirstTokenAtMostOnceAMinute() throws Exception {
        Tokens tokens = keycloakStyle();
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1", idp.claims(user.toString()).build()))).isEqualTo(new Caller(user));

        idp.addKey(Kind.RSA, "rsa-2");
        String rotated = idp.token("rsa-2", idp.claims(user.toString()).build());
        // Within a minute of the last successful fetch an unknown kid does not reach the provider.
        clock.advance(Duration.ofSeconds(30));
        assertUnauthenticated(tokens, rotated, "kid");
        assertUnauthenticated(tokens, idp.token("rsa-2", idp.claims(UUID.randomUUID().toString()).build()), "kid");
        assertThat(idp.keyFetches()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(tokens.verify("Bearer " + rotated)).isEqualTo(new Caller(user));
        assertThat(idp.keyFetches()).isEqualTo(2);
        assertThat(idp.discoveryFetches()).as("the jwks_uri is discovered once").isEqualTo(1);
    }

    @Test
    void aKeyRemovedFromTheSetStopsVerifyingOnceTheSetIsFiveMinutesOld() throws Exception {
        idp.addKey(Kind.EC, "ec-old");
        Tokens tokens = keycloakStyle();
        assertThat(tokens.verify("Bearer " + idp.token("ec-old", idp.claims(user.toString()).build()))).isEqualTo(new Caller(user));

        // A token not verified before (a verified one is remembered until it expires).
        String another = idp.token("ec-old", idp.claims(UUID.randomUUID().toString()).build());
        idp.removeKey("ec-old");
        clock.advance(RemoteKeys.MAX_AGE.plusSeconds(1));

        assertUnauthenticated(tokens, another, "kid");
        assertThat(idp.keyFetches()).isEqualTo(2);
    }

    @Test
    void aFiveMinuteOldSetKeepsVerifyingItsKeysWhileTheProviderIsDown() throws Exception {
        Tokens tokens = keycloakStyle();
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1", idp.claims(user.toString()).build()))).isEqualTo(new Caller(user));
        idp.stop();
        clock.advance(RemoteKeys.MAX_AGE.plusSeconds(1));

        UUID other = UUID.randomUUID();
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1", idp.claims(other.toString()).build()))).isEqualTo(new Caller(other));
        // A kid the old set lacks may be new: retry later, not a refusal.
        idp.addKey(Kind.RSA, "rsa-3");
        assertThatThrownBy(() -> tokens.verify("Bearer " + idp.token("rsa-3", idp.claims(user.toString()).build())))
                .isInstanceOf(Tokens.Unavailable.class);
    }

    @Test
    void aWrongIssuerIsRefused() {
        Tokens tokens = keycloakStyle();
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).issuer("https://evil.example/realms/chat").build()),
                "iss");
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).issuer(null).build()), "iss");
    }

    @Test
    void theConfiguredIssuerReplacesTheIssuerUri() throws Exception {
        Tokens tokens = tokens(new Tokens.Rules(null, "https://kc.example/realms/chat", null, null, false, true), false);
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).build()), "iss");
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1",
                idp.claims(user.toString()).issuer("https://kc.example/realms/chat").build()))).isEqualTo(new Caller(user));
    }

    @Test
    void aWrongOrMissingAudienceIsRefused() throws Exception {
        Tokens tokens = keycloakStyle();
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).audience("another-app").build()), "aud");
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).audience((String) null).build()), "aud");
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1",
                idp.claims(user.toString()).audience(java.util.List.of("account", IdentityProvider.AUDIENCE)).build())))
                .as("aud containing the audience").isEqualTo(new Caller(user));
    }

    @Test
    void anHs256TokenIsRefusedWhenOnlyAJwkSetIsConfiguredWithoutFetchingAnything() {
        Tokens tokens = keycloakStyle();
        String hs256 = Tokens.mint(TokensTest.SECRET, user, Duration.ofHours(1), clock.instant());
        assertUnauthenticated(tokens, hs256, "only RS256, ES256, EdDSA tokens are accepted");
        assertThat(idp.keyFetches()).isZero();
    }

    @Test
    void withASecretAsWellBothKindsAreAccepted() throws Exception {
        Tokens tokens = tokens(new Tokens.Rules(TokensTest.SECRET, null, null, null, false, true), true);
        assertThat(tokens.verify("Bearer " + Tokens.mint(TokensTest.SECRET, user, Duration.ofHours(1), clock.instant())))
                .isEqualTo(new Caller(user));
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1", idp.claims(user.toString()).build()))).isEqualTo(new Caller(user));
    }

    @Test
    void algNoneIsRefused() {
        String payload = TokensTest.base64url("{\"iss\":\"" + idp.issuer() + "\",\"aud\":\"eventsync\",\"sub\":\"" + user
                + "\",\"exp\":" + clock.instant().plusSeconds(3600).getEpochSecond() + "}");
        String header = TokensTest.base64url("{\"alg\":\"none\",\"kid\":\"rsa-1\"}");
        assertThatThrownBy(() -> keycloakStyle().verify("Bearer " + header + "." + payload + "."))
                .isInstanceOf(Tokens.Unauthenticated.class);
    }

    @Test
    void anAlgorithmOfNoConfiguredKindIsRefused() {
        // The RS256 key's kid with an ES256 signature: the key type must fit the algorithm.
        idp.addKey(Kind.EC, "ec-1");
        String es256 = idp.token("ec-1", idp.claims(user.toString()).build());
        String[] parts = es256.split("\\.");
        String forgedHeader = TokensTest.base64url("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}");
        assertUnauthenticated(keycloakStyle(), forgedHeader + "." + parts[1] + "." + parts[2], "kid");
        // An HS256-only server refuses what only a JWK set could verify.
        Tokens hs256Only = new Tokens(TokensTest.SECRET, clock);
        assertUnauthenticated(hs256Only, idp.token("rsa-1", idp.claims(user.toString()).build()), "only HS256");
    }

    @Test
    void aTokenWithoutKidIsVerifiedWithTheSetsOnlyKeyOfItsType() throws Exception {
        idp.addKey(Kind.EC, "ec-1").addKey(Kind.ED25519, "ed-1");
        Tokens tokens = keycloakStyle();
        assertThat(tokens.verify("Bearer " + idp.tokenWithoutKid("rsa-1", idp.claims(user.toString()).build())))
                .isEqualTo(new Caller(user));
        assertThat(tokens.verify("Bearer " + idp.tokenWithoutKid("ed-1", idp.claims(user.toString()).build())))
                .isEqualTo(new Caller(user));

        idp.addKey(Kind.RSA, "rsa-2");
        clock.advance(RemoteKeys.MAX_AGE.plusSeconds(1)); // the set is fetched again: two RSA keys now
        assertUnauthenticated(tokens, idp.tokenWithoutKid("rsa-2", idp.claims(user.toString()).build()),
                "the token has no kid and the identity provider's JWK set has 2 keys");
    }

    @Test
    void whileTheProviderIsUnreachableATokenIsUnavailableThenAcceptedOnceItIsUp() throws Exception {
        String token = idp.token("rsa-1", idp.claims(user.toString()).build());
        idp.stop();
        Tokens tokens = keycloakStyle();

        assertThatThrownBy(() -> tokens.verify("Bearer " + token)).isInstanceOf(Tokens.Unavailable.class)
                .hasMessageContaining(idp.issuer()).hasMessageContaining("retry");
        assertThatThrownBy(() -> tokens.verify("Bearer " + token)).isInstanceOf(Tokens.Unavailable.class);

        idp.start(); // no clock move: a failed fetch does not hold back the next
        assertThat(tokens.verify("Bearer " + token)).isEqualTo(new Caller(user));
    }

    @Test
    void theUserClaimNamesWhereTheUuidIs() throws Exception {
        Tokens tokens = tokens(new Tokens.Rules(null, null, null, "eventsync_user", false, true), true);
        assertThat(tokens.verify("Bearer " + idp.token("rsa-1",
                idp.claims("f:8c1c2b").claim("eventsync_user", user.toString()).build()))).isEqualTo(new Caller(user));
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).build()), "eventsync_user");
        assertUnauthenticated(tokens, idp.token("rsa-1", idp.claims(user.toString()).claim("eventsync_user", 42).build()),
                "eventsync_user");
    }

    @Test
    void deriveUserUuidMapsANonUuidSubjectToTheSameUuidV5OnEveryInstance() throws Exception {
        Tokens.Rules auth0 = new Tokens.Rules(null, null, null, null, true, true);
        String subject = "auth0|64f0c1e2a3b4c5d6e7f80912";
        String token = idp.token("rsa-1", idp.claims(subject).build());

        Caller first = tokens(auth0, true).verify("Bearer " + token);
        Caller second = tokens(auth0, true).verify("Bearer " + token);

        assertThat(first).isEqualTo(second).isEqualTo(new Caller(Tokens.derivedUserUuid(idp.issuer(), subject)));
        assertThat(first.userUuid().version()).isEqualTo(5);
        // Pinned: a change of namespace or of the name's spelling would give every such user a new identity.
        assertThat(Tokens.derivedUserUuid("https://tenant.auth0.com/", "auth0|abc"))
                .isEqualTo(UUID.fromString("249f4ce2-dbd0-5659-813a-fc258ee1a694"));
        // Another issuer, the same subject: another user.
        assertThat(Tokens.derivedUserUuid("https://other.auth0.com/", subject))
                .isNotEqualTo(Tokens.derivedUserUuid(idp.issuer(), subject));
        // A subject that is a canonical uuid is used as it is.
        assertThat(tokens(auth0, true).verify("Bearer " + idp.token("rsa-1", idp.claims(user.toString()).build())))
                .isEqualTo(new Caller(user));
        // Without the option a non-uuid subject is refused.
        assertUnauthenticated(tokens(new Tokens.Rules(null, null, null, null, false, true), true), token, "uuid");
    }
}
