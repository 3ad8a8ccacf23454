package dev.eventsync.support;

import com.google.protobuf.ByteString;
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
}
