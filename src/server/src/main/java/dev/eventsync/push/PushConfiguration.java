package dev.eventsync.push;

import dev.eventsync.live.LiveHub;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Push is plain Java; this wires it with the configured allowlist, limits and timings. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PushProperties.class)
class PushConfiguration {

    @Bean
    GatewayAllowlist gatewayAllowlist(PushProperties properties) {
        return new GatewayAllowlist(properties.allowedGateways());
    }

    @Bean
    PusherRules pusherRules(GatewayAllowlist allowlist) {
        return new PusherRules(allowlist);
    }

    @Bean
    Pushers pushers(DataSource dataSource, PushProperties properties) {
        return new Pushers(dataSource, properties.maxPushersPerUser());
    }

    @Bean
    LogTail pushLogTail(DataSource dataSource) {
        return new LogTail(dataSource, 200);
    }

    @Bean
    Notifier notifier(PushProperties properties, DataSource dataSource, LogTail tail, Pushers pushers,
                      GatewayAllowlist allowlist, MeterRegistry meters, LiveHub hub) {
        return new Notifier(properties, new NotifierLock(dataSource), tail, new Audience(dataSource),
                new RetryQueue(dataSource), pushers, allowlist, new PushMetrics(meters), hub);
    }

    @Bean("pushHealthIndicator")
    HealthIndicator pushHealthIndicator(LogTail tail, Notifier notifier) {
        return new NotifierHealth(tail, notifier);
    }
}
