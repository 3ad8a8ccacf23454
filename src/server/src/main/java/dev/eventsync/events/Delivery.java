package dev.eventsync.events;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.ConversationNameChanged;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.DisplayNameChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessageDeleted;
import dev.eventsync.proto.v1.MessageEdited;
import dev.eventsync.proto.v1.MessagesDelivered;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.proto.v1.ReactionsChanged;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.UserBlocked;
import dev.eventsync.proto.v1.UserIsTyping;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What an accepted command becomes: the event as delivered (server fields filled from the
 * caller's identity and the server clock) and who receives it (API.md's table). Membership at
 * the time of the event decides the audience.
 */
public final class Delivery {

    private Delivery() {}

    /** An event ready to append: {@code delivered} is what every recipient's feed returns. */
    public record Stored(UUID eventUuid, String kind, UUID conversation, Event delivered, Set<UUID> recipients,
                         UUID messageUuid) {
        public Stored {
            recipients = Set.copyOf(recipients); // a snapshot: the state moves on after this event
        }
    }

    /** A transitory event and the users whose follow streams get it. */
    public record Live(Event delivered, Set<UUID> recipients) {
        public Live {
            recipients = Set.copyOf(recipients);
        }
    }

    /** Typing reaches the other members only, not the typer's own devices, and never across a block. */
    public static Live typing(UUID caller, Command.SetTyping typing, State state, Instant at) {
        Set<UUID> others = new LinkedHashSet<>(state.members(typing.conversation()));
        others.remove(caller);
        others.removeIf(member -> state.blockedBetween(caller, member));
        return new Live(Event.newBuilder()
                .setAuthorUuid(caller.toString())
                .setOccurredAt(timestamp(at))
                .setUserIsTyping(UserIsTyping.newBuilder()
                        .setConversationUuid(typing.conversation().toString())
                        .setTyping(typing.typing()))
                .build(), others);
    }

    /** The initial members of a new conversation: the creator always, each member once. */
    public static Set<UUID> initialMembers(UUID creator, Command.CreateConversation create) {
        Set<UUID> members = new LinkedHashSet<>();
        members.add(creator);
        members.addAll(create.members());
        return members;
    }

    /**
     * Builds the stored form of an accepted command against the state before it is applied.
     * {@code at} must already be truncated to the database's precision (microseconds).
     */
    public static Stored of(UUID caller, UUID eventUuid, Command command, State state, Instant at) {
        Timestamp time = timestamp(at);
        Event.Builder event = Event.newBuilder()
                .setUuid(eventUuid.toString())
                .setAuthorUuid(caller.toString())
                .setOccurredAt(time);
        String author = caller.toString();
        if (command instanceof Command.CreateConversation c) {
            Set<UUID> members = initialMembers(caller, c);
            event.setConversationCreated(ConversationCreated.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setName(c.name())
                    .addAllMemberUuids(strings(members)));
            return new Stored(eventUuid, "conversation_created", c.conversation(), event.build(), members, null);
        }
        if (command instanceof Command.RenameConversation c) {
            event.setConversationNameChanged(ConversationNameChanged.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setNewName(c.newName())
                    .setAuthorUuid(author)
                    .setOccurredAt(time));
            return new Stored(eventUuid, "conversation_name_changed", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.AddMember c) {
            Set<UUID> after = new LinkedHashSet<>(state.members(c.conversation()));
            after.add(c.user());
            event.setMemberJoined(MemberJoined.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setUserUuid(c.user().toString())
                    .setAddedByUuid(author)
                    .setConversationName(state.conversationName(c.conversation()))
                    .addAllMemberUuids(strings(after))
                    .addAllAdminUuids(strings(state.admins(c.conversation()))));
            return new Stored(eventUuid, "member_joined", c.conversation(), event.build(), after, null);
        }
        if (command instanceof Command.RemoveMember c) {
            UUID leaving = c.user() == null ? caller : c.user();
            MemberLeft.Builder left = MemberLeft.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setUserUuid(leaving.toString())
                    .setRemovedByUuid(author);
            UUID promoted = promotedOnLeave(c.conversation(), leaving, state);
            if (promoted != null) {
                left.setPromotedAdminUuid(promoted.toString());
            }
            event.setMemberLeft(left);
            return new Stored(eventUuid, "member_left", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.SendMessage c) {
            UUID messageUuid = UUID.randomUUID();
            Message.Builder message = Message.newBuilder()
                    .setUuid(messageUuid.toString())
                    .setConversationUuid(c.conversation().toString())
                    .setAuthorUuid(author)
                    .setText(c.text())
                    .setSentAt(time)
                    .addAllMentionedUserUuids(strings(MessageRules.distinctUsers(c.mentions())));
            if (c.replyTo() != null) {
                message.setReplyToMessageUuid(c.replyTo().toString());
            }
            for (Command.Attach a : c.attachments()) {
                message.addAttachments(attachment(a, state.completeMedia(a.media())));
            }
            event.setNewMessage(NewMessage.newBuilder()
                    .setLocalUuid(c.localUuid().toString())
                    .setUuid(messageUuid.toString())
                    .setMessage(message));
            return new Stored(eventUuid, "new_message", c.conversation(), event.build(),
                    state.members(c.conversation()), messageUuid);
        }
        if (command instanceof Command.EditMessage c) {
            event.setMessageEdited(MessageEdited.newBuilder()
                    .setMessageUuid(c.message().toString())
                    .setConversationUuid(c.conversation().toString())
                    .setText(c.text())
                    .addAllMentionedUserUuids(strings(MessageRules.distinctUsers(c.mentions())))
                    .setEditedAt(time));
            return new Stored(eventUuid, "message_edited", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.DeleteMessage c) {
            event.setMessageDeleted(MessageDeleted.newBuilder()
                    .setMessageUuid(c.message().toString())
                    .setConversationUuid(c.conversation().toString())
                    .setDeletedByUuid(author));
            return new Stored(eventUuid, "message_deleted", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.ChangeReactions c) {
            event.setReactionsChanged(ReactionsChanged.newBuilder()
                    .setMessageUuid(c.message().toString())
                    .setConversationUuid(c.conversation().toString())
                    .addAllReactions(MessageRules.distinct(c.reactions()))
                    .setUserUuid(author));
            return new Stored(eventUuid, "reactions_changed", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.MarkDelivered c) {
            event.setMessagesDelivered(MessagesDelivered.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setUpToMessageUuid(c.message().toString())
                    .setUserUuid(author));
            return new Stored(eventUuid, "messages_delivered", c.conversation(), event.build(),
                    deliveredAudience(caller, c, state), null);
        }
        if (command instanceof Command.ChangeSettings c) {
            ConversationSettingsChanged.Builder settings = ConversationSettingsChanged.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setArchived(c.archived())
                    .setPinned(c.pinned());
            if (c.mutedUntil() != null) {
                settings.setMutedUntil(timestamp(c.mutedUntil()));
            }
            event.setConversationSettingsChanged(settings);
            return new Stored(eventUuid, "conversation_settings_changed", c.conversation(), event.build(), Set.of(caller), null);
        }
        if (command instanceof Command.BlockUser c) {
            event.setUserBlocked(UserBlocked.newBuilder().setUserUuid(c.user().toString()).setBlocked(c.blocked()));
            return new Stored(eventUuid, "user_blocked", null, event.build(), Set.of(caller), null);
        }
        if (command instanceof Command.ChangeRole c) {
            event.setMemberRoleChanged(MemberRoleChanged.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setUserUuid(c.user().toString())
                    .setAdmin(c.admin())
                    .setChangedByUuid(author));
            return new Stored(eventUuid, "member_role_changed", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.ReadMessage c) {
            event.setReadNewMessage(ReadNewMessage.newBuilder()
                    .setUuid(c.message().toString())
                    .setConversationUuid(c.conversation().toString())
                    .setReaderUuid(author));
            return new Stored(eventUuid, "read_new_message", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.ChangeDisplayName c) {
            event.setDisplayNameChanged(DisplayNameChanged.newBuilder()
                    .setUserUuid(author)
                    .setDisplayName(c.displayName()));
            return new Stored(eventUuid, "display_name_changed", null, event.build(), state.contactsOf(caller), null);
        }
        if (command instanceof Command.ChangeProfilePicture c) {
            ProfilePictureChanged.Builder picture = ProfilePictureChanged.newBuilder() // neither: the picture is removed
                    .setUserUuid(author)
                    .setPngImage(ByteString.copyFrom(c.png()));
            if (c.media() != null) {
                picture.setMediaUuid(c.media().toString());
            }
            event.setProfilePictureChanged(picture);
            return new Stored(eventUuid, "profile_picture_changed", null, event.build(), state.contactsOf(caller), null);
        }
        throw new IllegalArgumentException("not a storable command: " + command);
    }

    /** An attachment as stored: the client's description, with the type, size and hash of the upload. */
    private static Attachment attachment(Command.Attach a, MediaFacts upload) {
        return Attachment.newBuilder()
                .setMediaUuid(a.media().toString())
                .setContentType(upload.contentType())
                .setSizeBytes(upload.sizeBytes())
                .setSha256(upload.sha256())
                .setFileName(a.fileName())
                .setWidth(a.width())
                .setHeight(a.height())
                .setDurationMs(a.durationMs())
                .setThumbnail(a.thumbnail())
                .build();
    }

    /**
     * When the last admin leaves, the remaining member who joined earliest (ties: the smallest
     * uuid) becomes admin in the same event; null otherwise.
     */
    static UUID promotedOnLeave(UUID conversation, UUID leaving, State state) {
        Set<UUID> admins = state.admins(conversation);
        if (!admins.contains(leaving) || admins.size() > 1) {
            return null;
        }
        for (UUID member : state.membersByJoin(conversation)) {
            if (!member.equals(leaving)) {
                return member;
            }
        }
        return null;
    }

    /**
     * A delivered marker reaches the caller's own devices and the authors (other than the
     * caller, still members) of the messages it newly covers: those after the caller's current
     * delivered marker (a read counts) and after the caller joined, up to the named message.
     */
    private static Set<UUID> deliveredAudience(UUID caller, Command.MarkDelivered c, State state) {
        Set<UUID> audience = new LinkedHashSet<>();
        audience.add(caller);
        long from = Math.max(state.deliveredSeq(c.conversation(), caller), state.joinedSeq(c.conversation(), caller));
        long upTo = state.message(c.conversation(), c.message()).seq();
        if (upTo > from) {
            Set<UUID> members = state.members(c.conversation());
            for (UUID author : state.authorsBetween(c.conversation(), from, upTo)) {
                if (members.contains(author)) {
                    audience.add(author);
                }
            }
        }
        return audience;
    }

    private static List<String> strings(Collection<UUID> uuids) {
        return uuids.stream().map(UUID::toString).toList();
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
