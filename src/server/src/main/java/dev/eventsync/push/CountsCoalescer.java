package dev.eventsync.push;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * At most one counts-only notification per user per interval (API.md: 2 s), the latest count
 * winning: a read marker that moves within the interval of the last one sent is held until the
 * interval ends, and the count is read then. Pure (the caller gives the time); used by one thread.
 */
final class CountsCoalescer {

    private final Duration interval;
    private final Map<UUID, Instant> lastSent = new HashMap<>();
    private final Map<UUID, Instant> due = new HashMap<>();

    CountsCoalescer(Duration interval) {
        this.interval = interval;
    }

    /** The user's read marker moved at {@code now}. */
    void markerMoved(UUID user, Instant now) {
        if (due.containsKey(user)) {
            return; // one is held already: it will carry the latest count
        }
        Instant last = lastSent.get(user);
        due.put(user, last == null || !now.isBefore(last.plus(interval)) ? now : last.plus(interval));
    }

    /** The users whose counts-only notification is due at {@code now}; they count as sent now. */
    List<UUID> takeDue(Instant now) {
        List<UUID> users = new ArrayList<>();
        due.entrySet().removeIf(entry -> {
            if (entry.getValue().isAfter(now)) {
                return false;
            }
            users.add(entry.getKey());
            return true;
        });
        lastSent.values().removeIf(sent -> !now.isBefore(sent.plus(interval))); // past the interval: no longer holds anything back
        users.forEach(user -> lastSent.put(user, now));
        return users;
    }

    /** When the next held one is due (null: none). */
    Instant nextDue() {
        return due.values().stream().min(Instant::compareTo).orElse(null);
    }
}
