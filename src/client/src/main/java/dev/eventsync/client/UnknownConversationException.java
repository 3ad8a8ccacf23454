package dev.eventsync.client;

/**
 * The server does not show this user the conversation (or the message named in it): unknown, never
 * theirs, or gone from what they may see. The server gives all of these the same answer, NOT_FOUND.
 */
public final class UnknownConversationException extends RuntimeException {

    UnknownConversationException(String conversation, String detail) {
        super("conversation " + conversation + " is not visible to this user: " + detail);
    }
}
