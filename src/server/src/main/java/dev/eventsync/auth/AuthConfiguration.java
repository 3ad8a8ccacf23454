package dev.eventsync.auth;

import dev.eventsync.config.DevelopmentMode;
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

    /** Fails startup without a usable secret, except in development mode, which has a public one. */
    @Bean
    Tokens tokens(AuthProperties properties, ObjectProvider<DevelopmentMode> developmentMode) {
        String secret = properties.jwtSecret();
        if ((secret == null || secret.isEmpty()) && developmentMode.getIfAvailable() != null) {
            log.warn("DEVELOPMENT MODE: tokens are signed with the PUBLIC development secret (README);"
                    + " set EVENTSYNC_AUTH_JWT_SECRET to use your own");
            secret = AuthProperties.DEVELOPMENT_JWT_SECRET;
        }
        return new Tokens(secret, Clock.systemUTC());
    }

    /** First of all interceptors: nothing runs for an unauthenticated call. */
    @Bean
    @GlobalServerInterceptor
    @Order(Ordered.HIGHEST_PRECEDENCE)
    AuthInterceptor authInterceptor(Tokens tokens) {
        return new AuthInterceptor(tokens);
    }
}
