package dev.eventsync.push;

import java.time.Instant;
import java.util.UUID;

/** One request to one gateway for one pusher: the body as POSTed; {@code eventUuid} null for a counts-only one. */
public record Notification(PushTarget target, String body, UUID eventUuid, Instant storedAt) {}
