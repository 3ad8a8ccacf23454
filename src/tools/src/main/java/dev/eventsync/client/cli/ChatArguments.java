package dev.eventsync.client.cli;

import dev.eventsync.client.LocalModel;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Checks what the user typed where a conversation, a message or a user belongs, before anything is queued. */
final class ChatArguments {

    private ChatArguments() {}

    /** The uuid of the one conversation that {@code given} names: its uuid, a uuid prefix, or its name. */
    static String conversation(LocalModel model, String given) {
        ChatLines lines = new ChatLines(model);
        return one(model.conversations(), c -> c.uuid().startsWith(given) || c.name().equals(given), lines::candidate,
                given, "conversation", "conversations", " here: see `list` (or `sync` first)").uuid();
    }

    /**
     * The one message of the conversation that {@code given} names: its server uuid or a prefix
     * of it, as {@code read} shows it. A pending message has no uuid yet, so it cannot be named.
     */
    static LocalModel.LocalMessage message(LocalModel model, String conversation, String given) {
        ChatLines lines = new ChatLines(model);
        return one(model.messages(conversation), m -> !m.uuid().isEmpty() && m.uuid().startsWith(given.toLowerCase()),
                lines::candidate, given, "message", "messages",
                " in " + lines.conversationName(conversation) + ": see `read` (a message still pending has no id yet)");
    }

    /** The one candidate {@code given} matches; else why not, listing the candidates when there are several. */
    private static <T> T one(List<T> all, Predicate<T> matches, Function<T, String> candidate, String given,
            String kind, String kinds, String whereToLook) {
        List<T> found = all.stream().filter(matches).toList();
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no " + kind + " " + given + whereToLook + "; nothing was queued");
        }
        throw new IllegalArgumentException(given + " matches " + found.size() + " " + kinds + "; give a uuid prefix instead:\n"
                + found.stream().map(c -> "  " + candidate.apply(c)).collect(Collectors.joining("\n")));
    }

    /** A user is a canonical uuid (the token's sub): a name there is refused before it is sent anywhere. */
    static String user(String given) {
        try {
            if (UUID.fromString(given).toString().equals(given.toLowerCase())) {
                return given.toLowerCase();
            }
        } catch (IllegalArgumentException notAUuid) {
            // fall through to the explanation
        }
        throw new IllegalArgumentException(given + " is not a user uuid: members are given by their uuid"
                + " (like 22222222-2222-4222-8222-222222222222; `chat whoami` prints yours); nothing was queued");
    }

    static List<String> users(List<String> given) {
        return given.stream().map(ChatArguments::user).toList();
    }
}
