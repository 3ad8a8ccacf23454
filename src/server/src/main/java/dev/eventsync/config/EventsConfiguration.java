package dev.eventsync.config;

import dev.eventsync.events.Decider;
import dev.eventsync.events.Limits;
import dev.eventsync.events.Submissions;
import dev.eventsync.feed.FeedProperties;
import dev.eventsync.live.LiveProperties;
import dev.eventsync.store.StoreProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The rules are plain Java; this wires them with the configured limits. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({Limits.class, StoreProperties.class, FeedProperties.class, LiveProperties.class})
class EventsConfiguration {

    @Bean
    Submissions submissions(Limits limits) {
        return new Submissions(limits);
    }

    @Bean
    Decider decider(Limits limits) {
        return new Decider(limits);
    }
}
