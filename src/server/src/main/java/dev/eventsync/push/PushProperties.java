package dev.eventsync.push;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Push ({@code eventsync.push.*}).
 *
 * @param allowedGateways  the gateway URLs users may register (API.md v1.1): an entry ending in
 *                         {@code /} allows the URLs that start with it, any other entry only
 *                         itself. Empty by default: push is off until the operator names a gateway
 * @param maxPushersPerUser a user's pushers at most (one per device and app); a registration
 *                         beyond it is RESOURCE_EXHAUSTED, so a client cannot make the notifier's
 *                         fan-out unbounded
 */
@ConfigurationProperties("eventsync.push")
public record PushProperties(
        @DefaultValue List<String> allowedGateways,
        @DefaultValue("20") int maxPushersPerUser) {

    public PushProperties {
        allowedGateways = List.copyOf(allowedGateways);
        if (maxPushersPerUser < 1) {
            throw new IllegalArgumentException("eventsync.push.max-pushers-per-user must be at least 1, is " + maxPushersPerUser);
        }
    }
}
