package dev.eventsync.events;

/** Why one submitted event was refused. Mirrors {@code Rejected.Reason} of the wire contract. */
public enum Reason {
    INVALID,
    FORBIDDEN,
    UNKNOWN_CONVERSATION,
    UNKNOWN_MESSAGE,
    TOO_LARGE,
    UUID_CONFLICT,
    NOT_SUBMITTABLE,
    /** v1.1: the target message was deleted. */
    MESSAGE_DELETED,
    /** v1.1: media the caller has not completely uploaded. */
    UNKNOWN_MEDIA
}
