package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.live.LiveHub;
import dev.eventsync.live.LiveProperties;
import dev.eventsync.live.LiveStream;
import dev.eventsync.live.Presence;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.ServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A follow stream is registered for wake-ups only once its handlers are set: a wake-up arriving
 * at the very moment of registration finds a stream that can be drained, and is not lost.
 */
@ServerTest
class FeedStreamRegistrationTest {

    @Autowired
    FeedReader reader;
    @Autowired
    FeedProperties properties;
    @Autowired
    LiveProperties live;
    @Autowired
    Presence presence;

    @Test
    void aWakeUpArrivingAtRegistrationFindsTheHandlersSetAndIsServed() throws Exception {
        AtomicReference<FakeCall> call = new AtomicReference<>(new FakeCall(Long.MAX_VALUE));
        AtomicReference<String> atRegistration = new AtomicReference<>();
        LiveHub hub = new LiveHub(live) {
            @Override
            public boolean register(LiveStream stream) {
                FakeCall registered = call.get();
                atRegistration.set("ready handler " + (registered.onReady != null)
                        + ", cancel handler " + (registered.onCancel != null));
                boolean first = super.register(stream);
                stream.wake(); // a NOTIFY landing right now
                return first;
            }
        };
        FeedStreams feeds = new FeedStreams(reader, properties, hub, presence, live, new SimpleMeterRegistry());
        try {
            feeds.start(call.get(), UUID.randomUUID(), "", true, error -> error);

            assertThat(atRegistration.get()).isEqualTo("ready handler true, cancel handler true");
            await().atMost(Duration.ofSeconds(10)).until(() -> !call.get().ofKind(Event.ContentCase.SYNC_CAUGHT_UP).isEmpty());
            assertThat(call.get().error).isNull();
            call.get().cancel();
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.openStreams() == 0);
        } finally {
            feeds.destroy();
            hub.destroy();
        }
    }
}
