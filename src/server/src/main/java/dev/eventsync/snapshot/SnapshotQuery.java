package dev.eventsync.snapshot;

import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.SnapshotRequest;

/** A well-formed Snapshot request (API.md v1.1): messages per conversation 1 to 100, 0 meaning 20. */
public record SnapshotQuery(int messagesPerConversation) {

    static final int DEFAULT_MESSAGES = 20;
    static final int MAX_MESSAGES = 100;

    public static SnapshotQuery of(SnapshotRequest request) {
        int n = request.getMessagesPerConversation();
        if (n < 0 || n > MAX_MESSAGES) {
            throw new CallRejected(CallRejected.Problem.INVALID_ARGUMENT,
                    "messages_per_conversation must be 0 (for " + DEFAULT_MESSAGES + ") to " + MAX_MESSAGES + ", is " + n);
        }
        return new SnapshotQuery(n == 0 ? DEFAULT_MESSAGES : n);
    }
}
