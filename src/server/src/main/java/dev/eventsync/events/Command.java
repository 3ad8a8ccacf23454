package dev.eventsync.events;

import com.google.protobuf.ByteString;
import java.time.Instant;
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

    /**
     * {@code replyTo} is null when the message replies to none; {@code mentions} are as sent
     * (duplicates kept: the rules remove them); {@code attachments} as sent, in order.
     */
    record SendMessage(UUID conversation, UUID localUuid, String text, UUID replyTo, List<UUID> mentions,
                       List<Attach> attachments) implements Command {
        public SendMessage {
            mentions = List.copyOf(mentions);
            attachments = List.copyOf(attachments);
        }
    }

    /**
     * One attachment as the client describes it; its type, size and hash come from the upload.
     * {@code thumbnail} is empty when there is none.
     */
    record Attach(UUID media, String fileName, int width, int height, long durationMs, ByteString thumbnail) {}

    /** A read marker: this message and every earlier one of the conversation. */
    record ReadMessage(UUID conversation, UUID message) implements Command {}

    /** A delivered marker: this message and every earlier one reached one of the caller's devices. */
    record MarkDelivered(UUID conversation, UUID message) implements Command {}

    record EditMessage(UUID conversation, UUID message, String text, List<UUID> mentions) implements Command {
        public EditMessage {
            mentions = List.copyOf(mentions);
        }
    }

    record DeleteMessage(UUID conversation, UUID message) implements Command {}

    /** The caller's whole reaction set on the message, as sent (duplicates kept). */
    record ChangeReactions(UUID conversation, UUID message, List<String> reactions) implements Command {
        public ChangeReactions {
            reactions = List.copyOf(reactions);
        }
    }

    /** The caller's whole settings of the conversation; {@code mutedUntil} null: not muted. */
    record ChangeSettings(UUID conversation, Instant mutedUntil, boolean archived, boolean pinned) implements Command {}

    record ChangeRole(UUID conversation, UUID user, boolean admin) implements Command {}

    /** The caller blocks ({@code blocked}) or unblocks {@code user}. */
    record BlockUser(UUID user, boolean blocked) implements Command {
        @Override
        public UUID conversation() {
            return null;
        }
    }

    /** {@code user} is the user_uuid the client named, or null; only the caller is allowed. */
    record ChangeDisplayName(UUID user, String displayName) implements Command {
        @Override
        public UUID conversation() {
            return null;
        }
    }

    /** {@code png} empty and {@code media} null: the picture is removed; both set is INVALID (the rules say so). */
    record ChangeProfilePicture(UUID user, byte[] png, UUID media) implements Command {
        @Override
        public UUID conversation() {
            return null;
        }
    }

    /** Transitory: delivered live, never stored. */
    record SetTyping(UUID conversation, boolean typing) implements Command {}
}
