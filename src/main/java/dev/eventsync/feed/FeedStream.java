package dev.eventsync.feed;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.events.Delivery;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncCaughtUp;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One SyncFromServer call: streams the caller's feed after the cursor, page by page, as fast as
 * the client takes it (gRPC flow control: nothing is read while the transport is not ready, and
 * at most one page is buffered), then one {@code sync_caught_up}; then completes, or with
 * {@code follow} keeps reading new events as they are stored.
 *
 * <p>One drainer at a time (a StreamObserver is not thread-safe): every trigger (ready, timer)
 * schedules {@link #drain()} on the reader executor; a trigger arriving while it runs makes it
 * run once more.
 */
final class FeedStream {

    private final ServerCallStreamObserver<Event> call;
    private final FeedReader reader;
    private final FeedProperties properties;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final Function<Throwable, Throwable> errors;
    private final UUID user;
    private final boolean follow;
    /** The feed is caught up once everything up to the log head at call start was sent. */
    private final long caughtUpAt;
    private final AtomicInteger pending = new AtomicInteger();
    private final ArrayDeque<FeedReader.Entry> page = new ArrayDeque<>();

    // Owned by the drainer.
    private long position;
    private String lastEventUuid;
    private boolean caughtUp;
    private boolean pageReachedHead;
    private boolean finished;

    FeedStream(ServerCallStreamObserver<Event> call, FeedReader reader, FeedProperties properties, Executor executor,
               ScheduledExecutorService timer, Function<Throwable, Throwable> errors, UUID user, boolean follow,
               long position, String cursor, long caughtUpAt) {
        this.call = call;
        this.reader = reader;
        this.properties = properties;
        this.executor = executor;
        this.timer = timer;
        this.errors = errors;
        this.user = user;
        this.follow = follow;
        this.position = position;
        this.lastEventUuid = cursor;
        this.caughtUpAt = caughtUpAt;
    }

    /** Must be called from the service method, before it returns (handlers are set there). */
    void start() {
        call.setOnReadyHandler(this::schedule);
        call.setOnCancelHandler(() -> { }); // cancellation is read from call.isCancelled()
        schedule();
    }

    void schedule() {
        if (pending.getAndIncrement() == 0) {
            executor.execute(this::runDrains);
        }
    }

    private void runDrains() {
        int missed = 1;
        do {
            try {
                drain();
            } catch (RuntimeException | InvalidProtocolBufferException e) {
                finish(e);
            }
            missed = pending.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drain() throws InvalidProtocolBufferException {
        while (!finished && !call.isCancelled() && call.isReady()) {
            if (page.isEmpty()) {
                if (caughtUp || !pageReachedHead) {
                    List<FeedReader.Entry> next = reader.pageAfter(user, position, properties.pageRows(),
                            properties.pageBytes().toBytes());
                    page.addAll(next);
                    pageReachedHead = next.isEmpty() || next.get(next.size() - 1).position() >= caughtUpAt;
                }
                if (page.isEmpty()) {
                    if (!caughtUp) {
                        caughtUp = true;
                        call.onNext(caughtUpEvent());
                        if (!follow) {
                            finish(null);
                            return;
                        }
                        continue;
                    }
                    // Following and nothing new: look again later.
                    timer.schedule(this::schedule, properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
            FeedReader.Entry entry = page.poll();
            Event event = Event.parseFrom(entry.body());
            call.onNext(event);
            position = entry.position();
            lastEventUuid = event.getUuid();
        }
        if (call.isCancelled()) {
            finished = true;
            page.clear();
        }
    }

    private Event caughtUpEvent() {
        return Event.newBuilder()
                .setSyncCaughtUp(SyncCaughtUp.newBuilder().setLastEventUuid(lastEventUuid))
                .setOccurredAt(Delivery.timestamp(Instant.now()))
                .build();
    }

    private void finish(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        page.clear();
        if (call.isCancelled()) {
            return;
        }
        if (error == null) {
            call.onCompleted();
        } else {
            call.onError(errors.apply(error));
        }
    }
}
