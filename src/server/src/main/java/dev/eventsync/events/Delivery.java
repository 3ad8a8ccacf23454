package dev.eventsync.events;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.ConversationNameChanged;
import dev.eventsync.proto.v1.DisplayNameChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.UserIsTyping;
import java.time.Instant;
import java.util.LinkedHashSet;
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

    /** Typing reaches the other members only, not the typer's own devices. */
    public static Live typing(UUID caller, Command.SetTyping typing, State state, Instant at) {
        Set<UUID> others = new LinkedHashSet<>(state.members(typing.conversation()));
        others.remove(caller);
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
                    .addAllMemberUuids(members.stream().map(UUID::toString).toList()));
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
                    .addAllMemberUuids(after.stream().map(UUID::toString).toList()));
            return new Stored(eventUuid, "member_joined", c.conversation(), event.build(), after, null);
        }
        if (command instanceof Command.RemoveMember c) {
            UUID leaving = c.user() == null ? caller : c.user();
            event.setMemberLeft(MemberLeft.newBuilder()
                    .setConversationUuid(c.conversation().toString())
                    .setUserUuid(leaving.toString())
                    .setRemovedByUuid(author));
            return new Stored(eventUuid, "member_left", c.conversation(), event.build(),
                    state.members(c.conversation()), null);
        }
        if (command instanceof Command.SendMessage c) {
            UUID messageUuid = UUID.randomUUID();
            event.setNewMessage(NewMessage.newBuilder()
                    .setLocalUuid(c.localUuid().toString())
                    .setUuid(messageUuid.toString())
                    .setMessage(Message.newBuilder()
                            .setUuid(messageUuid.toString())
                            .setConversationUuid(c.conversation().toString())
                            .setAuthorUuid(author)
                            .setText(c.text())
                            .setSentAt(time)));
            return new Stored(eventUuid, "new_message", c.conversation(), event.build(),
                    state.members(c.conversation()), messageUuid);
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
            event.setProfilePictureChanged(ProfilePictureChanged.newBuilder()
                    .setUserUuid(author)
                    .setPngImage(ByteString.copyFrom(c.png())));
            return new Stored(eventUuid, "profile_picture_changed", null, event.build(), state.contactsOf(caller), null);
        }
        throw new IllegalArgumentException("not a storable command: " + command);
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
