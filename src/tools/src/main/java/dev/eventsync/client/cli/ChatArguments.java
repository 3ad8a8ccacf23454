package dev.eventsync.client.cli;

import dev.eventsync.client.LocalModel;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Checks what the user typed where a conversation or a user belongs, before anything is queued. */
final class ChatArguments {

    private ChatArguments() {}

    /** The uuid of the one conversation that {@code given} names: its uuid, a uuid prefix, or its name. */
    static String conversation(LocalModel model, String given) {
        List<LocalModel.Conversation> matches = model.conversations().stream()
                .filter(c -> c.uuid().startsWith(given) || c.name().equals(given)).toList();
        if (matches.size() == 1) {
            return matches.get(0).uuid();
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no conversation " + given + " here: see `list` (or `sync` first)");
        }
        ChatLines lines = new ChatLines(model);
        throw new IllegalArgumentException(given + " matches " + matches.size() + " conversations; give a uuid prefix instead:\n"
                + matches.stream().map(c -> "  " + lines.candidate(c)).collect(Collectors.joining("\n")));
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
