package dev.eventsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-user limits on a clock the test moves. */
class RateLimitsTest {

    final AtomicLong now = new AtomicLong(1_000);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RateLimits limits = new RateLimits(RateLimitProperties.defaults(), now::get, meters);
    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    @Test
    void aUserOverTheLimitIsRefusedWithTheWaitAndOtherUsersAreNot() {
        limits.chargeSyncEvents(alice, 500);
        RateLimited refused = catchThrowableOfType(RateLimited.class, () -> limits.chargeSyncEvents(alice, 100));
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(refused.getMessage()).contains("50 events per second", "500", "eventsync.rate-limit.sync-events-*",
                "nothing of this call was done", "retry in 2.000 s");
        assertThat(refused.getStackTrace()).as("expected, so cheap").isEmpty();
        limits.chargeSyncEvents(bob, 500);
        limits.chargeStreamOpen(alice); // the other limit is its own bucket

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        limits.chargeSyncEvents(alice, 100);
        assertThat(meters.counter("eventsync.rate.limited", "limit", "sync-events").count()).isEqualTo(1);
    }

    @Test
    void streamOpensAreLimitedPerUser() {
        for (int i = 0; i < 30; i++) {
            limits.chargeStreamOpen(alice);
        }
        assertThatThrownBy(() -> limits.chargeStreamOpen(alice)).isInstanceOf(RateLimited.class)
                .hasMessageContaining("1 SyncFromServer calls per second");
        limits.chargeStreamOpen(bob);
        assertThat(meters.counter("eventsync.rate.limited", "limit", "stream-opens").count()).isEqualTo(1);
    }

    @Test
    void bucketsOfIdleUsersAreForgottenAndForgettingChangesNoAnswer() {
        for (int i = 0; i < 1000; i++) {
            limits.chargeStreamOpen(UUID.randomUUID());
        }
        limits.chargeSyncEvents(alice, 500);
        assertThat(limits.trackedUsers()).isEqualTo(1001);

        // 60 s on: every stream bucket has refilled (30 s), alice's sync bucket too (10 s).
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        limits.chargeSyncEvents(bob, 500);
        assertThat(limits.trackedUsers()).as("only bob, charged just now").isEqualTo(1);
        limits.chargeSyncEvents(alice, 500);
        assertThatThrownBy(() -> limits.chargeSyncEvents(alice, 1)).isInstanceOf(RateLimited.class);
    }

    @Test
    void aBusyUserIsNotForgotten() {
        limits.chargeSyncEvents(alice, 500);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        limits.chargeSyncEvents(alice, 500);
        now.addAndGet(Duration.ofSeconds(1).toNanos()); // 50 tokens back
        limits.chargeSyncEvents(alice, 50);
        assertThatThrownBy(() -> limits.chargeSyncEvents(alice, 1)).isInstanceOf(RateLimited.class);
    }

    @Test
    void invalidSettingsStopStartupWithTheirName() {
        assertThatThrownBy(() -> new RateLimitProperties(0, 500, 1, 30, Duration.ofSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventsync.rate-limit");
        assertThatThrownBy(() -> new RateLimitProperties(50, 500, 1, 0, Duration.ofSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
