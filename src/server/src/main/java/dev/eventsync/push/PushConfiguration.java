package dev.eventsync.push;

import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Push is plain Java; this wires it with the configured allowlist and limit. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PushProperties.class)
class PushConfiguration {

    @Bean
    PusherRules pusherRules(PushProperties properties) {
        return new PusherRules(new GatewayAllowlist(properties.allowedGateways()));
    }

    @Bean
    Pushers pushers(DataSource dataSource, PushProperties properties) {
        return new Pushers(dataSource, properties.maxPushersPerUser());
    }
}
