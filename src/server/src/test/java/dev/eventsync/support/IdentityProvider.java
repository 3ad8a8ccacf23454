package dev.eventsync.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OIDC identity provider in the test JVM (the JDK's HttpServer on 127.0.0.1): a discovery
 * document at {@code <issuer>/.well-known/openid-configuration} naming its JWK set, the JWK set,
 * and tokens signed with its keys (RS256, ES256, EdDSA). Keys can be added and removed (rotation)
 * and the server started late or stopped (the provider unreachable).
 */
public final class IdentityProvider implements AutoCloseable {

    public static final String AUDIENCE = "eventsync";
    private static final String REALM = "/realms/chat";
    private static final String CERTS = REALM + "/protocol/openid-connect/certs";

    public enum Kind { RSA, EC, ED25519 }

    /** A published key and how to sign with it. */
    private record Key(JWK publicJwk, JWSAlgorithm algorithm, Object signingKey) {}

    private final int port;
    private final Map<String, Key> keys = new ConcurrentHashMap<>();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private final AtomicInteger discoveryFetches = new AtomicInteger();
    private HttpServer http;

    private IdentityProvider(int port) {
        this.port = port;
    }

    /** A provider on a free port, not started: nothing answers there until {@link #start()}. */
    public static IdentityProvider onFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new IdentityProvider(socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A provider on a free port, answering. */
    public static IdentityProvider started() {
        return onFreePort().start();
    }

    public synchronized IdentityProvider start() {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext(REALM + "/.well-known/openid-configuration", exchange -> {
            discoveryFetches.incrementAndGet();
            respond(exchange, "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwkSetUri() + "\"}");
        });
        http.createContext(CERTS, exchange -> {
            keyFetches.incrementAndGet();
            List<JWK> published = keys.values().stream().map(Key::publicJwk).toList();
            respond(exchange, new JWKSet(published).toString(true));
        });
        http.start();
        return this;
    }

    /** Nothing answers on the port any more (connection refused). */
    public synchronized void stop() {
        if (http != null) {
            http.stop(0);
            http = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void respond(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Keycloak's shape: the issuer is the realm's URL, its discovery document under it. */
    public String issuer() {
        return "http://127.0.0.1:" + port + REALM;
    }

    public String jwkSetUri() {
        return "http://127.0.0.1:" + port + CERTS;
    }

    /** Times the JWK set was served. */
    public int keyFetches() {
        return keyFetches.get();
    }

    public int discoveryFetches() {
        return discoveryFetches.get();
    }

    /** Publishes a new key of this kind under this kid. */
    public IdentityProvider addKey(Kind kind, String kid) {
        try {
            keys.put(kid, switch (kind) {
                case RSA -> {
                    RSAKey rsa = new RSAKeyGenerator(2048).keyID(kid).generate();
                    yield new Key(rsa.toPublicJWK(), JWSAlgorithm.RS256, rsa);
                }
                case EC -> {
                    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
                    yield new Key(ec.toPublicJWK(), JWSAlgorithm.ES256, ec);
                }
                case ED25519 -> {
                    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                    byte[] encoded = pair.getPublic().getEncoded(); // X.509: the raw key is the last 32 bytes
                    byte[] x = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
                    yield new Key(new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build(),
                            JWSAlgorithm.EdDSA, pair.getPrivate());
                }
            });
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public void removeKey(String kid) {
        keys.remove(kid);
    }

    /** Claims as this provider issues them: its iss, aud {@link #AUDIENCE}, this sub, an hour to live. */
    public JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(AUDIENCE).subject(subject)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    }

    /** A token signed with the key of this kid, naming it in its header. */
    public String token(String kid, JWTClaimsSet claims) {
        return sign(kid, claims, true);
    }

    /** A token signed with the key of this kid, with no kid in its header. */
    public String tokenWithoutKid(String kid, JWTClaimsSet claims) {
        return sign(kid, claims, false);
    }

    private String sign(String kid, JWTClaimsSet claims, boolean namingTheKey) {
        Key key = keys.get(kid);
        JWSHeader.Builder header = new JWSHeader.Builder(key.algorithm());
        if (namingTheKey) {
            header.keyID(kid);
        }
        try {
            if (key.signingKey() instanceof PrivateKey ed25519) {
                // nimbus's Ed25519Signer needs Google Tink; the JDK signs Ed25519 itself.
                JWSHeader built = header.build();
                String signingInput = built.toBase64URL() + "." + Base64URL.encode(claims.toString());
                Signature signature = Signature.getInstance("Ed25519");
                signature.initSign(ed25519);
                signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                return signingInput + "." + Base64URL.encode(signature.sign());
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(key.signingKey() instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key.signingKey()));
            return jwt.serialize();
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
