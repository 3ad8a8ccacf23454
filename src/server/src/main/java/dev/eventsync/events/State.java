package dev.eventsync.events;

import java.util.List;
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

    /** The current admins (members only); empty for an unknown conversation. */
    Set<UUID> admins(UUID conversation);

    /** The current members, the earliest joined first (ties: the smallest uuid first). */
    List<UUID> membersByJoin(UUID conversation);

    /** A message of that conversation, or null when the conversation holds no such message. */
    MessageFacts message(UUID conversation, UUID message);

    /** Whether the message's new_message event is in the user's feed (API.md: "visible"). */
    boolean visible(UUID conversation, UUID message, UUID user);

    /** The seq of the user's read marker in the conversation; 0 when none. */
    long readSeq(UUID conversation, UUID user);

    /** The seq of the user's delivered marker, a read counting as delivered; 0 when none. */
    long deliveredSeq(UUID conversation, UUID user);

    /** The seq that was the conversation's last when the member joined; only called for a member. */
    long joinedSeq(UUID conversation, UUID user);

    /** The authors of the conversation's messages with a seq in (after, upTo]. */
    Set<UUID> authorsBetween(UUID conversation, long after, long upTo);

    /** The complete upload with this media uuid, or null when there is none (unknown, incomplete or being erased). */
    MediaFacts completeMedia(UUID media);

    /** Whether either user has blocked the other. */
    boolean blockedBetween(UUID one, UUID other);

    /** The user and every user sharing a conversation with them. */
    Set<UUID> contactsOf(UUID user);
}
