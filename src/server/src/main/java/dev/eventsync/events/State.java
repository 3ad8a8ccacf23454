package dev.eventsync.events;

import java.util.Set;
import java.util.UUID;

/**
 * The current state the rules read: what is stored, plus the effects of the events accepted
 * earlier in the same batch. Implemented by the store over a locked snapshot.
 */
public interface State {

    /** The stored event with this uuid, or null. */
    KnownEvent storedEvent(UUID eventUuid);

    boolean conversationExists(UUID conversation);

    /** The conversation's name; only called for an existing conversation. */
    String conversationName(UUID conversation);

    /** The current members; empty for an unknown conversation. */
    Set<UUID> members(UUID conversation);

    boolean messageExists(UUID conversation, UUID message);

    /** The user and every user sharing a conversation with them. */
    Set<UUID> contactsOf(UUID user);
}
