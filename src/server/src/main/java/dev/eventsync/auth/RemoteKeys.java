package dev.eventsync.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import dev.eventsync.auth.Tokens.Unavailable;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's JWK set (API.md, Tokens from an identity provider), fetched on first
 * need: from {@code jwk-set-uri}, or from the {@code jwks_uri} of the issuer's OIDC discovery
 * document. Nothing is fetched at startup, so the server starts while the provider is down.
 *
 * <p>Written here rather than with nimbus's {@code JWKSourceBuilder} because its rate limiter
 * counts every fetch, failed ones included, where API.md's rule is "at most one <em>successful</em>
 * fetch a minute; a failed fetch does not hold back the next". nimbus still does the HTTP (size
 * and time limits), the parsing and the key matching.
 */
final class RemoteKeys {

    private static final Logger log = LoggerFactory.getLogger(RemoteKeys.class);

    /** An unknown key refetches the set at most this often (after a successful fetch). */
    static final Duration MIN_REFETCH_INTERVAL = Duration.ofMinutes(1);
    /** A set this old is fetched again on the next use, so a key the provider removed stops working. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final int TIMEOUT_MILLIS = 3_000;
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024;

    private record Snapshot(JWKSet keys, Instant fetchedAt) {}

    private final URI jwkSetUri;
    private final URI issuerUri;
    private final Clock clock;
    private final ResourceRetriever http = new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, MAX_DOCUMENT_BYTES);
    private final Object fetching = new Object();
    private volatile Snapshot current;
    /** Fetches finished (either way); read before waiting, so waiters share the answer of the fetch they waited for. */
    private volatile long fetches;
    private volatile String lastFailure;
    /** The discovered jwks_uri, kept once found. Guarded by {@link #fetching}. */
    private URI discovered;

    /** Exactly one of the two is set: the JWK set itself, or the issuer whose discovery document names it. */
    RemoteKeys(URI jwkSetUri, URI issuerUri, Clock clock) {
        if ((jwkSetUri == null) == (issuerUri == null)) {
            throw new IllegalArgumentException("give the JWK set uri or the issuer uri");
        }
        this.jwkSetUri = jwkSetUri;
        this.issuerUri = issuerUri;
        this.clock = clock;
    }

    /** Where a JWK set comes from, for messages. */
    String source() {
        return jwkSetUri != null ? jwkSetUri.toString() : issuerUri + " (OIDC discovery)";
    }

    /**
     * The keys the matcher selects, refetching the set when it has none of them (a new
     * {@code kid} after a rotation) unless the last successful fetch is under a minute old.
     */
    List<JWK> select(JWKMatcher matcher) throws Unavailable {
        Snapshot keys = current;
        Unavailable refreshFailed = null;
        if (keys == null) {
            keys = refetch(null);
        } else if (clock.instant().isAfter(keys.fetchedAt().plus(MAX_AGE))) {
            try {
                keys = refetch(keys);
            } catch (Unavailable e) {
                refreshFailed = e;
                // The provider is down: the keys it last published still verify (an outage of the
                // provider must not log every user out); the next use tries again.
                log.warn("the JWK set from {} could not be refreshed, using the one fetched at {}: {}",
                        source(), keys.fetchedAt(), e.getMessage());
            }
        }
        List<JWK> found = new JWKSelector(matcher).select(keys.keys());
        if (found.isEmpty() && clock.instant().isAfter(keys.fetchedAt().plus(MIN_REFETCH_INTERVAL))) {
            if (refreshFailed != null) {
                throw refreshFailed; // the key may be new; the provider was just tried: retry later
            }
            found = new JWKSelector(matcher).select(refetch(keys).keys());
        }
        return found;
    }

    /** Fetches the set once for all callers waiting here; returns another caller's fresh fetch if one landed meanwhile. */
    private Snapshot refetch(Snapshot seen) throws Unavailable {
        long finishedBefore = fetches;
        synchronized (fetching) {
            Snapshot now = current;
            if (now != seen) {
                return now; // fetched while this caller waited
            }
            if (fetches != finishedBefore) {
                // A fetch failed while this caller waited: its answer is this caller's too, so a
                // provider outage costs one timeout per wave of callers, not one per caller.
                throw new Unavailable(lastFailure);
            }
            try {
                Snapshot fetched = new Snapshot(JWKSet.parse(get(jwkSetUri())), clock.instant());
                current = fetched;
                log.info("fetched the JWK set from {}: {} keys", source(), fetched.keys().getKeys().size());
                return fetched;
            } catch (IOException | ParseException | RuntimeException e) {
                lastFailure = "the identity provider's keys cannot be fetched from " + source() + " (" + e.getMessage()
                        + "); retry";
                log.warn(lastFailure);
                throw new Unavailable(lastFailure);
            } finally {
                fetches++;
            }
        }
    }

    /** The configured JWK set uri, or the discovery document's jwks_uri. Called holding {@link #fetching}. */
    private URI jwkSetUri() throws IOException, ParseException {
        if (jwkSetUri != null) {
            return jwkSetUri;
        }
        if (discovered == null) {
            String issuer = issuerUri.toString();
            URI document = URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                    + "/.well-known/openid-configuration");
            String jwksUri = JSONObjectUtils.getString(JSONObjectUtils.parse(get(document)), "jwks_uri");
            if (jwksUri == null) {
                throw new ParseException("the discovery document " + document + " has no jwks_uri", 0);
            }
            discovered = URI.create(jwksUri);
        }
        return discovered;
    }

    private String get(URI uri) throws IOException {
        URL url = uri.toURL();
        return http.retrieveResource(url).getContent();
    }
}
