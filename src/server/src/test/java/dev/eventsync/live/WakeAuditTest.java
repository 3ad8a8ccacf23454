package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.live.WakeSpreaderTest.CountingStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The safety poll wakes every stream only when a commit was not announced by a wake-up before
 * the next poll: the rule alone, then through the hub with streams that count their wake-ups.
 */
class WakeAuditTest {

    final WakeAudit audit = new WakeAudit();

    @Test
    void commitsAnnouncedBeforeTheNextPollNeedNoWakeAll() {
        assertThat(audit.wakeAllNeeded(10, 10)).isFalse();
        assertThat(audit.wakeAllNeeded(25, 12)).as("25 committed but not announced yet: its wake-up may be in flight").isFalse();
        assertThat(audit.wakeAllNeeded(40, 25)).as("everything committed at the previous poll was announced").isFalse();
        assertThat(audit.wakeAllNeeded(40, 40)).isFalse();
    }

    @Test
    void aCommitStillNotCoveredAtTheNextPollIsALostWakeUp() {
        assertThat(audit.wakeAllNeeded(10, 10)).isFalse();
        assertThat(audit.wakeAllNeeded(11, 10)).isFalse();
        assertThat(audit.wakeAllNeeded(11, 10)).as("position 11 was committed a poll ago and never announced").isTrue();
        assertThat(audit.wakeAllNeeded(11, 11)).as("covered by the wake of every stream").isFalse();
        assertThat(audit.wakeAllNeeded(13, 11)).isFalse();
        assertThat(audit.wakeAllNeeded(13, 12)).as("12 announced, 13 not: a second lost wake-up").isTrue();
    }

    @Test
    void theFirstPollDecidesNothing() {
        assertThat(audit.wakeAllNeeded(500, 0)).as("no earlier head to compare: the listener woke everyone when it started")
                .isFalse();
        assertThat(audit.wakeAllNeeded(500, 0)).isTrue();
    }

    @Nested
    class ThroughTheHub {

        final LiveHub hub = new LiveHub(new WakeSpreader(Duration.ZERO, (delay, task) -> task.run()));
        final List<CountingStream> streams = new ArrayList<>();

        ThroughTheHub() {
            for (int i = 0; i < 100; i++) {
                CountingStream stream = new CountingStream(UUID.randomUUID());
                hub.register(stream);
                streams.add(stream);
            }
        }

        @Test
        void announcedCommitsCostNoStreamARead() {
            announce(7, streams.get(0).user());
            hub.safetyPoll(7);
            announce(9, streams.get(1).user());
            hub.safetyPoll(9);
            hub.safetyPoll(9);

            assertThat(streams).extracting(s -> s.wakes().get()).as("only the users the wake-ups named")
                    .containsOnly(0, 1).filteredOn(wakes -> wakes == 1).hasSize(2);
            assertThat(hub.lostWakeups()).isZero();
        }

        @Test
        void aLostWakeUpWakesEveryStreamAndIsCounted() {
            announce(7, streams.get(0).user());
            hub.safetyPoll(8); // position 8 was committed; its wake-up never comes
            hub.safetyPoll(8);

            assertThat(hub.lostWakeups()).isEqualTo(1);
            assertThat(streams.subList(1, streams.size())).allSatisfy(s -> assertThat(s.wakes().get()).isEqualTo(1));

            hub.safetyPoll(8);
            assertThat(hub.lostWakeups()).as("the wake of every stream covered position 8: once").isEqualTo(1);
        }

        @Test
        void aStreamThatAWakeUpReachedButThatNeverReadIsWokenAloneAgain() {
            announce(7, streams.get(0).user());
            streams.get(3).lagging().set(true); // a wake-up lost inside the stream
            hub.safetyPoll(7);

            assertThat(streams.get(3).wakes().get()).isEqualTo(1);
            assertThat(streams).extracting(s -> s.wakes().get()).filteredOn(wakes -> wakes > 0).hasSize(2);
            assertThat(hub.streamsRewoken()).isEqualTo(1);
            assertThat(hub.lostWakeups()).isZero();
        }

        @Test
        void whatWasCommittedBeforeTheListenerStartedIsCoveredByItsWakeOfEveryStream() {
            hub.listening(40);
            assertThat(streams).allSatisfy(s -> assertThat(s.wakes().get()).isEqualTo(1));

            hub.safetyPoll(40);
            hub.safetyPoll(40);
            assertThat(hub.lostWakeups()).isZero();
        }

        @Test
        void aWakeUpWithoutAPositionAnnouncesNothing() {
            hub.dispatch(Notifications.parse("W 0 " + streams.get(0).user())); // an older server's format
            hub.safetyPoll(3);
            hub.safetyPoll(3);

            assertThat(hub.lostWakeups()).isEqualTo(1);
        }

        void announce(long position, UUID user) {
            hub.dispatch(Notifications.parse(Notifications.wake(List.of(user), 0).at(position)));
        }
    }
}
