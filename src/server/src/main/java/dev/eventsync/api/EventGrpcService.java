package dev.eventsync.api;

import dev.eventsync.auth.Caller;
import dev.eventsync.events.Submissions;
import dev.eventsync.feed.FeedMessage;
import dev.eventsync.feed.FeedStreams;
import dev.eventsync.history.HistoryQuery;
import dev.eventsync.history.HistoryReader;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.snapshot.SnapshotQuery;
import dev.eventsync.snapshot.SnapshotStream;
import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.ratelimit.RateLimits;
import dev.eventsync.store.Appender;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Service;

/**
 * The EventService endpoints: proto in, caller from the token, rules and store decide, proto out.
 * Not the generated ImplBase: its {@code bindService()} is final, and SyncFromServer is bound here
 * with its own response marshaller.
 */
@Service
class EventGrpcService implements EventServiceGrpc.AsyncService, BindableService {

    private final Submissions submissions;
    private final Appender appender;
    private final FeedStreams feeds;
    private final GrpcErrors errors;
    private final GracefulShutdown shutdown;
    private final RateLimits rateLimits;
    private final HistoryReader history;
    private final SnapshotStream snapshots;

    EventGrpcService(Submissions submissions, Appender appender, FeedStreams feeds, GrpcErrors errors,
                     GracefulShutdown shutdown, RateLimits rateLimits, HistoryReader history, SnapshotStream snapshots) {
        this.submissions = submissions;
        this.appender = appender;
        this.feeds = feeds;
        this.errors = errors;
        this.shutdown = shutdown;
        this.rateLimits = rateLimits;
        this.history = history;
        this.snapshots = snapshots;
    }

    @Override
    public void sync(SyncRequest request, StreamObserver<SubmitEventOutput> observer) {
        Caller caller = Caller.current();
        // A call over the per-call limit is refused before it is charged: it costs the user nothing.
        var parsed = submissions.parseCall(request.getEventsList());
        rateLimits.chargeSyncEvents(caller.userUuid(), request.getEventsCount()); // before the queue; throws RateLimited
        shutdown.syncStarted();
        try {
            appender.submit(caller.userUuid(), parsed, request.getSerializedSize())
                    .whenComplete((results, error) -> {
                        try {
                            if (error != null) {
                                observer.onError(errors.toException(error));
                            } else {
                                observer.onNext(ResultMapper.toOutput(results));
                                observer.onCompleted();
                            }
                        } finally {
                            shutdown.syncEnded();
                        }
                    });
        } catch (RuntimeException e) {
            shutdown.syncEnded();
            throw e;
        }
    }

    /**
     * The generated service, but SyncFromServer is bound to {@link #streamFeed} with a response
     * marshaller that writes stored events as their stored bytes ({@link FeedMessageMarshaller}):
     * the same method name and request, the same bytes on the wire. Spring gRPC binds the
     * interceptors around what this returns, so they apply to it as to every method.
     */
    @Override
    public ServerServiceDefinition bindService() {
        MethodDescriptor<SyncFromServerRequest, Event> generated = EventServiceGrpc.getSyncFromServerMethod();
        ServerMethodDefinition<SyncFromServerRequest, FeedMessage> passThrough = ServerMethodDefinition.create(
                generated.toBuilder(generated.getRequestMarshaller(), FeedMessageMarshaller.INSTANCE).build(),
                ServerCalls.asyncServerStreamingCall(this::streamFeed));
        return ServiceDefinitions.rewrite(EventServiceGrpc.bindService(this), method -> method.getMethodDescriptor().getFullMethodName()
                .equals(generated.getFullMethodName()) ? passThrough : method);
    }

    /** SyncFromServer (bound by {@link #bindService()}; the generated {@code syncFromServer} is not). */
    void streamFeed(SyncFromServerRequest request, StreamObserver<FeedMessage> observer) {
        Caller caller = Caller.current();
        rateLimits.chargeStreamOpen(caller.userUuid()); // throws RateLimited
        feeds.start((ServerCallStreamObserver<FeedMessage>) observer, caller.userUuid(), request.getAfterEventUuid(),
                request.getFollow(), errors::toException);
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryPage> observer) {
        Caller caller = Caller.current();
        HistoryQuery query = HistoryQuery.of(request); // throws CallRejected: INVALID_ARGUMENT
        try {
            observer.onNext(history.page(caller.userUuid(), query));
            observer.onCompleted();
        } catch (java.sql.SQLException e) {
            observer.onError(errors.toException(e));
        }
    }

    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotItem> observer) {
        Caller caller = Caller.current();
        SnapshotQuery query = SnapshotQuery.of(request); // throws CallRejected: INVALID_ARGUMENT
        rateLimits.chargeStreamOpen(caller.userUuid()); // a snapshot costs like a stream open; throws RateLimited
        try {
            snapshots.start((ServerCallStreamObserver<SnapshotItem>) observer, caller.userUuid(), query, errors::toException);
        } catch (java.sql.SQLException e) {
            observer.onError(errors.toException(e));
        }
    }
}
