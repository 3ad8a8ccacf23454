package dev.eventsync.client;

import java.util.List;
import java.util.Objects;

/**
 * What a message may carry besides its text: the message it replies to (a server message uuid,
 * empty: none) and the users it mentions (current members; the server removes duplicates).
 */
public record MessageOptions(String replyTo, List<String> mentions) {

    public static final MessageOptions NONE = new MessageOptions("", List.of());

    public MessageOptions {
        replyTo = replyTo == null ? "" : replyTo;
        mentions = List.copyOf(Objects.requireNonNull(mentions, "mentions"));
    }

    public static MessageOptions replyTo(String messageUuid) {
        return NONE.inReplyTo(messageUuid);
    }

    public static MessageOptions mentioning(String... users) {
        return NONE.withMentions(users);
    }

    public MessageOptions inReplyTo(String messageUuid) {
        return new MessageOptions(messageUuid, mentions);
    }

    public MessageOptions withMentions(String... users) {
        return new MessageOptions(replyTo, List.of(users));
    }
}
