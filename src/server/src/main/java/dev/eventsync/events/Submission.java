package dev.eventsync.events;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * One submitted event after parsing, before it meets the stored state. The parser decides
 * everything that needs no state; {@link Decider} decides the rest, in API.md's order.
 */
public sealed interface Submission {

    /** The event's uuid as the client sent it (echoed in the result). */
    String clientUuid();

    /** Refused before any state is looked at: malformed uuid, no content, not submittable. */
    record Refused(String clientUuid, Rejection rejection) implements Submission {}

    /** A transitory command (typing): never stored, its uuid is not an idempotency key. */
    record Transitory(String clientUuid, UUID eventUuid, Command.SetTyping command) implements Submission {}

    /**
     * A command to store. {@code contentHash} identifies the submitted content for resends and
     * is what is stored; {@code legacyHash} computes the hash stored before v1.1, so an event
     * stored then still recognises a resend. It is a supplier because only a resend whose stored
     * hash is not the canonical one needs it: every other submission is spared a second
     * serialization and digest of its content.
     * Exactly one of {@code command} and {@code malformed} is set: a malformed field is only
     * reported after the duplicate check, so a resend is still recognised.
     * {@code createsConversation} is the well-formed conversation uuid of a
     * {@code conversation_created} (else null): an existing one is a UUID_CONFLICT at the
     * duplicate step, even when another field is malformed.
     */
    record Storable(String clientUuid, UUID eventUuid, byte[] contentHash, Supplier<byte[]> legacyHash, Command command,
                    Rejection malformed,
                    UUID createsConversation) implements Submission {
        public Storable {
            if ((command == null) == (malformed == null)) {
                throw new IllegalArgumentException("exactly one of command and malformed");
            }
        }

        /** The pre-v1.1 hash of this content, computed now (each call computes it again). */
        public byte[] legacyContentHash() {
            return legacyHash.get();
        }
    }
}
