package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Waking every stream (safety poll, LISTEN reconnect) is spread over the wake window in slices:
 * observed through a {@link Later} that records what was deferred and by how much, and runs it
 * when the test says, so nothing depends on a clock.
 */
class WakeSpreaderTest {

    static final Duration WINDOW = Duration.ofMillis(500);

    record Deferred(Duration delay, Runnable task) {}

    final List<Deferred> deferred = new ArrayList<>();
    final LiveHub hub = new LiveHub(new WakeSpreader(WINDOW, (delay, task) -> deferred.add(new Deferred(delay, task))));

    @Test
    void aWakeAllOfManyStreamsWakesThemInSlicesSpreadOverTheWindowEachOnce() {
        List<CountingStream> streams = register(1000);

        hub.wakeAll();

        assertThat(woken(streams)).as("woken at once: the first slice").isEqualTo(100);
        assertThat(deferred).extracting(Deferred::delay).as("the other slices, spread over the window")
                .containsExactly(ms(50), ms(100), ms(150), ms(200), ms(250), ms(300), ms(350), ms(400), ms(450));
        for (int slice = 0; slice < deferred.size(); slice++) {
            deferred.get(slice).task().run();
            assertThat(woken(streams)).as("woken after slice %d", slice + 1).isEqualTo(100 * (slice + 2));
        }
        assertThat(streams).allSatisfy(stream -> assertThat(stream.wakes.get()).as("wake-ups of one stream").isEqualTo(1));
    }

    @Test
    void aFewStreamsAreAllWokenAtOnce() {
        List<CountingStream> streams = register(WakeSpreader.MIN_SLICE);

        hub.wakeAll();

        assertThat(woken(streams)).isEqualTo(WakeSpreader.MIN_SLICE);
        assertThat(deferred).isEmpty();
    }

    @Test
    void aWakeUpNamingItsUsersIsNotDeferred() {
        List<CountingStream> streams = register(1000);

        hub.dispatch(Notifications.parse(Notifications.wake(List.of(streams.get(7).user()), 0).at(1)));

        assertThat(streams.get(7).wakes.get()).isEqualTo(1);
        assertThat(woken(streams)).isEqualTo(1);
        assertThat(deferred).isEmpty();
    }

    List<CountingStream> register(int count) {
        List<CountingStream> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CountingStream stream = new CountingStream(UUID.randomUUID());
            hub.register(stream);
            streams.add(stream);
        }
        return streams;
    }

    static long woken(List<CountingStream> streams) {
        return streams.stream().filter(stream -> stream.wakes.get() > 0).count();
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    record CountingStream(UUID user, AtomicInteger wakes, AtomicBoolean lagging) implements LiveStream {
        CountingStream(UUID user) {
            this(user, new AtomicInteger(), new AtomicBoolean());
        }

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }

        @Override
        public void wake(long position) {
            wake();
        }

        @Override
        public boolean behind() {
            return lagging.get();
        }

        @Override
        public void offer(Event transitory) {}

        @Override
        public void shutdown() {}
    }
}
