package dev.eventsync.events;

/**
 * A whole call refused because of what the client sent (not a server fault). Expected, so it
 * carries no stack trace; the api package maps each {@link Problem} to one gRPC status.
 */
public final class CallRejected extends RuntimeException {

    public enum Problem {
        /** More events or bytes than the configured limits. */
        TOO_LARGE,
        /** A request field that cannot be understood (a malformed cursor). */
        INVALID_ARGUMENT,
        /** A cursor that is not an event of the caller's feed: the client must resync. */
        UNKNOWN_CURSOR,
        /** Something the caller may not see or that does not exist, alike (v1.1 RPCs). */
        NOT_FOUND,
        /** Refused by the operator's configuration (a push gateway outside the allowlist). */
        NOT_ALLOWED,
        /** More stored things than a configured limit allows (pushers per user, incomplete uploads per user). */
        TOO_MANY,
        /** A client-chosen key already names something else: another user's media, or other content. */
        CONFLICT,
        /** The request does not fit what the server holds: an upload offset beyond the committed bytes. */
        WRONG_STATE,
        /** Uploaded bytes that do not match their declared hash: they were discarded. */
        CORRUPT,
        /** The server is shutting down, its append queue is full, or the same upload is in progress: retry later. */
        UNAVAILABLE
    }

    private final Problem problem;

    public CallRejected(Problem problem, String message) {
        super(message, null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
