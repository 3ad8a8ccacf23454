package dev.eventsync.push;

import java.time.Duration;
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
 * @param failover         how soon another instance takes the notifier over from a dead holder
 *                         (API.md: 30 s); the others try the notifier's lock every third of it
 * @param retryFor         how long a notification is retried before it is given up (API.md: 1 h)
 * @param initialBackoff   the first retry's delay, doubling after each failure (API.md: 1 s)
 * @param maxBackoff       the longest delay between two attempts (API.md: 5 min)
 * @param connectTimeout   connecting to a gateway
 * @param requestTimeout   a gateway's answer, from the request sent (a timeout is retried)
 * @param maxConcurrentPerGateway requests in flight to one gateway URL at most
 * @param safetyPoll       the log is read at least this often, whether or not a NOTIFY arrived
 * @param countsInterval   a user's counts-only notifications (read marker moved) at most one per
 *                         this interval, the latest count winning (API.md: 2 s)
 */
@ConfigurationProperties("eventsync.push")
public record PushProperties(
        @DefaultValue List<String> allowedGateways,
        @DefaultValue("20") int maxPushersPerUser,
        @DefaultValue("30s") Duration failover,
        @DefaultValue("1h") Duration retryFor,
        @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("8") int maxConcurrentPerGateway,
        @DefaultValue("5s") Duration safetyPoll,
        @DefaultValue("2s") Duration countsInterval) {

    public PushProperties {
        allowedGateways = List.copyOf(allowedGateways);
        if (maxPushersPerUser < 1) {
            throw new IllegalArgumentException("eventsync.push.max-pushers-per-user must be at least 1, is " + maxPushersPerUser);
        }
        if (maxConcurrentPerGateway < 1) {
            throw new IllegalArgumentException("eventsync.push.max-concurrent-per-gateway must be at least 1, is " + maxConcurrentPerGateway);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("eventsync.push.initial-backoff must be positive and at most eventsync.push.max-backoff");
        }
    }

}
