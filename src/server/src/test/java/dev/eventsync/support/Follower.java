package dev.eventsync.support;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An open SyncFromServer(follow = true) stream that collects everything it receives. */
public final class Follower implements ClientResponseObserver<SyncFromServerRequest, Event> {

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile ClientCallStreamObserver<SyncFromServerRequest> call;
    private volatile Status ended;

    public static Follower follow(Api.User user, String after) {
        Follower follower = new Follower();
        user.asyncStub().syncFromServer(
                SyncFromServerRequest.newBuilder().setAfterEventUuid(after).setFollow(true).build(), follower);
        return follower;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> requestStream) {
        this.call = requestStream;
    }

    @Override
    public void onNext(Event event) {
        events.add(event);
    }

    @Override
    public void onError(Throwable error) {
        ended = Status.fromThrowable(error);
    }

    @Override
    public void onCompleted() {
        ended = Status.OK;
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The uuids of the stored events received (transitory ones and sync_caught_up left out). */
    public List<String> storedUuids() {
        return events.stream().filter(e -> !e.getUuid().isEmpty()).map(Event::getUuid).toList();
    }

    public boolean caughtUp() {
        return events.stream().anyMatch(Event::hasSyncCaughtUp);
    }

    public List<Event> ofKind(Event.ContentCase kind) {
        return events.stream().filter(e -> e.getContentCase() == kind).toList();
    }

    /** The status the stream ended with, or null while it is open. */
    public Status ended() {
        return ended;
    }

    public void cancel() {
        call.cancel("test done", null);
    }
}
