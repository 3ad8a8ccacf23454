package dev.eventsync.api;

import dev.eventsync.live.LiveProperties;
import io.grpc.Server;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;
import org.springframework.stereotype.Component;

/**
 * The end of a shutdown. Follow streams are told to end with UNAVAILABLE when it begins
 * (FeedStreams), but a stream whose client stopped reading cannot even receive its status: it
 * waits behind the data the client's flow-control window holds back, and would keep the server
 * for the whole grace period. After {@code eventsync.live.stream-shutdown-timeout}, and once no
 * Sync call is in flight (those are always answered), the calls that are left are reset.
 */
@Component
class GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final LiveProperties live;
    private final AtomicInteger syncsInFlight = new AtomicInteger();

    GracefulShutdown(LiveProperties live) {
        this.live = live;
    }

    void syncStarted() {
        syncsInFlight.incrementAndGet();
    }

    void syncEnded() {
        syncsInFlight.decrementAndGet();
    }

    @EventListener(GrpcServerShutdownEvent.class)
    public void onShutdown(GrpcServerShutdownEvent event) {
        Server server = event.getServer();
        long deadline = System.nanoTime() + live.streamShutdownTimeout().toNanos();
        Thread watchdog = new Thread(() -> {
            try {
                while (!server.awaitTermination(100, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() - deadline >= 0 && syncsInFlight.get() == 0) {
                        log.info("streams still open {} after the shutdown began (clients not reading): resetting them",
                                live.streamShutdownTimeout());
                        server.shutdownNow();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "eventsync-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
