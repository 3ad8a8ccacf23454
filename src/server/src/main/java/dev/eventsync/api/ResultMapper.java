package dev.eventsync.api;

import dev.eventsync.events.Delivery;
import dev.eventsync.events.Result;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.proto.v1.SubmitEventOutput;
import java.util.List;

/** Results to wire messages: translation only. */
final class ResultMapper {

    private ResultMapper() {}

    static SubmitEventOutput toOutput(List<Result> results) {
        SubmitEventOutput.Builder output = SubmitEventOutput.newBuilder();
        for (Result result : results) {
            output.addResults(toProto(result));
        }
        return output.build();
    }

    static EventResult toProto(Result result) {
        EventResult.Builder proto = EventResult.newBuilder().setClientEventUuid(result.clientUuid());
        if (result instanceof Result.Accepted a) {
            Accepted.Builder accepted = Accepted.newBuilder()
                    .setEventUuid(a.eventUuid().toString())
                    .setDuplicate(a.duplicate())
                    .setTransitory(a.transitory());
            if (a.storedAt() != null) {
                accepted.setStoredAt(Delivery.timestamp(a.storedAt()));
            }
            if (a.messageUuid() != null) {
                accepted.setMessageUuid(a.messageUuid().toString());
            }
            return proto.setAccepted(accepted).build();
        }
        Result.Refused r = (Result.Refused) result;
        return proto.setRejected(Rejected.newBuilder()
                .setReason(Rejected.Reason.valueOf(r.rejection().reason().name()))
                .setDetail(r.rejection().detail())).build();
    }
}
