package dev.eventsync.push;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** What a new_message's notifications say, read once per message (sender's name and the room's name as of now). */
public record NewMessageFacts(UUID eventUuid, UUID conversation, UUID author, String senderDisplayName,
                              String roomName, String text, int attachments, Set<UUID> mentioned, Instant storedAt) {}
