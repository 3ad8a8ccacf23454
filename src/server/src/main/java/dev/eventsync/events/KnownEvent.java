package dev.eventsync.events;

import java.time.Instant;
import java.util.UUID;

/** An event already stored: what a resend of its uuid is compared with and answered from. */
public record KnownEvent(UUID eventUuid, UUID author, byte[] contentHash, Instant storedAt, UUID messageUuid) {}
