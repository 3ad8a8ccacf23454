package dev.eventsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.DisplayNameChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.UserIsTyping;
import dev.eventsync.support.Events;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The per-event rules of API.md ("Exact rules of Sync") and their order of precedence, decided
 * by {@link Decider} over an in-memory {@link State}. Submissions are built the way the server
 * builds them, with {@link Submissions#parse}: no database, no gRPC, no Spring.
 */
class DeciderTest {

    static final int MAX_MESSAGE = 5;
    static final int MAX_CONVERSATION_NAME = 6;
    static final int MAX_DISPLAY_NAME = 4;
    static final int MAX_MEMBERS = 3;
    static final int MAX_PICTURE = 64;

    static final Limits LIMITS = new Limits(100, DataSize.ofMegabytes(4), MAX_MESSAGE, MAX_CONVERSATION_NAME,
            MAX_DISPLAY_NAME, MAX_MEMBERS, DataSize.ofBytes(MAX_PICTURE));

    /** One code point, two UTF-16 chars (a surrogate pair). */
    static final String EMOJI = "\uD83D\uDE00"; // U+1F600

    final Decider decider = new Decider(LIMITS);
    final Submissions submissions = new Submissions(LIMITS);
    final MemoryState state = new MemoryState();

    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    final UUID carol = UUID.randomUUID();
    final UUID dave = UUID.randomUUID();

    /** A conversation of alice and bob, with one message in it. */
    final UUID chat = UUID.randomUUID();
    final UUID chatMessage = UUID.randomUUID();
    /** A conversation alice is not in, with one message in it. */
    final UUID elsewhere = UUID.randomUUID();
    final UUID elsewhereMessage = UUID.randomUUID();
    final UUID unknownConversation = UUID.randomUUID();

    DeciderTest() {
        state.conversation(chat, "chat", alice, bob);
        state.message(chat, chatMessage, bob);
        state.conversation(elsewhere, "other", bob, carol);
        state.message(elsewhere, elsewhereMessage, bob);
    }

    // ---------------------------------------------------------------- helpers

    Outcome decide(UUID caller, Event event) {
        return decider.decide(caller, submissions.parse(event), state);
    }

    static void assertRefused(Outcome outcome, Reason expected) {
        assertThat(outcome)
                .as("expected a %s rejection", expected)
                .isInstanceOfSatisfying(Outcome.Refuse.class,
                        refuse -> assertThat(refuse.rejection().reason()).as(refuse.rejection().detail()).isEqualTo(expected));
    }

    static Command assertAccepted(Outcome outcome) {
        assertThat(outcome).as("expected Accept, got %s", outcome).isInstanceOf(Outcome.Accept.class);
        return ((Outcome.Accept) outcome).command();
    }

    /** Records {@code event} as already stored by {@code author}, as the store would. */
    KnownEvent stored(Event event, UUID author) {
        KnownEvent known = new KnownEvent(UUID.fromString(event.getUuid()), author, Submissions.contentHash(event),
                Instant.parse("2026-01-01T00:00:00Z"), null, false);
        state.store(known);
        return known;
    }

    static String s(UUID uuid) {
        return uuid.toString();
    }

    static Event withUuid(Event event, String uuid) {
        return event.toBuilder().setUuid(uuid).build();
    }

    static Event sendWithoutLocalUuid(UUID conversation, String text) {
        return Event.newBuilder().setUuid(Events.newUuid()).setSendingNewMessage(SendingNewMessage.newBuilder()
                .setMessage(Message.newBuilder().setConversationUuid(conversation.toString()).setText(text))).build();
    }

    static Event createWithMembers(UUID conversation, String name, String... members) {
        return Event.newBuilder().setUuid(Events.newUuid()).setConversationCreated(ConversationCreated.newBuilder()
                .setConversationUuid(conversation.toString()).setName(name).addAllMemberUuids(Arrays.asList(members))).build();
    }

    static Event displayNameFor(String user, String name) {
        return Event.newBuilder().setUuid(Events.newUuid()).setDisplayNameChanged(DisplayNameChanged.newBuilder()
                .setUserUuid(user).setDisplayName(name)).build();
    }

    static Event pictureFor(String user, byte[] png) {
        return Event.newBuilder().setUuid(Events.newUuid()).setProfilePictureChanged(ProfilePictureChanged.newBuilder()
                .setUserUuid(user).setPngImage(ByteString.copyFrom(png))).build();
    }

    static String repeat(String unit, int times) {
        return unit.repeat(times);
    }

    /** A PNG signature padded with zeros to {@code size} bytes. */
    static byte[] png(int size) {
        return Arrays.copyOf(Events.PNG, size);
    }

    // ---------------------------------------------------------------- the steps, in order

    @Nested
    class RefusedBeforeAnyStateIsRead {

        @Test
        void aMalformedEventUuidIsInvalidEvenWhenTheContentIsFine() {
            assertRefused(decide(alice, withUuid(Events.send(s(chat), "hi"), "NOT-A-UUID")), Reason.INVALID);
        }

        @Test
        void aServerGeneratedKindIsNotSubmittableEvenWhenItsUuidIsStoredAsADuplicateWouldBe() {
            Event newMessage = Event.newBuilder().setUuid(Events.newUuid())
                    .setNewMessage(NewMessage.newBuilder().setUuid(Events.newUuid())).build();
            state.store(new KnownEvent(UUID.fromString(newMessage.getUuid()), alice, Submissions.contentHash(newMessage),
                    Instant.EPOCH, null, false));

            assertRefused(decide(alice, newMessage), Reason.NOT_SUBMITTABLE);
        }
    }

    @Nested
    class DuplicateOrUuidConflict {

        @Test
        void theSameUuidAndContentFromTheSameAuthorIsADuplicateAnsweredWithTheOriginal() {
            Event send = Events.send(s(chat), "hi");
            KnownEvent original = stored(send, alice);

            Outcome outcome = decide(alice, send);

            assertThat(outcome).isEqualTo(new Outcome.Duplicate(original));
        }

        @Test
        void aResendDifferingOnlyInServerSetFieldsIsStillADuplicate() {
            Event send = Events.send(s(chat), "hi");
            KnownEvent original = stored(send, alice);
            Event resend = send.toBuilder()
                    .setAuthorUuid(s(bob))
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(42))
                    .build();

            assertThat(decide(alice, resend)).isEqualTo(new Outcome.Duplicate(original));
        }

        @Test
        void aResendAfterTheCallerLeftTheConversationIsStillADuplicate() {
            Event send = Events.send(s(chat), "hi");
            KnownEvent original = stored(send, alice);
            state.members(chat).remove(alice);

            assertThat(decide(alice, send)).isEqualTo(new Outcome.Duplicate(original));
        }

        @Test
        void aResendOfAConversationCreatedIsADuplicateNotAConversationConflict() {
            UUID created = UUID.randomUUID();
            Event create = Events.createConversation(s(created), "new", s(bob));
            KnownEvent original = stored(create, alice);
            state.conversation(created, "new", alice, bob);

            assertThat(decide(alice, create)).isEqualTo(new Outcome.Duplicate(original));
        }

        @Test
        void aResendOfAnEventStoredUnderTheLegacyHashIsStillADuplicate() {
            Event message = Events.send(s(chat), "stored before v1.1");
            state.store(new KnownEvent(UUID.fromString(message.getUuid()), alice, Submissions.legacyContentHash(message),
                    Instant.parse("2026-01-01T00:00:00Z"), null, false));

            assertThat(decide(alice, message)).isInstanceOf(Outcome.Duplicate.class);
            assertRefused(decide(alice, withUuid(Events.send(s(chat), "other content"), message.getUuid())),
                    Reason.UUID_CONFLICT);
        }

        @Test
        void theLegacyHashIsComputedOnlyForAResendWhoseStoredHashIsNotTheCanonicalOne() {
            Event fresh = Events.send(s(chat), "new");
            Event resent = Events.send(s(chat), "stored under the canonical hash");
            stored(resent, alice);
            Event old = Events.send(s(chat), "stored before v1.1");
            state.store(new KnownEvent(UUID.fromString(old.getUuid()), alice, Submissions.legacyContentHash(old),
                    Instant.parse("2026-01-01T00:00:00Z"), null, false));
            int[] computed = new int[1];

            assertThat(decider.decide(alice, counting(fresh, computed), state)).isInstanceOf(Outcome.Accept.class);
            assertThat(decider.decide(alice, counting(resent, computed), state)).isInstanceOf(Outcome.Duplicate.class);
            assertThat(computed[0]).as("legacy hashes computed for a new event and a canonical resend").isZero();
            assertThat(decider.decide(alice, counting(old, computed), state)).isInstanceOf(Outcome.Duplicate.class);
            assertThat(computed[0]).as("legacy hashes computed for the resend of an event stored before v1.1").isEqualTo(1);
        }

        /** The parsed event, counting each computation of its legacy hash. */
        Submission.Storable counting(Event event, int[] computed) {
            Submission.Storable parsed = (Submission.Storable) submissions.parse(event);
            return new Submission.Storable(parsed.clientUuid(), parsed.eventUuid(), parsed.contentHash(), () -> {
                computed[0]++;
                return parsed.legacyContentHash();
            }, parsed.command(), parsed.malformed(), parsed.createsConversation());
        }

        @Test
        void theSameUuidWithOtherContentFromTheSameAuthorIsAUuidConflict() {
            Event send = Events.send(s(chat), "hi");
            stored(send, alice);
            Event other = send.toBuilder()
                    .setSendingNewMessage(send.getSendingNewMessage().toBuilder()
                            .setMessage(send.getSendingNewMessage().getMessage().toBuilder().setText("hello")))
                    .build();

            assertRefused(decide(alice, other), Reason.UUID_CONFLICT);
        }

        @Test
        void theSameUuidAndContentFromAnotherAuthorIsAUuidConflict() {
            Event send = Events.send(s(chat), "hi");
            stored(send, bob);

            assertRefused(decide(alice, send), Reason.UUID_CONFLICT);
        }

        @Test
        void aUuidConflictIsReportedBeforeAMalformedField() {
            Event stored = Events.displayName("me");
            stored(stored, alice);
            Event malformed = withUuid(Events.send("not-a-uuid", "hi"), stored.getUuid());

            assertRefused(decide(alice, malformed), Reason.UUID_CONFLICT);
        }

        @Test
        void aUuidUsedByAnotherUserIsAConflictEvenWhenTheEventWouldBeForbidden() {
            Event stored = Events.displayName("bob");
            stored(stored, bob);

            assertRefused(decide(alice, withUuid(Events.send(s(elsewhere), "hi"), stored.getUuid())), Reason.UUID_CONFLICT);
        }

        @Test
        void aTransitoryEventSkipsTheDuplicateStepItsUuidIsNeverCompared() {
            Event stored = Events.displayName("me");
            stored(stored, bob);
            Event typing = withUuid(Events.typing(s(chat)), stored.getUuid());

            assertThat(decide(alice, typing)).isEqualTo(new Outcome.Live(new Command.SetTyping(chat, true)));
        }
    }

    @Nested
    class ConversationCreatedOnAnExistingConversation {

        @Test
        void isAUuidConflict() {
            assertRefused(decide(alice, Events.createConversation(s(chat), "again", s(carol))), Reason.UUID_CONFLICT);
        }

        @Test
        void isAUuidConflictEvenWhenTheCallerIsNotAMemberOfIt() {
            assertRefused(decide(alice, Events.createConversation(s(elsewhere), "mine")), Reason.UUID_CONFLICT);
        }

        @Test
        void isAUuidConflictBeforeAnOtherInvalidName() {
            assertRefused(decide(alice, Events.createConversation(s(chat), "")), Reason.UUID_CONFLICT);
        }

        @Test
        void isAUuidConflictBeforeAMalformedMemberUuid() {
            // API.md: "A conversation_created whose conversation uuid exists is UUID_CONFLICT at the
            // duplicate step", and the duplicate step comes before "a malformed field: INVALID".
            assertRefused(decide(alice, createWithMembers(chat, "again", "NOT-A-UUID")), Reason.UUID_CONFLICT);
        }

        @Test
        void withAMalformedMemberUuidOnANewConversationIsInvalid() {
            assertRefused(decide(alice, createWithMembers(UUID.randomUUID(), "new", "NOT-A-UUID")), Reason.INVALID);
        }
    }

    @Nested
    class MalformedFieldsComeBeforeStateRules {

        @Test
        void aMissingLocalUuidIsInvalidEvenInAnUnknownConversation() {
            assertRefused(decide(alice, sendWithoutLocalUuid(unknownConversation, "hi")), Reason.INVALID);
        }

        @Test
        void aMalformedConversationUuidIsInvalidNotUnknownConversation() {
            assertRefused(decide(alice, Events.rename(s(chat).toUpperCase(), "x")), Reason.INVALID);
        }

        @Test
        void aMalformedMessageUuidIsInvalidEvenWhereTheCallerIsForbidden() {
            assertRefused(decide(alice, Events.read(s(elsewhere), "{" + UUID.randomUUID() + "}")), Reason.INVALID);
        }

        @Test
        void aMissingMemberJoinedUserIsInvalid() {
            assertRefused(decide(alice, Events.addMember(s(chat), "")), Reason.INVALID);
        }

        @Test
        void aMalformedProfileUserUuidIsInvalidNotForbidden() {
            assertRefused(decide(alice, displayNameFor("00000000-0000-0000-0000-000000000000", "me")), Reason.INVALID);
        }
    }

    @Nested
    class UnknownConversationComesFirstForEveryConversationScopedEvent {

        @Test
        void rename() {
            assertRefused(decide(alice, Events.rename(s(unknownConversation), "")), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void memberJoined() {
            assertRefused(decide(alice, Events.addMember(s(unknownConversation), s(alice))), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void memberLeft() {
            assertRefused(decide(alice, Events.leave(s(unknownConversation))), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void sendingNewMessage() {
            assertRefused(decide(alice, Events.send(s(unknownConversation), repeat("x", MAX_MESSAGE + 1))),
                    Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void readNewMessageBeforeUnknownMessage() {
            assertRefused(decide(alice, Events.read(s(unknownConversation), s(UUID.randomUUID()))),
                    Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void typing() {
            assertRefused(decide(alice, Events.typing(s(unknownConversation))), Reason.UNKNOWN_CONVERSATION);
        }
    }

    @Nested
    class ForbiddenComesBeforeUnknownMessageAndOtherInvalidAndTooLarge {

        @Test
        void renameByANonMemberWithAnEmptyName() {
            assertRefused(decide(alice, Events.rename(s(elsewhere), "")), Reason.FORBIDDEN);
        }

        @Test
        void addingAnExistingMemberByANonMember() {
            assertRefused(decide(alice, Events.addMember(s(elsewhere), s(bob))), Reason.FORBIDDEN);
        }

        @Test
        void removingANonMemberByANonMember() {
            assertRefused(decide(alice, Events.removeMember(s(elsewhere), s(dave))), Reason.FORBIDDEN);
        }

        @Test
        void leavingAConversationTheCallerIsNotIn() {
            assertRefused(decide(alice, Events.leave(s(elsewhere))), Reason.FORBIDDEN);
        }

        @Test
        void sendingEmptyOrTooLongTextAsANonMember() {
            assertRefused(decide(alice, Events.send(s(elsewhere), "")), Reason.FORBIDDEN);
            assertRefused(decide(alice, Events.send(s(elsewhere), repeat("x", MAX_MESSAGE + 1))), Reason.FORBIDDEN);
        }

        @Test
        void readingAnUnknownMessageAsANonMember() {
            assertRefused(decide(alice, Events.read(s(elsewhere), s(UUID.randomUUID()))), Reason.FORBIDDEN);
        }

        @Test
        void readingAMessageOfAConversationTheCallerIsNotIn() {
            assertRefused(decide(alice, Events.read(s(elsewhere), s(elsewhereMessage))), Reason.FORBIDDEN);
        }

        @Test
        void changingAnotherUsersDisplayNameEvenWithAnEmptyName() {
            assertRefused(decide(alice, displayNameFor(s(bob), "")), Reason.FORBIDDEN);
        }

        @Test
        void changingAnotherUsersPictureEvenWithSomethingThatIsNotAPng() {
            assertRefused(decide(alice, pictureFor(s(bob), "GIF89a".getBytes())), Reason.FORBIDDEN);
        }

        @Test
        void changingAnotherUsersPictureEvenWithAnOversizedPicture() {
            assertRefused(decide(alice, pictureFor(s(bob), png(MAX_PICTURE + 1))), Reason.FORBIDDEN);
        }
    }

    @Nested
    class UnknownMessage {

        @Test
        void aMessageThatDoesNotExistIsUnknown() {
            assertRefused(decide(alice, Events.read(s(chat), s(UUID.randomUUID()))), Reason.UNKNOWN_MESSAGE);
        }

        @Test
        void aMessageOfAnotherConversationIsUnknownInThisOne() {
            assertRefused(decide(bob, Events.read(s(chat), s(elsewhereMessage))), Reason.UNKNOWN_MESSAGE);
        }

        @Test
        void aKnownMessageMayBeReadAndReadAgain() {
            assertThat(assertAccepted(decide(alice, Events.read(s(chat), s(chatMessage)))))
                    .isEqualTo(new Command.ReadMessage(chat, chatMessage));
            assertAccepted(decide(alice, Events.read(s(chat), s(chatMessage))));
        }
    }

    @Nested
    class OtherInvalidComesBeforeTooLarge {

        @Test
        void aPictureThatIsNotAPngAndOverTheLimitIsInvalid() {
            byte[] notPng = new byte[MAX_PICTURE + 10];
            assertRefused(decide(alice, Events.picture(notPng)), Reason.INVALID);
        }

        @Test
        void aPngOverTheLimitIsTooLarge() {
            assertRefused(decide(alice, Events.picture(png(MAX_PICTURE + 1))), Reason.TOO_LARGE);
        }

        @Test
        void aPngAtTheLimitIsAccepted() {
            assertAccepted(decide(alice, Events.picture(png(MAX_PICTURE))));
        }
    }

    @Nested
    class UPlus0000IsInvalidInEveryTextField {

        @Test
        void inAConversationNameOnCreateAndRename() {
            assertRefused(decide(alice, Events.createConversation(s(UUID.randomUUID()), "a\u0000b")), Reason.INVALID);
            assertRefused(decide(alice, Events.rename(s(chat), "\u0000")), Reason.INVALID);
        }

        @Test
        void inADisplayName() {
            assertRefused(decide(alice, Events.displayName("x\u0000")), Reason.INVALID);
        }

        @Test
        void inMessageTextEvenWhenTheTextIsAlsoTooLong() {
            assertRefused(decide(alice, Events.send(s(chat), "hi\u0000")), Reason.INVALID);
            assertRefused(decide(alice, Events.send(s(chat), repeat("\u0000", MAX_MESSAGE + 1))), Reason.INVALID);
        }

        @Test
        void afterForbiddenAndUnknownConversationInPrecedence() {
            assertRefused(decide(alice, Events.rename(s(elsewhere), "\u0000")), Reason.FORBIDDEN);
            assertRefused(decide(alice, Events.send(s(unknownConversation), "\u0000")), Reason.UNKNOWN_CONVERSATION);
            assertRefused(decide(alice, displayNameFor(s(bob), "\u0000")), Reason.FORBIDDEN);
        }

        @Test
        void afterTheDuplicateStep() {
            Event resent = Events.send(s(chat), "fine");
            stored(resent, alice);
            Event reused = withUuid(Events.send(s(chat), "\u0000"), resent.getUuid());
            assertRefused(decide(alice, reused), Reason.UUID_CONFLICT);
        }

        @Test
        void otherControlCharactersAreKeptAsSent() {
            Command command = assertAccepted(decide(alice, Events.send(s(chat), "\u0001\t")));
            assertThat(((Command.SendMessage) command).text()).isEqualTo("\u0001\t");
        }
    }

    // ---------------------------------------------------------------- the individual rules

    @Nested
    class LengthsCountCodePoints {

        @Test
        void messageTextOfLimitSurrogatePairsIsAccepted() {
            String text = repeat(EMOJI, MAX_MESSAGE);
            assertThat(text.length()).isEqualTo(2 * MAX_MESSAGE);

            Command command = assertAccepted(decide(alice, Events.send(s(chat), text)));

            assertThat(((Command.SendMessage) command).text()).isEqualTo(text);
        }

        @Test
        void messageTextOverTheLimitInCodePointsIsTooLarge() {
            assertRefused(decide(alice, Events.send(s(chat), repeat(EMOJI, MAX_MESSAGE + 1))), Reason.TOO_LARGE);
        }

        @Test
        void emptyMessageTextIsInvalid() {
            assertRefused(decide(alice, Events.send(s(chat), "")), Reason.INVALID);
        }

        @Test
        void conversationNameOfLimitSurrogatePairsIsAcceptedOnCreateAndRename() {
            String name = repeat(EMOJI, MAX_CONVERSATION_NAME);
            assertAccepted(decide(alice, Events.createConversation(s(UUID.randomUUID()), name)));
            assertAccepted(decide(alice, Events.rename(s(chat), name)));
        }

        @Test
        void conversationNameOverTheLimitIsInvalidNotTooLarge() {
            String name = repeat(EMOJI, MAX_CONVERSATION_NAME + 1);
            assertRefused(decide(alice, Events.createConversation(s(UUID.randomUUID()), name)), Reason.INVALID);
            assertRefused(decide(alice, Events.rename(s(chat), name)), Reason.INVALID);
        }

        @Test
        void emptyConversationNameIsInvalid() {
            assertRefused(decide(alice, Events.createConversation(s(UUID.randomUUID()), "")), Reason.INVALID);
            assertRefused(decide(alice, Events.rename(s(chat), "")), Reason.INVALID);
        }

        @Test
        void displayNameOfLimitSurrogatePairsIsAcceptedAndOneMoreIsInvalid() {
            assertAccepted(decide(alice, Events.displayName(repeat(EMOJI, MAX_DISPLAY_NAME))));
            assertRefused(decide(alice, Events.displayName(repeat(EMOJI, MAX_DISPLAY_NAME + 1))), Reason.INVALID);
        }

        @Test
        void emptyDisplayNameIsInvalid() {
            assertRefused(decide(alice, Events.displayName("")), Reason.INVALID);
        }
    }

    @Nested
    class MemberLimitsAndMembership {

        @Test
        void aConversationOfExactlyTheMaximumIncludingTheCreatorIsAccepted() {
            UUID created = UUID.randomUUID();
            Command command = assertAccepted(decide(alice, Events.createConversation(s(created), "new", s(bob), s(carol))));
            assertThat(command).isEqualTo(new Command.CreateConversation(created, "new", List.of(bob, carol)));
        }

        @Test
        void oneMemberMoreThanTheMaximumIsInvalidTheCreatorCounting() {
            assertRefused(decide(alice, Events.createConversation(s(UUID.randomUUID()), "new", s(bob), s(carol), s(dave))),
                    Reason.INVALID);
        }

        @Test
        void theCreatorAndRepeatedMembersAreCountedOnce() {
            assertAccepted(decide(alice, Events.createConversation(s(UUID.randomUUID()), "new",
                    s(alice), s(bob), s(bob), s(carol), s(alice))));
        }

        @Test
        void addingAMemberToAFullConversationIsInvalid() {
            state.members(chat).add(carol);
            assertRefused(decide(alice, Events.addMember(s(chat), s(dave))), Reason.INVALID);
        }

        @Test
        void addingTheLastAllowedMemberIsAccepted() {
            assertThat(assertAccepted(decide(alice, Events.addMember(s(chat), s(carol)))))
                    .isEqualTo(new Command.AddMember(chat, carol));
        }

        @Test
        void addingAnExistingMemberIsInvalid() {
            assertRefused(decide(alice, Events.addMember(s(chat), s(bob))), Reason.INVALID);
        }

        @Test
        void aUserWhoLeftMayBeAddedAgain() {
            state.members(chat).remove(bob);
            assertAccepted(decide(alice, Events.addMember(s(chat), s(bob))));
        }

        @Test
        void serverSetFieldsOfMemberJoinedAreIgnored() {
            Event event = Event.newBuilder().setUuid(Events.newUuid()).setMemberJoined(MemberJoined.newBuilder()
                    .setConversationUuid(s(chat)).setUserUuid(s(carol))
                    .setAddedByUuid("garbage").setConversationName("x").addMemberUuids("garbage")).build();
            assertThat(assertAccepted(decide(alice, event))).isEqualTo(new Command.AddMember(chat, carol));
        }

        @Test
        void theCallerMayLeaveWithAnEmptyUserUuid() {
            assertThat(assertAccepted(decide(alice, Events.leave(s(chat)))))
                    .isEqualTo(new Command.RemoveMember(chat, null));
        }

        @Test
        void anyMemberMayRemoveAnyOtherMember() {
            assertAccepted(decide(alice, Events.removeMember(s(chat), s(bob))));
        }

        @Test
        void removingAUserWhoIsNotAMemberIsInvalid() {
            assertRefused(decide(alice, Events.removeMember(s(chat), s(carol))), Reason.INVALID);
        }
    }

    @Nested
    class PngSignature {

        @Test
        void aPictureStartingWithThePngSignatureIsAccepted() {
            assertThat(assertAccepted(decide(alice, Events.picture(Events.PNG))))
                    .isInstanceOfSatisfying(Command.ChangeProfilePicture.class,
                            c -> assertThat(c.png()).isEqualTo(Events.PNG));
        }

        @Test
        void theBareEightByteSignatureIsAPng() {
            assertAccepted(decide(alice, Events.picture(Arrays.copyOf(Events.PNG, 8))));
        }

        @Test
        void aTruncatedSignatureIsInvalid() {
            assertRefused(decide(alice, Events.picture(Arrays.copyOf(Events.PNG, 7))), Reason.INVALID);
        }

        @Test
        void aGifIsInvalid() {
            assertRefused(decide(alice, Events.picture("GIF89a\u0001\u0000\u0001\u0000".getBytes())), Reason.INVALID);
        }

        @Test
        void aSignatureWithOneWrongByteIsInvalid() {
            byte[] image = Events.PNG.clone();
            image[4] = '\n'; // "\r\n" -> "\n\n": the line-ending corruption the signature exists to catch
            assertRefused(decide(alice, Events.picture(image)), Reason.INVALID);
        }

        @Test
        void bothFieldsEmptyRemoveThePicture() {
            assertThat(assertAccepted(decide(alice, Events.picture(new byte[0])))).isInstanceOf(Command.ChangeProfilePicture.class);
        }
    }

    @Nested
    class ProfileUserUuidRule {

        @Test
        void anEmptyUserUuidMeansTheCaller() {
            assertThat(assertAccepted(decide(alice, displayNameFor("", "me"))))
                    .isEqualTo(new Command.ChangeDisplayName(null, "me"));
            assertAccepted(decide(alice, pictureFor("", Events.PNG)));
        }

        @Test
        void theCallersOwnUserUuidIsAccepted() {
            assertAccepted(decide(alice, displayNameFor(s(alice), "me")));
            assertAccepted(decide(alice, pictureFor(s(alice), Events.PNG)));
        }

        @Test
        void anotherUsersUuidIsForbidden() {
            assertRefused(decide(alice, displayNameFor(s(bob), "bob")), Reason.FORBIDDEN);
            assertRefused(decide(alice, pictureFor(s(bob), Events.PNG)), Reason.FORBIDDEN);
        }
    }

    @Nested
    class Typing {

        @Test
        void aMemberMayTypeLive() {
            assertThat(decide(alice, Events.typing(s(chat)))).isEqualTo(new Outcome.Live(new Command.SetTyping(chat, true)));
        }

        @Test
        void stoppingTypingIsLiveToo() {
            Event stop = Event.newBuilder().setUuid(Events.newUuid())
                    .setUserIsTyping(UserIsTyping.newBuilder().setConversationUuid(s(chat)).setTyping(false)).build();
            assertThat(decide(alice, stop)).isEqualTo(new Outcome.Live(new Command.SetTyping(chat, false)));
        }

        @Test
        void aNonMemberIsForbidden() {
            assertRefused(decide(alice, Events.typing(s(elsewhere))), Reason.FORBIDDEN);
        }

        @Test
        void aFormerMemberIsForbidden() {
            state.members(chat).remove(alice);
            assertRefused(decide(alice, Events.typing(s(chat))), Reason.FORBIDDEN);
        }

        @Test
        void aMalformedConversationUuidIsInvalid() {
            assertRefused(decide(alice, Events.typing("")), Reason.INVALID);
        }
    }

    @Nested
    class AcceptedCommands {

        @Test
        void aMessageCarriesItsConversationLocalUuidAndText() {
            Event send = Events.send(s(chat), "hi");
            assertThat(assertAccepted(decide(alice, send))).isEqualTo(new Command.SendMessage(chat,
                    UUID.fromString(send.getSendingNewMessage().getLocalUuid()), "hi", null, List.of(), List.of()));
        }

        @Test
        void aRenameByAMemberIsAccepted() {
            assertThat(assertAccepted(decide(bob, Events.rename(s(chat), "lunch"))))
                    .isEqualTo(new Command.RenameConversation(chat, "lunch"));
        }

        @Test
        void aConversationMayBeCreatedWithTheCreatorAlone() {
            UUID created = UUID.randomUUID();
            assertThat(assertAccepted(decide(dave, Events.createConversation(s(created), "solo"))))
                    .isEqualTo(new Command.CreateConversation(created, "solo", List.of()));
        }
    }
}
