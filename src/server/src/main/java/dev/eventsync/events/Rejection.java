package dev.eventsync.events;

/** A refused event: data returned to the client, not an error. */
public record Rejection(Reason reason, String detail) {

    static Rejection invalid(String detail) {
        return new Rejection(Reason.INVALID, detail);
    }

    static Rejection forbidden(String detail) {
        return new Rejection(Reason.FORBIDDEN, detail);
    }

    static Rejection tooLarge(String detail) {
        return new Rejection(Reason.TOO_LARGE, detail);
    }
}
