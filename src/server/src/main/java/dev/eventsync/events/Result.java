package dev.eventsync.events;

import java.time.Instant;
import java.util.UUID;

/** The answer for one submitted event, in the order submitted. */
public sealed interface Result {

    String clientUuid();

    /**
     * Stored (and committed) or, when {@code transitory}, delivered live. {@code storedAt} is null
     * for transitory events; {@code messageUuid} is set for messages.
     */
    record Accepted(String clientUuid, UUID eventUuid, Instant storedAt, boolean duplicate, UUID messageUuid,
                    boolean transitory) implements Result {}

    record Refused(String clientUuid, Rejection rejection) implements Result {}
}
