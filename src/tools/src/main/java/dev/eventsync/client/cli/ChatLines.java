package dev.eventsync.client.cli;

import dev.eventsync.client.LocalModel;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the terminal chat names things: people ("me", a display name or a uuid prefix),
 * conversations, messages, and the events the server confirmed or refused. Reads the local model
 * only, so it works offline.
 */
final class ChatLines {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final int FIRST_WORDS = 6;
    private static final int FIRST_CHARACTERS = 40;

    private final LocalModel model;

    ChatLines(LocalModel model) {
        this.model = model;
    }

    String person(String user) {
        if (user.equals(model.me())) {
            return "me";
        }
        String name = model.displayName(user);
        return name != null ? name : prefix(user);
    }

    /** The conversation's name as this device knows it, else its uuid prefix. */
    String conversationName(String uuid) {
        LocalModel.Conversation c = model.conversation(uuid);
        return c != null ? c.name() : prefix(uuid);
    }

    /** One line of {@code list}: a conversation left is only "left", its members no longer ours to count. */
    String listLine(LocalModel.Conversation c) {
        String state = !c.joined() ? "left"
                : c.members().size() + " members" + (c.confirmed() ? "" : ", pending");
        return c.uuid() + "  " + c.name() + "  (" + state + ")";
    }

    /** A candidate of an ambiguous conversation argument: uuid prefix, name, members. */
    String candidate(LocalModel.Conversation c) {
        return prefix(c.uuid()) + "  " + c.name() + "  (" + members(c) + ")";
    }

    String header(LocalModel.Conversation c) {
        return "# " + c.name() + "  (" + members(c) + ")";
    }

    /** The members, me first. */
    private String members(LocalModel.Conversation c) {
        List<String> others = c.members().stream().filter(m -> !m.equals(model.me())).map(this::person).toList();
        return String.join(", ", c.members().contains(model.me()) ? Stream.concat(Stream.of("me"), others.stream()).toList() : others);
    }

    /** A message as {@code read} and {@code watch} show it; only my own messages carry a delivery mark. */
    String message(LocalModel.LocalMessage m) {
        String line = time(m.sentAt()) + " " + person(m.authorUuid()) + ": " + m.text();
        if (!m.authorUuid().equals(model.me())) {
            return line;
        }
        String state = switch (m.state()) {
            case PENDING -> "…";
            case SENT -> "✓";
            case READ -> "✓✓";
            case FAILED -> "✗ " + m.failure();
        };
        return line + "  " + state;
    }

    /** Someone's message as the feed delivers it (watch). */
    String message(Message m) {
        Instant sentAt = Instant.ofEpochSecond(m.getSentAt().getSeconds(), m.getSentAt().getNanos());
        return time(sentAt) + " " + person(m.getAuthorUuid()) + ": " + m.getText();
    }

    /**
     * What a queued event is, in the user's words: {@code message "Noon? Shall we…" in Lunch},
     * {@code new conversation Lunch}. A ✓ or a rejection line names it so.
     */
    String describe(Event event) {
        switch (event.getContentCase()) {
            case SENDING_NEW_MESSAGE: {
                Message m = event.getSendingNewMessage().getMessage();
                return "message \"" + firstWords(m.getText()) + "\" in " + conversationName(m.getConversationUuid());
            }
            case CONVERSATION_CREATED:
                return "new conversation " + event.getConversationCreated().getName();
            case MEMBER_JOINED:
                return "new member " + person(event.getMemberJoined().getUserUuid()) + " in "
                        + conversationName(event.getMemberJoined().getConversationUuid());
            case MEMBER_LEFT:
                String leaving = event.getMemberLeft().getUserUuid();
                return (leaving.isEmpty() ? "me" : person(leaving)) + " leaving "
                        + conversationName(event.getMemberLeft().getConversationUuid());
            case CONVERSATION_NAME_CHANGED:
                return "new name " + event.getConversationNameChanged().getNewName() + " for "
                        + conversationName(event.getConversationNameChanged().getConversationUuid());
            case READ_NEW_MESSAGE:
                return "read receipt in " + conversationName(event.getReadNewMessage().getConversationUuid());
            case DISPLAY_NAME_CHANGED:
                return "display name " + event.getDisplayNameChanged().getDisplayName();
            default:
                return event.getContentCase().name().toLowerCase().replace('_', ' ');
        }
    }

    static String firstWords(String text) {
        List<String> words = List.of(text.strip().split("\\s+"));
        String first = String.join(" ", words.subList(0, Math.min(words.size(), FIRST_WORDS)));
        if (first.length() > FIRST_CHARACTERS) {
            first = first.substring(0, FIRST_CHARACTERS);
        }
        return first.length() < text.strip().length() ? first + "…" : first;
    }

    static String prefix(String uuid) {
        return uuid.length() > 8 ? uuid.substring(0, 8) : uuid;
    }

    private static String time(Instant at) {
        return at == null ? "  --:--    " : TIME.format(at);
    }
}
