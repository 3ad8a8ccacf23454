package dev.eventsync.auth;

import dev.eventsync.config.DevelopmentMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
class AuthConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthConfiguration.class);

    /**
     * Fails startup without a usable secret or JWK set, except in development mode, which has a
     * public secret; and outside development mode refuses that public secret and tokens without
     * {@code exp} (API.md, Development mode).
     */
    @Bean
    Tokens tokens(AuthProperties properties, ObjectProvider<DevelopmentMode> developmentMode) {
        boolean development = developmentMode.getIfAvailable() != null;
        String secret = properties.jwtSecret();
        if (secret == null && development) {
            log.warn("DEVELOPMENT MODE: tokens are signed with the PUBLIC development secret (README);"
                    + " set EVENTSYNC_AUTH_JWT_SECRET to use your own");
            secret = AuthProperties.DEVELOPMENT_JWT_SECRET;
        }
        if (!development && AuthProperties.DEVELOPMENT_JWT_SECRET.equals(secret)) {
            throw new IllegalStateException("EVENTSYNC_AUTH_JWT_SECRET (eventsync.auth.jwt-secret) is the public"
                    + " development secret from the README: anyone can sign tokens with it. Only development mode (no"
                    + " spring.datasource.url) accepts it; set a random secret of your own, e.g. `openssl rand -base64 48`.");
        }
        RemoteKeys remote = null;
        if (properties.jwkSetUri() != null || properties.issuerUri() != null) {
            URI jwkSet = properties.jwkSetUri() != null ? httpUri("jwk-set-uri", properties.jwkSetUri()) : null;
            remote = new RemoteKeys(jwkSet, jwkSet == null ? httpUri("issuer-uri", properties.issuerUri()) : null,
                    Clock.systemUTC());
            log.info("tokens from the identity provider are verified with the JWK set of {} (fetched on first use)",
                    remote.source());
        }
        Tokens.Rules rules = new Tokens.Rules(secret, properties.expectedIssuer(), properties.audience(),
                properties.userClaim(), properties.deriveUserUuid(), !development);
        return new Tokens(rules, remote, Clock.systemUTC());
    }

    private static URI httpUri(String property, String value) {
        try {
            URI uri = new URI(value);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new IllegalStateException("eventsync.auth." + property + " must be an http(s) URL; got " + value);
    }

    /** First of all interceptors: nothing runs for an unauthenticated call. */
    @Bean
    @GlobalServerInterceptor
    @Order(Ordered.HIGHEST_PRECEDENCE)
    AuthInterceptor authInterceptor(Tokens tokens) {
        return new AuthInterceptor(tokens);
    }
}
