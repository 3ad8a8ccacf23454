package dev.eventsync.history;

import dev.eventsync.events.CallRejected;
import dev.eventsync.events.Uuids;
import dev.eventsync.proto.v1.HistoryRequest;
import java.util.UUID;

/** A well-formed History request (API.md v1.1): anything else is INVALID_ARGUMENT. */
public record HistoryQuery(UUID conversation, UUID before, int limit) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    public static HistoryQuery of(HistoryRequest request) {
        UUID conversation = Uuids.parse(request.getConversationUuid());
        if (conversation == null) {
            throw invalid("conversation_uuid must be a canonical lowercase, non-nil uuid");
        }
        UUID before = null;
        if (!request.getBeforeMessageUuid().isEmpty()) {
            before = Uuids.parse(request.getBeforeMessageUuid());
            if (before == null) {
                throw invalid("before_message_uuid must be empty or a canonical lowercase, non-nil uuid");
            }
        }
        if (request.getLimit() < 0 || request.getLimit() > MAX_LIMIT) {
            throw invalid("limit must be 0 (for " + DEFAULT_LIMIT + ") to " + MAX_LIMIT + ", is " + request.getLimit());
        }
        return new HistoryQuery(conversation, before, request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit());
    }

    private static CallRejected invalid(String message) {
        return new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, message);
    }
}
