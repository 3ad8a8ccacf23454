package dev.eventsync.auth;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
class AuthConfiguration {

    @Bean
    Tokens tokens(AuthProperties properties) {
        return new Tokens(properties, Clock.systemUTC());
    }

    /** First of all interceptors: nothing runs for an unauthenticated call. */
    @Bean
    @GlobalServerInterceptor
    @Order(Ordered.HIGHEST_PRECEDENCE)
    AuthInterceptor authInterceptor(Tokens tokens) {
        return new AuthInterceptor(tokens);
    }
}
