package dev.eventsync.events;

import java.util.List;
import java.util.UUID;

/**
 * What a client asked for, once its fields are well-formed. Identity (author, reader, profile
 * owner) is never part of a command: it comes from the caller's token.
 */
public sealed interface Command {

    /** The conversation the command acts in; null for profile commands. */
    UUID conversation();

    record CreateConversation(UUID conversation, String name, List<UUID> members) implements Command {
        public CreateConversation {
            members = List.copyOf(members);
        }
    }

    record RenameConversation(UUID conversation, String newName) implements Command {}

    record AddMember(UUID conversation, UUID user) implements Command {}

    /** {@code user} is null when the caller leaves. */
    record RemoveMember(UUID conversation, UUID user) implements Command {}

    record SendMessage(UUID conversation, UUID localUuid, String text) implements Command {}

    record ReadMessage(UUID conversation, UUID message) implements Command {}

    /** {@code user} is the user_uuid the client named, or null; only the caller is allowed. */
    record ChangeDisplayName(UUID user, String displayName) implements Command {
        @Override
        public UUID conversation() {
            return null;
        }
    }

    record ChangeProfilePicture(UUID user, byte[] png) implements Command {
        @Override
        public UUID conversation() {
            return null;
        }
    }

    /** Transitory: delivered live, never stored. */
    record SetTyping(UUID conversation, boolean typing) implements Command {}
}
