package dev.eventsync.feed;

import dev.eventsync.proto.v1.Event;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** Starts SyncFromServer streams and owns the threads that feed them. */
@Component
public class FeedStreams implements DisposableBean {

    private final FeedReader reader;
    private final FeedProperties properties;
    private final ExecutorService readers;
    private final ScheduledExecutorService timer;

    public FeedStreams(FeedReader reader, FeedProperties properties) {
        this.reader = reader;
        this.properties = properties;
        this.readers = Executors.newFixedThreadPool(properties.readerThreads(), named("eventsync-feed-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("eventsync-feed-timer-"));
    }

    /**
     * Resolves the cursor (throwing {@link dev.eventsync.events.CallRejected} for a bad one,
     * before anything is sent), then starts streaming.
     */
    public void start(ServerCallStreamObserver<Event> call, UUID user, String cursor, boolean follow,
                      Function<Throwable, Throwable> errors) {
        long position = reader.positionOf(user, cursor);
        long head = reader.head();
        new FeedStream(call, reader, properties, readers, timer, errors, user, follow, position, cursor, head).start();
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
        readers.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
