package dev.eventsync.feed;

import dev.eventsync.events.StoredBodies;
import dev.eventsync.proto.v1.Event;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SyncFromServer call as a {@link FeedStream} sees it, without a transport: it takes as many
 * events as the test allows ({@link #allow}), then is not ready, as a client that stops reading.
 * What it takes is kept as the client would parse it (a stored body parsed).
 */
final class FakeCall extends ServerCallStreamObserver<FeedMessage> {

    final List<Event> sent = new CopyOnWriteArrayList<>();
    private final AtomicLong room;
    volatile Runnable onReady;
    volatile Runnable onCancel;
    volatile boolean cancelled;
    volatile boolean completed;
    volatile Throwable error;

    FakeCall(long room) {
        this.room = new AtomicLong(room);
    }

    /** The client takes {@code events} more: the transport is ready again. */
    void allow(long events) {
        room.addAndGet(events);
        onReady.run();
    }

    void cancel() {
        cancelled = true;
        onCancel.run();
    }

    List<Event> ofKind(Event.ContentCase kind) {
        return sent.stream().filter(e -> e.getContentCase() == kind).toList();
    }

    @Override
    public boolean isReady() {
        return room.get() > 0;
    }

    @Override
    public void onNext(FeedMessage message) {
        room.decrementAndGet();
        sent.add(message instanceof FeedMessage.Stored stored ? StoredBodies.parse(stored.body()) : ((FeedMessage.Built) message).event());
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {
        completed = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
        onCancel = handler;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
        onReady = handler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
}
