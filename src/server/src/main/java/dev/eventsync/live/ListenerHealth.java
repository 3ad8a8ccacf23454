package dev.eventsync.live;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Health "live": down while the dedicated LISTEN connection is not up (live delivery then waits for the safety poll). */
@Component("liveHealthIndicator")
class ListenerHealth implements HealthIndicator {

    private final Listener listener;
    private final LiveHub hub;

    ListenerHealth(Listener listener, LiveHub hub) {
        this.listener = listener;
        this.hub = hub;
    }

    @Override
    public Health health() {
        Health.Builder health = listener.isListening() ? Health.up() : Health.down();
        return health.withDetail("followStreams", hub.openStreams()).build();
    }
}
