package dev.eventsync.push;

/**
 * A pusher of a member who was in the conversation when the message was sent, with the facts
 * {@link WhoGetsWhat} decides on, read as the notifier reaches the message.
 *
 * @param online        the user has a follow stream open on some instance (the presence table)
 * @param muted         the user's conversation_settings.muted_until is in the future
 * @param blocksAuthor  the user has blocked the message's author
 */
public record Candidate(PushTarget target, boolean online, boolean muted, boolean blocksAuthor) {}
