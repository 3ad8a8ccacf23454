package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eventsync.auth.Tokens;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * API.md, Authentication, over a real port: a call without a valid token ends UNAUTHENTICATED,
 * reading and writing nothing; the standard gRPC health check needs no token.
 */
@ServerTest
class AuthenticationTest {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @LocalGrpcServerPort
    int port;

    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    /** Each way of not being authenticated, as the authorization metadata for a claimed user (null: no metadata). */
    static Stream<Arguments> badCredentials() {
        return Stream.of(
                bad("no metadata", victim -> null),
                bad("an empty value", victim -> ""),
                bad("the scheme word alone", victim -> "Bearer "),
                bad("a garbage token", victim -> "Bearer not.a.jwt"),
                bad("a valid token without the Bearer scheme", victim -> token(victim)),
                bad("a valid token under the Basic scheme", victim -> "Basic " + token(victim)),
                bad("an expired token", victim -> "Bearer "
                        + Tokens.mint(Api.SECRET, victim, Duration.ofMinutes(5), Instant.now().minus(Duration.ofHours(1)))),
                bad("a token signed with another secret", victim -> "Bearer "
                        + Tokens.mint("some-other-secret-of-at-least-32-bytes-0123456789", victim, Duration.ofHours(1), Instant.now())),
                bad("an alg none token", victim -> "Bearer " + unsigned(victim)),
                bad("an HS256 token with its signature stripped", victim -> {
                    String signed = token(victim);
                    return "Bearer " + signed.substring(0, signed.lastIndexOf('.') + 1);
                }),
                bad("an HS384 token signed with the server's secret", victim -> "Bearer " + hs384(victim)),
                bad("a token whose sub is the uppercase uuid", victim -> "Bearer "
                        + signedHs256(new JWTClaimsSet.Builder().subject(victim.toString().toUpperCase())
                                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build())),
                bad("a token without sub", victim -> "Bearer "
                        + signedHs256(new JWTClaimsSet.Builder()
                                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build())),
                // API.md v1.1: outside development mode (this server has a real datasource) exp is required.
                bad("a token without exp", victim -> "Bearer " + Tokens.mint(Api.SECRET, victim, null, Instant.now())),
                bad("a validly signed token over 8 KiB", victim -> "Bearer " + padded(victim, 9 * 1024)),
                bad("a 1 MiB token", victim -> "Bearer " + "a".repeat(1024 * 1024)));
    }

    /** A valid HS256 token for the user, padded by a claim to about this many characters. */
    static String padded(UUID user, int length) {
        String token = signedHs256(new JWTClaimsSet.Builder().subject(user.toString())
                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).claim("pad", "p".repeat(length * 3 / 4 - 200)).build());
        assertThat(token.length()).isBetween(length - 400, length);
        return token;
    }

    static Arguments bad(String name, Function<UUID, String> authorization) {
        return Arguments.of(name, authorization);
    }

    static String token(UUID user) {
        return Tokens.mint(Api.SECRET, user, Duration.ofHours(1), Instant.now());
    }

    /** {"alg":"none"} + the victim's claims + an empty signature, built by hand. */
    static String unsigned(UUID user) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"sub\":\"" + user + "\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + ".";
    }

    /** HS384 needs a 48-byte key; the test secret is shorter, so it is padded the way a sloppy client might. */
    static String hs384(UUID user) {
        try {
            byte[] secret = Api.SECRET.getBytes(StandardCharsets.UTF_8);
            byte[] key = Arrays.copyOf(secret, Math.max(48, secret.length));
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS384), new JWTClaimsSet.Builder()
                    .subject(user.toString()).expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String signedHs256(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(Api.SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertUnauthenticated(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @ParameterizedTest(name = "Sync with {0}: UNAUTHENTICATED, nothing written")
    @MethodSource("badCredentials")
    void syncIsRefusedAndWritesNothing(String name, Function<UUID, String> authorization) {
        Api.User victim = api.newUser();
        Api.User friend = api.newUser();
        String conversation = UUID.randomUUID().toString();
        Event create = Events.createConversation(conversation, "hijacked", friend.uuid());
        Event send = Events.send(conversation, "sent in the victim's name");
        Event profile = Events.displayName("pwned");
        SyncRequest request = SyncRequest.newBuilder().addEvents(create).addEvents(send).addEvents(profile).build();

        assertUnauthenticated(() -> api.stub(authorization.apply(victim.id)).sync(request));

        assertThat(victim.feed()).isEmpty();
        assertThat(friend.feed()).isEmpty();
        // Neither the event uuids nor the conversation uuid were taken: the victim can use them now.
        List<EventResult> results = victim.sync(create, send, profile).getResultsList();
        assertThat(results).allSatisfy(result -> {
            assertThat(result.hasAccepted()).as(result.toString()).isTrue();
            assertThat(result.getAccepted().getDuplicate()).isFalse();
        });
    }

    @ParameterizedTest(name = "SyncFromServer with {0}: UNAUTHENTICATED, nothing read")
    @MethodSource("badCredentials")
    void syncFromServerIsRefusedAndStreamsNothing(String name, Function<UUID, String> authorization) {
        Api.User victim = api.newUser();
        Api.User friend = api.newUser();
        assertThat(friend.submit(Events.createConversation(UUID.randomUUID().toString(), "private", victim.uuid()))
                .hasAccepted()).isTrue();
        EventServiceGrpc.EventServiceBlockingStub stub = api.stub(authorization.apply(victim.id));

        for (boolean follow : new boolean[] {false, true}) {
            var stream = stub.syncFromServer(SyncFromServerRequest.newBuilder().setFollow(follow).build());
            assertUnauthenticated(stream::hasNext);
        }
    }

    @Test
    void aValidTokenIsAcceptedWhateverTheCaseOfTheSchemeWord() {
        Api.User user = api.newUser();
        for (String scheme : new String[] {"Bearer", "bearer", "BEARER"}) {
            List<Event> events = new ArrayList<>();
            api.stub(scheme + " " + user.token).syncFromServer(SyncFromServerRequest.getDefaultInstance())
                    .forEachRemaining(events::add);
            assertThat(events).hasSize(1);
            assertThat(events.get(0).hasSyncCaughtUp()).isTrue();
        }
    }

    @Test
    void aValid7KbTokenIsAccepted() {
        Api.User user = api.newUser();
        String token = padded(user.id, 7 * 1024);
        assertThat(api.stub("Bearer " + token).sync(SyncRequest.newBuilder().addEvents(Events.displayName("seven")).build())
                .getResults(0).hasAccepted()).isTrue();
    }

    @Test
    void twoAuthorizationValuesAreRefusedWhicheverIsValid() {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        for (List<String> values : List.of(List.of("Bearer not.a.jwt", "Bearer " + alice.token),
                List.of("Bearer " + alice.token, "Bearer " + bob.token),
                List.of("Bearer " + alice.token, "Bearer " + alice.token))) {
            Metadata headers = new Metadata();
            values.forEach(value -> headers.put(AUTHORIZATION, value));
            EventServiceGrpc.EventServiceBlockingStub stub = EventServiceGrpc.newBlockingStub(api.channel())
                    .withDeadlineAfter(30, TimeUnit.SECONDS).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            assertThatThrownBy(() -> stub.sync(SyncRequest.newBuilder().addEvents(Events.displayName("twice")).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(e.getStatus().getDescription()).contains("more than one");
                    });
        }
        assertThat(alice.feed()).isEmpty();
        assertThat(bob.feed()).isEmpty();
    }

    @Test
    void theHealthServiceAnswersServingWithoutAToken() {
        // A server that has just (re)started answers NOT_SERVING until its first health update (the
        // test framework restarts a cached server when another test's context ran in between).
        await().atMost(Duration.ofSeconds(30)).until(() -> HealthGrpc.newBlockingStub(api.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING);
    }
}
