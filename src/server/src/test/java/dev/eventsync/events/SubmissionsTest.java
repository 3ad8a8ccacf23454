package dev.eventsync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
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
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.SentNewMessage;
import dev.eventsync.proto.v1.SyncCaughtUp;
import dev.eventsync.proto.v1.UserIsConnected;
import dev.eventsync.proto.v1.UserIsTyping;
import dev.eventsync.support.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

/**
 * The parser of submitted events: the first two steps of API.md's order (malformed uuid or no
 * content; not submittable), malformed fields kept for after the duplicate step, the content
 * hash that decides "the same content" of a resend, and the per-call event limit.
 */
class SubmissionsTest {

    final Submissions submissions = new Submissions(Limits.defaults());

    static final String CONVERSATION = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
    static final String USER = "0e9d8c7b-6a59-4483-9271-605f4e3d2c1b";
    static final String OTHER = "11111111-2222-4333-8444-555555555555";
    static final String EVENT = "a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3";

    static Timestamp time(long seconds) {
        return Timestamp.newBuilder().setSeconds(seconds).build();
    }

    static void assertRefused(Submission submission, Reason reason) {
        assertThat(submission).isInstanceOfSatisfying(Submission.Refused.class,
                r -> assertThat(r.rejection().reason()).as(r.rejection().detail()).isEqualTo(reason));
    }

    @Nested
    class EventUuid {

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {
                "",
                "A0B1C2D3-E4F5-4A6B-8C7D-8E9FA0B1C2D3",
                "a0b1c2d3-e4f5-4a6b-8C7D-8e9fa0b1c2d3",
                "00000000-0000-0000-0000-000000000000",
                "{a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3}",
                "a0b1c2d3e4f54a6b8c7d8e9fa0b1c2d3",
                "a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d",
                "a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3a",
                " a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3",
                "urn:uuid:a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3",
                "g0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3",
                "a0b1c2d3-e4f54a6b-8c7d-8e9fa0b1c2d3-",
                "1-1-1-1-1"})
        void thatIsNotCanonicalLowercaseNonNilIsInvalid(String uuid) {
            Submission submission = submissions.parse(Events.displayName("me").toBuilder().setUuid(uuid).build());

            assertRefused(submission, Reason.INVALID);
            assertThat(submission.clientUuid()).isEqualTo(uuid);
        }

        @Test
        void thatIsMalformedIsInvalidBeforeNotSubmittable() {
            Event newMessage = Event.newBuilder().setUuid("nope").setNewMessage(NewMessage.getDefaultInstance()).build();
            assertRefused(submissions.parse(newMessage), Reason.INVALID);
        }

        @Test
        void thatIsCanonicalIsParsedAndEchoed() {
            Submission submission = submissions.parse(Events.displayName("me").toBuilder().setUuid(EVENT).build());

            assertThat(submission).isInstanceOfSatisfying(Submission.Storable.class, s -> {
                assertThat(s.clientUuid()).isEqualTo(EVENT);
                assertThat(s.eventUuid()).isEqualTo(UUID.fromString(EVENT));
                assertThat(s.malformed()).isNull();
                assertThat(s.command()).isEqualTo(new Command.ChangeDisplayName(null, "me"));
            });
        }
    }

    @Nested
    class Content {

        @Test
        void noContentIsInvalid() {
            assertRefused(submissions.parse(Event.newBuilder().setUuid(EVENT).build()), Reason.INVALID);
        }

        @Test
        void noContentButServerFieldsIsStillInvalid() {
            assertRefused(submissions.parse(Event.newBuilder().setUuid(EVENT).setAuthorUuid(USER)
                    .setOccurredAt(time(1)).build()), Reason.INVALID);
        }

        static Stream<Named<Event>> serverGenerated() {
            return Stream.of(
                    Named.of("sent_new_message", Event.newBuilder().setUuid(EVENT)
                            .setSentNewMessage(SentNewMessage.newBuilder().setUuid(OTHER).setLocalUuid(USER)).build()),
                    Named.of("new_message", Event.newBuilder().setUuid(EVENT)
                            .setNewMessage(NewMessage.newBuilder().setUuid(OTHER)).build()),
                    Named.of("user_is_connected", Event.newBuilder().setUuid(EVENT)
                            .setUserIsConnected(UserIsConnected.newBuilder().setUserUuid(USER).setConnected(true)).build()),
                    Named.of("sync_caught_up", Event.newBuilder().setUuid(EVENT)
                            .setSyncCaughtUp(SyncCaughtUp.getDefaultInstance()).build()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("serverGenerated")
        void generatedByTheServerIsNotSubmittable(Event event) {
            assertRefused(submissions.parse(event), Reason.NOT_SUBMITTABLE);
        }

        @Test
        void typingIsTransitoryWithItsUuidForCorrelation() {
            Event typing = Event.newBuilder().setUuid(EVENT)
                    .setUserIsTyping(UserIsTyping.newBuilder().setConversationUuid(CONVERSATION).setTyping(true)).build();

            assertThat(submissions.parse(typing)).isEqualTo(new Submission.Transitory(EVENT, UUID.fromString(EVENT),
                    new Command.SetTyping(UUID.fromString(CONVERSATION), true)));
        }
    }

    @Nested
    class MalformedFieldsAreDeferred {

        static Stream<Named<Event>> malformed() {
            String bad = CONVERSATION.toUpperCase();
            return Stream.of(
                    Named.of("conversation_created.conversation_uuid", Event.newBuilder().setUuid(EVENT)
                            .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(bad).setName("x")).build()),
                    Named.of("conversation_created.member_uuids", Event.newBuilder().setUuid(EVENT)
                            .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(CONVERSATION)
                                    .setName("x").addMemberUuids(USER).addMemberUuids("not-a-uuid")).build()),
                    Named.of("conversation_created.member_uuids (empty)", Event.newBuilder().setUuid(EVENT)
                            .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(CONVERSATION)
                                    .setName("x").addMemberUuids("")).build()),
                    Named.of("conversation_name_changed.conversation_uuid (missing)", Event.newBuilder().setUuid(EVENT)
                            .setConversationNameChanged(ConversationNameChanged.newBuilder().setNewName("x")).build()),
                    Named.of("member_joined.user_uuid (missing)", Event.newBuilder().setUuid(EVENT)
                            .setMemberJoined(MemberJoined.newBuilder().setConversationUuid(CONVERSATION)).build()),
                    Named.of("member_joined.conversation_uuid (nil)", Event.newBuilder().setUuid(EVENT)
                            .setMemberJoined(MemberJoined.newBuilder().setConversationUuid("00000000-0000-0000-0000-000000000000")
                                    .setUserUuid(USER)).build()),
                    Named.of("member_left.user_uuid (braces)", Event.newBuilder().setUuid(EVENT)
                            .setMemberLeft(MemberLeft.newBuilder().setConversationUuid(CONVERSATION).setUserUuid("{" + USER + "}")).build()),
                    Named.of("sending_new_message.local_uuid (missing)", Event.newBuilder().setUuid(EVENT)
                            .setSendingNewMessage(SendingNewMessage.newBuilder()
                                    .setMessage(Message.newBuilder().setConversationUuid(CONVERSATION).setText("hi"))).build()),
                    Named.of("sending_new_message.message (missing)", Event.newBuilder().setUuid(EVENT)
                            .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(USER)).build()),
                    Named.of("sending_new_message.message.conversation_uuid (missing)", Event.newBuilder().setUuid(EVENT)
                            .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(USER)
                                    .setMessage(Message.newBuilder().setText("hi"))).build()),
                    Named.of("read_new_message.uuid (missing)", Event.newBuilder().setUuid(EVENT)
                            .setReadNewMessage(ReadNewMessage.newBuilder().setConversationUuid(CONVERSATION)).build()),
                    Named.of("display_name_changed.user_uuid (short)", Event.newBuilder().setUuid(EVENT)
                            .setDisplayNameChanged(DisplayNameChanged.newBuilder().setUserUuid(USER.substring(1))
                                    .setDisplayName("me")).build()),
                    Named.of("profile_picture_changed.user_uuid (uppercase)", Event.newBuilder().setUuid(EVENT)
                            .setProfilePictureChanged(ProfilePictureChanged.newBuilder().setUserUuid(USER.toUpperCase())
                                    .setPngImage(ByteString.copyFrom(Events.PNG))).build()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("malformed")
        void asAStorableCarryingTheRejectionAndTheContentHash(Event event) {
            Submission submission = submissions.parse(event);

            assertThat(submission).isInstanceOfSatisfying(Submission.Storable.class, s -> {
                assertThat(s.eventUuid()).isEqualTo(UUID.fromString(EVENT));
                assertThat(s.command()).isNull();
                assertThat(s.malformed()).isNotNull();
                assertThat(s.malformed().reason()).isEqualTo(Reason.INVALID);
                assertThat(s.contentHash()).isEqualTo(Submissions.contentHash(event));
            });
        }

        @Test
        void butTypingWithAMalformedConversationIsRefusedAtOnceAsItHasNoDuplicateStep() {
            Event typing = Event.newBuilder().setUuid(EVENT)
                    .setUserIsTyping(UserIsTyping.newBuilder().setConversationUuid("x").setTyping(true)).build();
            assertRefused(submissions.parse(typing), Reason.INVALID);
        }

        @Test
        void emptyOptionalUuidsAreNotMalformed() {
            Event leave = Event.newBuilder().setUuid(EVENT)
                    .setMemberLeft(MemberLeft.newBuilder().setConversationUuid(CONVERSATION)).build();
            assertThat(submissions.parse(leave)).isInstanceOfSatisfying(Submission.Storable.class,
                    s -> assertThat(s.command()).isEqualTo(new Command.RemoveMember(UUID.fromString(CONVERSATION), null)));
        }
    }

    @Nested
    class ContentHash {

        /** The event as a client first submits it: every client field set. */
        static Stream<Arguments> serverFieldChanges() {
            Event message = Event.newBuilder().setUuid(EVENT).setSendingNewMessage(SendingNewMessage.newBuilder()
                    .setLocalUuid(OTHER)
                    .setMessage(Message.newBuilder().setConversationUuid(CONVERSATION).setText("hi"))).build();
            Event rename = Event.newBuilder().setUuid(EVENT).setConversationNameChanged(ConversationNameChanged.newBuilder()
                    .setConversationUuid(CONVERSATION).setNewName("lunch")).build();
            Event join = Event.newBuilder().setUuid(EVENT).setMemberJoined(MemberJoined.newBuilder()
                    .setConversationUuid(CONVERSATION).setUserUuid(USER)).build();
            Event left = Event.newBuilder().setUuid(EVENT).setMemberLeft(MemberLeft.newBuilder()
                    .setConversationUuid(CONVERSATION).setUserUuid(USER)).build();
            Event read = Event.newBuilder().setUuid(EVENT).setReadNewMessage(ReadNewMessage.newBuilder()
                    .setConversationUuid(CONVERSATION).setUuid(OTHER)).build();
            Event name = Event.newBuilder().setUuid(EVENT).setDisplayNameChanged(DisplayNameChanged.newBuilder()
                    .setDisplayName("me")).build();
            return Stream.of(
                    change("Event.author_uuid", name, e -> e.toBuilder().setAuthorUuid(USER).build()),
                    change("Event.occurred_at", name, e -> e.toBuilder().setOccurredAt(time(1_700_000_000)).build()),
                    change("Event.author_uuid and occurred_at of a message", message,
                            e -> e.toBuilder().setAuthorUuid(USER).setOccurredAt(time(5)).build()),
                    change("Message.uuid", message, e -> withMessage(e, m -> m.setUuid(USER))),
                    change("Message.author_uuid", message, e -> withMessage(e, m -> m.setAuthorUuid(USER))),
                    change("Message.sent_at", message, e -> withMessage(e, m -> m.setSentAt(time(7)))),
                    change("MemberJoined.added_by_uuid", join, e -> e.toBuilder()
                            .setMemberJoined(e.getMemberJoined().toBuilder().setAddedByUuid(OTHER)).build()),
                    change("MemberJoined.conversation_name", join, e -> e.toBuilder()
                            .setMemberJoined(e.getMemberJoined().toBuilder().setConversationName("lunch")).build()),
                    change("MemberJoined.member_uuids", join, e -> e.toBuilder()
                            .setMemberJoined(e.getMemberJoined().toBuilder().addMemberUuids(USER).addMemberUuids(OTHER)).build()),
                    change("MemberLeft.removed_by_uuid", left, e -> e.toBuilder()
                            .setMemberLeft(e.getMemberLeft().toBuilder().setRemovedByUuid(OTHER)).build()),
                    change("ReadNewMessage.reader_uuid", read, e -> e.toBuilder()
                            .setReadNewMessage(e.getReadNewMessage().toBuilder().setReaderUuid(USER)).build()),
                    change("ConversationNameChanged.author_uuid", rename, e -> e.toBuilder()
                            .setConversationNameChanged(e.getConversationNameChanged().toBuilder().setAuthorUuid(USER)).build()),
                    change("ConversationNameChanged.occurred_at", rename, e -> e.toBuilder()
                            .setConversationNameChanged(e.getConversationNameChanged().toBuilder().setOccurredAt(time(9))).build()));
        }

        static Stream<Arguments> clientFieldChanges() {
            Event message = Event.newBuilder().setUuid(EVENT).setSendingNewMessage(SendingNewMessage.newBuilder()
                    .setLocalUuid(OTHER)
                    .setMessage(Message.newBuilder().setConversationUuid(CONVERSATION).setText("hi"))).build();
            Event create = Event.newBuilder().setUuid(EVENT).setConversationCreated(ConversationCreated.newBuilder()
                    .setConversationUuid(CONVERSATION).setName("lunch").addMemberUuids(USER)).build();
            Event rename = Event.newBuilder().setUuid(EVENT).setConversationNameChanged(ConversationNameChanged.newBuilder()
                    .setConversationUuid(CONVERSATION).setNewName("lunch")).build();
            Event join = Event.newBuilder().setUuid(EVENT).setMemberJoined(MemberJoined.newBuilder()
                    .setConversationUuid(CONVERSATION).setUserUuid(USER)).build();
            Event left = Event.newBuilder().setUuid(EVENT).setMemberLeft(MemberLeft.newBuilder()
                    .setConversationUuid(CONVERSATION)).build();
            Event read = Event.newBuilder().setUuid(EVENT).setReadNewMessage(ReadNewMessage.newBuilder()
                    .setConversationUuid(CONVERSATION).setUuid(OTHER)).build();
            Event name = Event.newBuilder().setUuid(EVENT).setDisplayNameChanged(DisplayNameChanged.newBuilder()
                    .setDisplayName("me")).build();
            Event picture = Event.newBuilder().setUuid(EVENT).setProfilePictureChanged(ProfilePictureChanged.newBuilder()
                    .setPngImage(ByteString.copyFrom(Events.PNG))).build();
            return Stream.of(
                    change("Message.text", message, e -> withMessage(e, m -> m.setText("ho"))),
                    change("Message.conversation_uuid", message, e -> withMessage(e, m -> m.setConversationUuid(USER))),
                    change("SendingNewMessage.local_uuid", message, e -> e.toBuilder()
                            .setSendingNewMessage(e.getSendingNewMessage().toBuilder().setLocalUuid(USER)).build()),
                    change("ConversationCreated.name", create, e -> e.toBuilder()
                            .setConversationCreated(e.getConversationCreated().toBuilder().setName("dinner")).build()),
                    change("ConversationCreated.member_uuids", create, e -> e.toBuilder()
                            .setConversationCreated(e.getConversationCreated().toBuilder().addMemberUuids(OTHER)).build()),
                    change("ConversationCreated.conversation_uuid", create, e -> e.toBuilder()
                            .setConversationCreated(e.getConversationCreated().toBuilder().setConversationUuid(OTHER)).build()),
                    change("ConversationNameChanged.new_name", rename, e -> e.toBuilder()
                            .setConversationNameChanged(e.getConversationNameChanged().toBuilder().setNewName("dinner")).build()),
                    change("MemberJoined.user_uuid", join, e -> e.toBuilder()
                            .setMemberJoined(e.getMemberJoined().toBuilder().setUserUuid(OTHER)).build()),
                    change("MemberLeft.user_uuid (leave vs remove)", left, e -> e.toBuilder()
                            .setMemberLeft(e.getMemberLeft().toBuilder().setUserUuid(USER)).build()),
                    change("ReadNewMessage.uuid", read, e -> e.toBuilder()
                            .setReadNewMessage(e.getReadNewMessage().toBuilder().setUuid(USER)).build()),
                    change("DisplayNameChanged.display_name", name, e -> e.toBuilder()
                            .setDisplayNameChanged(e.getDisplayNameChanged().toBuilder().setDisplayName("you")).build()),
                    change("ProfilePictureChanged.png_image", picture, e -> e.toBuilder()
                            .setProfilePictureChanged(e.getProfilePictureChanged().toBuilder()
                                    .setPngImage(ByteString.copyFrom(Events.PNG).concat(ByteString.copyFromUtf8("x")))).build()),
                    change("the kind of content", name, e -> e.toBuilder().setConversationNameChanged(
                            ConversationNameChanged.newBuilder().setConversationUuid(CONVERSATION).setNewName("me")).build()));
        }

        static Arguments change(String field, Event original, UnaryOperator<Event> change) {
            return Arguments.of(Named.of(field, original), change);
        }

        static Event withMessage(Event event, UnaryOperator<Message.Builder> change) {
            SendingNewMessage sending = event.getSendingNewMessage();
            return event.toBuilder().setSendingNewMessage(sending.toBuilder()
                    .setMessage(change.apply(sending.getMessage().toBuilder()))).build();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("serverFieldChanges")
        void isEqualWhenOnlyAServerSetFieldDiffers(Event original, UnaryOperator<Event> change) {
            Event resend = change.apply(original);
            assertThat(resend).isNotEqualTo(original);

            assertThat(Submissions.contentHash(resend)).isEqualTo(Submissions.contentHash(original));
            assertThat(hashOf(submissions.parse(resend))).isEqualTo(hashOf(submissions.parse(original)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("clientFieldChanges")
        void differsWhenAClientFieldDiffers(Event original, UnaryOperator<Event> change) {
            Event other = change.apply(original);

            assertThat(Submissions.contentHash(other)).isNotEqualTo(Submissions.contentHash(original));
            assertThat(hashOf(submissions.parse(other))).isNotEqualTo(hashOf(submissions.parse(original)));
        }

        @Test
        void isStableForEqualEvents() {
            Event name = Events.displayName("me");
            assertThat(Submissions.contentHash(name)).isEqualTo(Submissions.contentHash(name.toBuilder().build()));
        }

        @Test
        void ignoresUnknownFieldsAClientAdds() throws Exception {
            Event message = Events.send(CONVERSATION, "hi");
            ByteString withUnknown = message.toByteString().concat(unknownField(999, "from a newer client"));
            Event resend = Event.parseFrom(withUnknown);
            assertThat(resend.getUnknownFields().asMap()).containsKey(999);

            assertThat(Submissions.contentHash(resend)).isEqualTo(Submissions.contentHash(message));
            assertThat(Submissions.legacyContentHash(resend)).as("why the hash changed")
                    .isNotEqualTo(Submissions.legacyContentHash(message));
        }

        @Test
        void doesNotDependOnTheOrderOfFieldsOnTheWire() throws Exception {
            Event message = Events.send(CONVERSATION, "hi");
            SendingNewMessage sending = message.getSendingNewMessage();
            // The same fields, each message's written last field first.
            ByteString.Output inner = ByteString.newOutput();
            CodedOutputStream innerOut = CodedOutputStream.newInstance(inner);
            innerOut.writeMessage(SendingNewMessage.MESSAGE_FIELD_NUMBER, sending.getMessage());
            innerOut.writeString(SendingNewMessage.LOCAL_UUID_FIELD_NUMBER, sending.getLocalUuid());
            innerOut.flush();
            ByteString.Output outer = ByteString.newOutput();
            CodedOutputStream out = CodedOutputStream.newInstance(outer);
            out.writeBytes(Event.SENDING_NEW_MESSAGE_FIELD_NUMBER, inner.toByteString());
            out.writeString(Event.UUID_FIELD_NUMBER, message.getUuid());
            out.flush();
            assertThat(outer.toByteString()).isNotEqualTo(message.toByteString());

            Event reordered = Event.parseFrom(outer.toByteString());
            assertThat(reordered).isEqualTo(message);
            assertThat(Submissions.contentHash(reordered)).isEqualTo(Submissions.contentHash(message));
        }

        @Test
        void carriesTheLegacyHashForEventsStoredBeforeIt() {
            Event name = Events.displayName("me");
            Submission.Storable parsed = (Submission.Storable) submissions.parse(name);
            assertThat(parsed.contentHash()).isEqualTo(Submissions.contentHash(name));
            assertThat(parsed.legacyContentHash()).isEqualTo(Submissions.legacyContentHash(name))
                    .isNotEqualTo(parsed.contentHash());
        }

        static ByteString unknownField(int number, String value) throws Exception {
            ByteString.Output bytes = ByteString.newOutput();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeString(number, value);
            out.flush();
            return bytes.toByteString();
        }

        byte[] hashOf(Submission submission) {
            assertThat(submission).isInstanceOf(Submission.Storable.class);
            return ((Submission.Storable) submission).contentHash();
        }
    }

    @Nested
    class PerCallLimit {

        final Limits limits = new Limits(100, DataSize.ofMegabytes(4), 10, 10, 10, 10,
                DataSize.ofKilobytes(1));
        final Submissions limited = new Submissions(limits);

        List<Event> events(int count) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                events.add(Events.displayName("n" + i));
            }
            return events;
        }

        @Test
        void noEventsGiveNoSubmissions() {
            assertThat(limited.parseCall(List.of())).isEmpty();
        }

        @Test
        void exactlyTheLimitIsParsedOneSubmissionPerEventInOrder() {
            List<Event> events = events(100);

            List<Submission> parsed = limited.parseCall(events);

            assertThat(parsed).extracting(Submission::clientUuid)
                    .containsExactlyElementsOf(events.stream().map(Event::getUuid).toList());
        }

        @Test
        void oneMoreThanTheLimitRejectsTheWholeCallAsTooLarge() {
            assertThatThrownBy(() -> limited.parseCall(events(101)))
                    .isInstanceOfSatisfying(CallRejected.class,
                            e -> assertThat(e.problem()).isEqualTo(CallRejected.Problem.TOO_LARGE))
                    .hasMessageContaining("100");
        }

        @Test
        void aRefusedEventDoesNotStopTheOthers() {
            List<Event> events = List.of(Events.displayName("a"), Event.newBuilder().setUuid("bad").build(),
                    Events.displayName("b"));

            assertThat(limited.parseCall(events)).extracting(s -> s.getClass().getSimpleName())
                    .containsExactly("Storable", "Refused", "Storable");
        }
    }
}
