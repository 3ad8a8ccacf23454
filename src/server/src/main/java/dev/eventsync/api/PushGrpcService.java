package dev.eventsync.api;

import dev.eventsync.auth.Caller;
import dev.eventsync.proto.v1.DeletePusherRequest;
import dev.eventsync.proto.v1.DeletePusherResponse;
import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.proto.v1.ListPushersResponse;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.proto.v1.PushServiceGrpc;
import dev.eventsync.push.PusherKey;
import dev.eventsync.push.PusherRegistration;
import dev.eventsync.push.PusherRules;
import dev.eventsync.push.Pushers;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import org.springframework.stereotype.Service;

/** PushService (API.md v1.1): translates; the rules are {@link PusherRules}, the storage {@link Pushers}. */
@Service
class PushGrpcService extends PushServiceGrpc.PushServiceImplBase {

    private final PusherRules rules;
    private final Pushers pushers;
    private final GrpcErrors errors;

    PushGrpcService(PusherRules rules, Pushers pushers, GrpcErrors errors) {
        this.rules = rules;
        this.pushers = pushers;
        this.errors = errors;
    }

    @Override
    public void setPusher(Pusher request, StreamObserver<Pusher> observer) {
        Caller caller = Caller.current();
        PusherRegistration pusher = rules.accept(request); // throws CallRejected: INVALID_ARGUMENT, FAILED_PRECONDITION
        try {
            pushers.set(caller.userUuid(), pusher); // throws CallRejected: RESOURCE_EXHAUSTED
            observer.onNext(pusher.toProto());
            observer.onCompleted();
        } catch (SQLException e) {
            observer.onError(errors.toException(e));
        }
    }

    @Override
    public void deletePusher(DeletePusherRequest request, StreamObserver<DeletePusherResponse> observer) {
        Caller caller = Caller.current();
        PusherKey key = PusherKey.of(request.getAppId(), request.getPushkey()); // throws CallRejected: INVALID_ARGUMENT
        try {
            pushers.delete(caller.userUuid(), key);
            observer.onNext(DeletePusherResponse.getDefaultInstance());
            observer.onCompleted();
        } catch (SQLException e) {
            observer.onError(errors.toException(e));
        }
    }

    @Override
    public void listPushers(ListPushersRequest request, StreamObserver<ListPushersResponse> observer) {
        Caller caller = Caller.current();
        try {
            observer.onNext(ListPushersResponse.newBuilder().addAllPushers(pushers.list(caller.userUuid())).build());
            observer.onCompleted();
        } catch (SQLException e) {
            observer.onError(errors.toException(e));
        }
    }
}
