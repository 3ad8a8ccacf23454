package dev.eventsync.live;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Coalesces the presence changes of each user: the first change of a user schedules one
 * publication after the interval, and changes until then join it. The publication reads the
 * user's state when it runs, so a burst (a phone flapping between networks, many streams of one
 * user opening and closing) costs at most one NOTIFY per user per interval, of the latest state,
 * and none when the user ends as they were. A change arriving while a publication runs schedules
 * the next one, so the latest state is always published.
 */
final class PresenceChanges {

    private final Duration interval;
    private final Later later;
    private final Consumer<UUID> publish;
    private final Set<UUID> pending = ConcurrentHashMap.newKeySet();

    PresenceChanges(Duration interval, Later later, Consumer<UUID> publish) {
        this.interval = interval;
        this.later = later;
        this.publish = publish;
    }

    /** The user's presence on this instance may have changed. */
    void changed(UUID user) {
        if (pending.add(user)) {
            later.after(interval, () -> {
                pending.remove(user); // before reading the state: a change from now on publishes again
                publish.accept(user);
            });
        }
    }
}
