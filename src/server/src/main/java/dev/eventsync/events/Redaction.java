package dev.eventsync.events;

import dev.eventsync.proto.v1.Event;

/**
 * The redacted form of a deleted message's events (API.md v1.1, "Deleting a message erases
 * it"): what stays is only what places the event (uuids, author, times); the text, mentions,
 * reply reference, attachments and reactions are gone, and a message says {@code deleted}.
 */
public final class Redaction {

    private Redaction() {}

    /** Whether events of this kind carry a message's content and are redacted with it. */
    public static boolean carriesContent(String kind) {
        return kind.equals("new_message") || kind.equals("message_edited") || kind.equals("reactions_changed");
    }

    public static Event redact(Event event) {
        Event.Builder redacted = event.toBuilder();
        switch (event.getContentCase()) {
            case NEW_MESSAGE -> {
                var message = event.getNewMessage().getMessage();
                redacted.getNewMessageBuilder().setMessage(dev.eventsync.proto.v1.Message.newBuilder()
                        .setUuid(message.getUuid())
                        .setConversationUuid(message.getConversationUuid())
                        .setAuthorUuid(message.getAuthorUuid())
                        .setSentAt(message.getSentAt())
                        .setDeleted(true));
            }
            case MESSAGE_EDITED -> redacted.getMessageEditedBuilder().clearText().clearMentionedUserUuids();
            case REACTIONS_CHANGED -> redacted.getReactionsChangedBuilder().clearReactions();
            default -> throw new IllegalArgumentException("a " + event.getContentCase() + " carries no message content");
        }
        return redacted.build();
    }
}
