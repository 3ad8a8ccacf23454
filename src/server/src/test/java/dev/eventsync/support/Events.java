package dev.eventsync.support;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.ConversationNameChanged;
import dev.eventsync.proto.v1.DisplayNameChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.UserIsTyping;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.MessageDeleted;
import dev.eventsync.proto.v1.MessageEdited;
import dev.eventsync.proto.v1.MessagesDelivered;
import dev.eventsync.proto.v1.ReactionsChanged;
import dev.eventsync.proto.v1.UserBlocked;
import java.util.Arrays;
import java.util.UUID;

/** Submittable events as a client builds them, each with a fresh event uuid. */
public final class Events {

    /** The 8-byte PNG signature followed by a few bytes: enough for the server's check. */
    public static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    private Events() {}

    public static String newUuid() {
        return UUID.randomUUID().toString();
    }

    private static Event.Builder event() {
        return Event.newBuilder().setUuid(newUuid());
    }

    public static Event createConversation(String conversation, String name, String... members) {
        return event().setConversationCreated(ConversationCreated.newBuilder()
                .setConversationUuid(conversation).setName(name).addAllMemberUuids(Arrays.asList(members))).build();
    }

    public static Event rename(String conversation, String name) {
        return event().setConversationNameChanged(ConversationNameChanged.newBuilder()
                .setConversationUuid(conversation).setNewName(name)).build();
    }

    public static Event addMember(String conversation, String user) {
        return event().setMemberJoined(MemberJoined.newBuilder().setConversationUuid(conversation).setUserUuid(user)).build();
    }

    /** {@code user} empty: the caller leaves. */
    public static Event removeMember(String conversation, String user) {
        return event().setMemberLeft(MemberLeft.newBuilder().setConversationUuid(conversation).setUserUuid(user)).build();
    }

    public static Event leave(String conversation) {
        return removeMember(conversation, "");
    }

    public static Event send(String conversation, String text) {
        return event().setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(newUuid())
                .setMessage(Message.newBuilder().setConversationUuid(conversation).setText(text))).build();
    }

    public static Event read(String conversation, String message) {
        return event().setReadNewMessage(ReadNewMessage.newBuilder().setConversationUuid(conversation).setUuid(message)).build();
    }

    public static Event displayName(String name) {
        return event().setDisplayNameChanged(DisplayNameChanged.newBuilder().setDisplayName(name)).build();
    }

    public static Event picture(byte[] png) {
        return event().setProfilePictureChanged(ProfilePictureChanged.newBuilder().setPngImage(ByteString.copyFrom(png))).build();
    }

    public static Event typing(String conversation) {
        return event().setUserIsTyping(UserIsTyping.newBuilder().setConversationUuid(conversation).setTyping(true)).build();
    }

    // v1.1

    public static Event reply(String conversation, String text, String replyTo, String... mentions) {
        return event().setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(newUuid())
                .setMessage(Message.newBuilder().setConversationUuid(conversation).setText(text)
                        .setReplyToMessageUuid(replyTo).addAllMentionedUserUuids(Arrays.asList(mentions)))).build();
    }

    /** A message with these attachments (the client's part: media uuid, name, sizes, thumbnail). */
    public static Event sendWithAttachments(String conversation, String text, Attachment... attachments) {
        return event().setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(newUuid())
                .setMessage(Message.newBuilder().setConversationUuid(conversation).setText(text)
                        .addAllAttachments(Arrays.asList(attachments)))).build();
    }

    public static Attachment attachment(String media, String fileName) {
        return Attachment.newBuilder().setMediaUuid(media).setFileName(fileName).build();
    }

    /** A profile picture by uploaded media. */
    public static Event pictureMedia(String media) {
        return event().setProfilePictureChanged(ProfilePictureChanged.newBuilder().setMediaUuid(media)).build();
    }

    public static Event mention(String conversation, String text, String... mentions) {
        return reply(conversation, text, "", mentions);
    }

    public static Event edit(String conversation, String message, String text, String... mentions) {
        return event().setMessageEdited(MessageEdited.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(message).setText(text).addAllMentionedUserUuids(Arrays.asList(mentions))).build();
    }

    public static Event delete(String conversation, String message) {
        return event().setMessageDeleted(MessageDeleted.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(message)).build();
    }

    public static Event react(String conversation, String message, String... reactions) {
        return event().setReactionsChanged(ReactionsChanged.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(message).addAllReactions(Arrays.asList(reactions))).build();
    }

    public static Event delivered(String conversation, String message) {
        return event().setMessagesDelivered(MessagesDelivered.newBuilder().setConversationUuid(conversation)
                .setUpToMessageUuid(message)).build();
    }

    public static Event settings(String conversation, boolean archived, boolean pinned) {
        return event().setConversationSettingsChanged(ConversationSettingsChanged.newBuilder()
                .setConversationUuid(conversation).setArchived(archived).setPinned(pinned)).build();
    }

    public static Event block(String user, boolean blocked) {
        return event().setUserBlocked(UserBlocked.newBuilder().setUserUuid(user).setBlocked(blocked)).build();
    }

    public static Event role(String conversation, String user, boolean admin) {
        return event().setMemberRoleChanged(MemberRoleChanged.newBuilder().setConversationUuid(conversation)
                .setUserUuid(user).setAdmin(admin)).build();
    }
}
