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
        counts.markerMoved(bob, t0);
        assertThat(counts.takeDue(t0)).containsExactly(bob);
        counts.markerMoved(bob, t0.plusMillis(100));
        counts.markerMoved(bob, t0.plusMillis(200));
        assertThat(counts.nextDue()).isEqualTo(t0.plusSeconds(2));
        assertThat(counts.takeDue(t0.plusMillis(1999))).isEmpty();
        assertThat(counts.takeDue(t0.plusSeconds(2))).as("one for both markers").containsExactly(bob);
        assertThat(counts.takeDue(t0.plusSeconds(10))).isEmpty();
        assertThat(counts.nextDue()).isNull();
    }

    @Test
    void usersAreCoalescedApartAndAMarkerAfterTheIntervalGoesAtOnce() {
        counts.markerMoved(bob, t0);
        counts.markerMoved(carol, t0);
        assertThat(counts.takeDue(t0)).containsExactlyInAnyOrder(bob, carol);
        counts.markerMoved(bob, t0.plusSeconds(3));
        assertThat(counts.takeDue(t0.plusSeconds(3))).containsExactly(bob);
    }
}
