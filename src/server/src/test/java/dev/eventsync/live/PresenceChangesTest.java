package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Presence changes are coalesced per user: a burst is one publication, after the interval, of the latest state. */
class PresenceChangesTest {

    static final Duration INTERVAL = Duration.ofMillis(250);

    final List<Duration> delays = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();
    final List<UUID> published = new ArrayList<>();
    final PresenceChanges changes = new PresenceChanges(INTERVAL, (delay, task) -> {
        delays.add(delay);
        tasks.add(task);
    }, published::add);

    @Test
    void aBurstOfChangesOfOneUserIsPublishedOnceAfterTheInterval() {
        UUID phone = UUID.randomUUID();
        for (int i = 0; i < 40; i++) { // a phone flapping: connected, disconnected, …
            changes.changed(phone);
        }

        assertThat(published).as("nothing published before the interval").isEmpty();
        assertThat(delays).containsExactly(INTERVAL);
        run(0);
        assertThat(published).containsExactly(phone);
    }

    @Test
    void aChangeAfterAPublicationStartedIsPublishedAgainOneIntervalLater() {
        UUID user = UUID.randomUUID();
        changes.changed(user);
        run(0);
        changes.changed(user);
        changes.changed(user);

        assertThat(tasks).hasSize(2);
        assertThat(published).containsExactly(user);
        run(1);
        assertThat(published).containsExactly(user, user);
    }

    @Test
    void eachUserIsCoalescedOnItsOwn() {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        changes.changed(alice);
        changes.changed(bob);
        changes.changed(alice);

        assertThat(tasks).hasSize(2);
        run(0);
        run(1);
        assertThat(published).containsExactly(alice, bob);
    }

    void run(int task) {
        tasks.get(task).run();
    }
}
