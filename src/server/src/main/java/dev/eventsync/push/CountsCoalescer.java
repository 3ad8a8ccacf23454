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
 *
 * <p>What it holds is only in memory, so it also says from which log position it holds something
 * ({@link #heldFrom}): the notifier never stores its position past a marker whose notification is
 * still held, and a successor reading the log again from there finds that marker again.
 */
final class CountsCoalescer {

    private final Duration interval;
    private final Map<UUID, Instant> lastSent = new HashMap<>();
    private final Map<UUID, Held> due = new HashMap<>();

    /** A held notification: when it is due, and the log position of the oldest marker it stands for. */
    private record Held(Instant at, long position) {}

    CountsCoalescer(Duration interval) {
        this.interval = interval;
    }

    /** The user's read marker moved at {@code now}, by the event at this log position. */
    void markerMoved(UUID user, long position, Instant now) {
        if (due.containsKey(user)) {
            return; // one is held already: it will carry the latest count
        }
        Instant last = lastSent.get(user);
        due.put(user, new Held(last == null || !now.isBefore(last.plus(interval)) ? now : last.plus(interval), position));
    }

    /** The log position of the oldest marker whose notification is not taken yet (null: none). */
    Long heldFrom() {
        return due.values().stream().map(Held::position).min(Long::compareTo).orElse(null);
    }

    /** Forgets what is held (the log is read again from the stored position, which finds those markers again). */
    void forgetHeld() {
        due.clear();
    }

    /** The users whose counts-only notification is due at {@code now}; they count as sent now. */
    List<UUID> takeDue(Instant now) {
        List<UUID> users = new ArrayList<>();
        due.entrySet().removeIf(entry -> {
            if (entry.getValue().at().isAfter(now)) {
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
        return due.values().stream().map(Held::at).min(Instant::compareTo).orElse(null);
    }
}
