package dev.eventsync.events;

import java.time.Instant;
import java.util.UUID;

/**
 * An event already stored: what a resend of its uuid is compared with and answered from.
 * {@code redacted}: the event belonged to a message deleted since; its content hash was erased
 * with the content, so a resend by its author is a duplicate whatever it holds (API.md v1.1).
 */
public record KnownEvent(UUID eventUuid, UUID author, byte[] contentHash, Instant storedAt, UUID messageUuid,
                         boolean redacted) {}
