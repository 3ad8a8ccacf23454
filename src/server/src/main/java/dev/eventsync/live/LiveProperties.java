package dev.eventsync.live;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live sync tuning ({@code eventsync.live.*}).
 *
 * @param safetyPoll         this often the log head is read, and every follow stream reads its
 *                           feed if a commit of the previous poll was never announced by a
 *                           wake-up: the safety net for a lost notification, which then arrives
 *                           at most two polls late
 * @param reconnectDelay     wait before re-opening a lost LISTEN connection
 * @param heartbeat          how often an instance proves it is alive (presence)
 * @param instanceExpiry     an instance silent this long is presumed dead: its users go offline
 * @param transitoryBuffer   transitory events buffered per stream at most; more are dropped
 * @param streamShutdownTimeout on shutdown, how long streams get to end by themselves (a client
 *                           that is not reading cannot even receive its UNAVAILABLE: flow control);
 *                           after it, once no Sync call is in flight, the remaining calls are reset
 * @param presenceInterval   a user's presence is announced at most once per interval, in the
 *                           state they are in by then (a flapping connection costs one NOTIFY)
 * @param wakeSpread         waking every stream (safety poll, LISTEN reconnect) is spread over
 *                           this window, in slices, so the streams do not all read at one instant
 */
@ConfigurationProperties("eventsync.live")
public record LiveProperties(
        @DefaultValue("15s") Duration safetyPoll,
        @DefaultValue("1s") Duration reconnectDelay,
        @DefaultValue("5s") Duration heartbeat,
        @DefaultValue("20s") Duration instanceExpiry,
        @DefaultValue("256") int transitoryBuffer,
        @DefaultValue("3s") Duration streamShutdownTimeout,
        @DefaultValue("250ms") Duration presenceInterval,
        @DefaultValue("500ms") Duration wakeSpread) {

    public LiveProperties {
        if (safetyPoll.toMillis() < 1 || reconnectDelay.isNegative() || heartbeat.toMillis() < 1
                || instanceExpiry.compareTo(heartbeat.multipliedBy(2)) < 0 || transitoryBuffer < 1
                || streamShutdownTimeout.isNegative() || presenceInterval.isNegative() || wakeSpread.isNegative()) {
            throw new IllegalArgumentException("eventsync.live: durations must be positive, instance-expiry at least"
                    + " twice the heartbeat, transitory-buffer positive; got " + this);
        }
    }
}
