package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Counts-only notifications: at most one per user per interval, the held one sent when the interval ends. */
class CountsCoalescerTest {

    final CountsCoalescer counts = new CountsCoalescer(Duration.ofSeconds(2));
    final UUID bob = UUID.randomUUID();
    final UUID carol = UUID.randomUUID();
    final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theFirstGoesAtOnceAndTheNextWithinTheIntervalWaitsForItsEnd() {
        counts.markerMoved(bob, 10, t0);
        assertThat(counts.takeDue(t0)).containsExactly(bob);
        counts.markerMoved(bob, 20, t0.plusMillis(100));
        counts.markerMoved(bob, 30, t0.plusMillis(200));
        assertThat(counts.nextDue()).isEqualTo(t0.plusSeconds(2));
        assertThat(counts.takeDue(t0.plusMillis(1999))).isEmpty();
        assertThat(counts.takeDue(t0.plusSeconds(2))).as("one for both markers").containsExactly(bob);
        assertThat(counts.takeDue(t0.plusSeconds(10))).isEmpty();
        assertThat(counts.nextDue()).isNull();
    }

    @Test
    void usersAreCoalescedApartAndAMarkerAfterTheIntervalGoesAtOnce() {
        counts.markerMoved(bob, 40, t0);
        counts.markerMoved(carol, 50, t0);
        assertThat(counts.takeDue(t0)).containsExactlyInAnyOrder(bob, carol);
        counts.markerMoved(bob, 60, t0.plusSeconds(3));
        assertThat(counts.takeDue(t0.plusSeconds(3))).containsExactly(bob);
    }

    @Test
    void itSaysFromWhichLogPositionItHoldsSomethingSoThePositionIsNotStoredPastIt() {
        assertThat(counts.heldFrom()).isNull();
        counts.markerMoved(bob, 100, t0);
        assertThat(counts.heldFrom()).as("due at once, but not taken yet").isEqualTo(100);
        assertThat(counts.takeDue(t0)).containsExactly(bob);
        assertThat(counts.heldFrom()).isNull();
        counts.markerMoved(bob, 105, t0.plusMillis(100));
        counts.markerMoved(carol, 103, t0.plusMillis(100));
        counts.markerMoved(bob, 110, t0.plusMillis(200));
        assertThat(counts.takeDue(t0.plusMillis(100))).containsExactly(carol);
        assertThat(counts.heldFrom()).as("bob's oldest held marker, not his latest").isEqualTo(105);
        counts.forgetHeld();
        assertThat(counts.heldFrom()).isNull();
        assertThat(counts.nextDue()).isNull();
    }
}
