package dev.eventsync.api;

import static dev.eventsync.support.Events.newUuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.Rejected.Reason;
import dev.eventsync.proto.v1.SentNewMessage;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncCaughtUp;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.proto.v1.UserIsConnected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * The rules of {@code Sync} (API.md, "What a client may submit, what is stored, and who receives
 * it" and "Exact rules of Sync"), over a real gRPC port on the real database. Every test uses
 * its own random users and conversations.
 */
@ServerTest
class SyncRulesTest {

    /** A server-set field value a client might send: far from "now", so a copied value shows. */
    private static final Timestamp FORGED_TIME = Timestamp.newBuilder().setSeconds(1_000_000_000L).build();
    /** U+1F600: one code point, two UTF-16 chars. */
    private static final String EMOJI = new String(Character.toChars(0x1F600));
    private static final int MAX_EVENTS_PER_CALL = 500;
    private static final int MAX_MESSAGE_LENGTH = 10_000;
    private static final int MAX_CONVERSATION_NAME = 200;
    private static final int MAX_DISPLAY_NAME = 100;
    private static final int MAX_MEMBERS = 1000;
    private static final int MAX_PICTURE_BYTES = 1024 * 1024;

    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;
    Api.User bob;
    Api.User carol;
    /** Shares no conversation with anyone in these tests. */
    Api.User stranger;

    @BeforeEach
    void connect() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
        stranger = api.newUser();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Nested
    class CreatingAConversation {

        @Test
        void isDeliveredToEveryInitialMemberWithTheCreatorAddedAndDuplicatesRemoved() {
            String conversation = newUuid();
            Event create = forged(Events.createConversation(conversation, "Lunch", bob.uuid(), carol.uuid(), bob.uuid()));

            assertStored(alice.submit(create), create);

            for (Api.User member : List.of(alice, bob, carol)) {
                Event delivered = deliveredTo(member, create.getUuid());
                assertServerFields(delivered, alice);
                assertThat(delivered.getConversationCreated().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getConversationCreated().getName()).isEqualTo("Lunch");
                assertThat(delivered.getConversationCreated().getMemberUuidsList())
                        .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
            }
            assertThat(stranger.feed()).isEmpty();
        }

        @Test
        void aConversationOfOnlyItsCreatorIsAccepted() {
            Event create = Events.createConversation(newUuid(), "Notes to self");

            assertStored(alice.submit(create), create);

            assertThat(deliveredTo(alice, create.getUuid()).getConversationCreated().getMemberUuidsList())
                    .containsExactly(alice.uuid());
        }

        @Test
        void anExistingConversationUuidIsUuidConflict() {
            String conversation = conversationOf(alice, bob);

            assertRejected(bob.submit(Events.createConversation(conversation, "Takeover", carol.uuid())), Reason.UUID_CONFLICT);
            assertRejected(alice.submit(Events.createConversation(conversation, "Again")), Reason.UUID_CONFLICT);
            assertThat(carol.feed()).isEmpty();
        }

        @Test
        void anEmptyNameIsInvalid() {
            assertRejected(alice.submit(Events.createConversation(newUuid(), "", bob.uuid())), Reason.INVALID);
            assertThat(bob.feed()).isEmpty();
        }

        @Test
        void aNameOverTheLimitIsInvalid() {
            assertRejected(alice.submit(Events.createConversation(newUuid(), "n".repeat(MAX_CONVERSATION_NAME + 1))),
                    Reason.INVALID);
            assertStored(alice.submit(Events.createConversation(newUuid(), "n".repeat(MAX_CONVERSATION_NAME))));
        }

        @Test
        void moreThanTheMaximumNumberOfMembersIsInvalid() {
            // The creator plus MAX_MEMBERS others.
            Event create = Events.createConversation(newUuid(), "Crowd", randomUuids(MAX_MEMBERS));

            assertRejected(alice.submit(create), Reason.INVALID);
            assertThat(alice.feed()).isEmpty();
        }

        @Test
        void exactlyTheMaximumNumberOfMembersIsAcceptedCountingTheCreatorOnce() {
            List<String> others = new ArrayList<>(Arrays.asList(randomUuids(MAX_MEMBERS - 1)));
            others.add(alice.uuid());
            others.add(others.get(0));
            Event create = Events.createConversation(newUuid(), "Full house", others.toArray(String[]::new));

            assertStored(alice.submit(create), create);

            assertThat(deliveredTo(alice, create.getUuid()).getConversationCreated().getMemberUuidsList())
                    .hasSize(MAX_MEMBERS).doesNotHaveDuplicates().contains(alice.uuid());
        }
    }

    @Nested
    class RenamingAConversation {

        @Test
        void isDeliveredToTheCurrentMembersWithAuthorAndTimeSetByTheServer() {
            String conversation = conversationOf(alice, bob, carol);
            assertStored(carol.submit(Events.leave(conversation)));
            Event rename = forged(Events.rename(conversation, "Renamed"));

            assertStored(bob.submit(rename), rename);

            for (Api.User member : List.of(alice, bob)) {
                Event delivered = deliveredTo(member, rename.getUuid());
                assertServerFields(delivered, bob);
                assertThat(delivered.getConversationNameChanged().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getConversationNameChanged().getNewName()).isEqualTo("Renamed");
                assertThat(delivered.getConversationNameChanged().getAuthorUuid()).isEqualTo(bob.uuid());
                assertRecent(delivered.getConversationNameChanged().getOccurredAt());
            }
            assertNotDeliveredTo(rename, carol, stranger);
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.rename(conversation, "Mine now")), Reason.FORBIDDEN);
            assertThat(feedUuids(alice)).hasSize(1);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            assertRejected(alice.submit(Events.rename(newUuid(), "Nowhere")), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void anEmptyOrOverLongNameIsInvalid() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.rename(conversation, "")), Reason.INVALID);
            assertRejected(alice.submit(Events.rename(conversation, "n".repeat(MAX_CONVERSATION_NAME + 1))), Reason.INVALID);
            assertThat(feedUuids(bob)).hasSize(1);
        }
    }

    @Nested
    class AddingAMember {

        @Test
        void isDeliveredToTheMembersAfterTheJoinWithAddedByCurrentNameAndMemberSnapshot() {
            String conversation = conversationOf(alice, bob);
            assertStored(alice.submit(Events.rename(conversation, "Current name")));
            Event add = forged(Events.addMember(conversation, carol.uuid()));

            assertStored(bob.submit(add), add);

            for (Api.User member : List.of(alice, bob, carol)) {
                Event delivered = deliveredTo(member, add.getUuid());
                assertServerFields(delivered, bob);
                assertThat(delivered.getMemberJoined().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getMemberJoined().getUserUuid()).isEqualTo(carol.uuid());
                assertThat(delivered.getMemberJoined().getAddedByUuid()).isEqualTo(bob.uuid());
                assertThat(delivered.getMemberJoined().getConversationName()).isEqualTo("Current name");
                assertThat(delivered.getMemberJoined().getMemberUuidsList())
                        .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
            }
            assertThat(feedUuids(carol)).containsExactly(add.getUuid());
            assertNotDeliveredTo(add, stranger);
        }

        @Test
        void theNewMemberThenReceivesTheConversationsEvents() {
            String conversation = conversationOf(alice);
            assertStored(alice.submit(Events.addMember(conversation, bob.uuid())));
            Event message = Events.send(conversation, "welcome");

            assertStored(alice.submit(message));

            deliveredTo(bob, message.getUuid());
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.addMember(conversation, carol.uuid())), Reason.FORBIDDEN);
            assertThat(carol.feed()).isEmpty();
        }

        @Test
        void anExistingMemberIsInvalid() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.addMember(conversation, bob.uuid())), Reason.INVALID);
            assertRejected(alice.submit(Events.addMember(conversation, alice.uuid())), Reason.INVALID);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            assertRejected(alice.submit(Events.addMember(newUuid(), bob.uuid())), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void aMissingUserUuidIsInvalid() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.addMember(conversation, "")), Reason.INVALID);
        }

        @Test
        void aUserWhoLeftMayBeAddedAgain() {
            String conversation = conversationOf(alice, bob);
            assertStored(bob.submit(Events.leave(conversation)));
            Event add = Events.addMember(conversation, bob.uuid());

            assertStored(alice.submit(add), add);

            assertThat(deliveredTo(bob, add.getUuid()).getMemberJoined().getMemberUuidsList())
                    .containsExactlyInAnyOrder(alice.uuid(), bob.uuid());
        }
    }

    @Nested
    class RemovingAMember {

        @Test
        void leavingIsDeliveredToTheMembersBeforeTheLeaveIncludingTheOneWhoLeft() {
            String conversation = conversationOf(alice, bob, carol);
            Event leave = forged(Events.leave(conversation));

            assertStored(carol.submit(leave), leave);

            for (Api.User member : List.of(alice, bob, carol)) {
                Event delivered = deliveredTo(member, leave.getUuid());
                assertServerFields(delivered, carol);
                assertThat(delivered.getMemberLeft().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getMemberLeft().getUserUuid()).isEqualTo(carol.uuid());
                assertThat(delivered.getMemberLeft().getRemovedByUuid()).isEqualTo(carol.uuid());
            }
            assertNotDeliveredTo(leave, stranger);
        }

        @Test
        void anAdminMayRemoveAnotherAndIsRecordedAsTheRemover() {
            String conversation = conversationOf(alice, bob, carol); // alice created it: its admin
            Event remove = forged(Events.removeMember(conversation, bob.uuid()));

            assertStored(alice.submit(remove), remove);

            for (Api.User member : List.of(alice, bob, carol)) {
                Event delivered = deliveredTo(member, remove.getUuid());
                assertThat(delivered.getAuthorUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getMemberLeft().getUserUuid()).isEqualTo(bob.uuid());
                assertThat(delivered.getMemberLeft().getRemovedByUuid()).isEqualTo(alice.uuid());
            }
        }

        /** v1 let any member remove another; v1.1 keeps that for admins. */
        @Test
        void aMemberWhoIsNotAnAdminMayNotRemoveAnother() {
            String conversation = conversationOf(alice, bob, carol);
            assertRejected(carol.submit(Events.removeMember(conversation, bob.uuid())), Reason.FORBIDDEN);
        }

        @Test
        void aMemberWhoLeftReceivesNothingMoreFromTheConversation() {
            String conversation = conversationOf(alice, bob);
            assertStored(bob.submit(Events.leave(conversation)));
            Event message = Events.send(conversation, "after bob left");

            assertStored(alice.submit(message));

            assertNotDeliveredTo(message, bob);
            assertRejected(bob.submit(Events.send(conversation, "let me back")), Reason.FORBIDDEN);
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.removeMember(conversation, bob.uuid())), Reason.FORBIDDEN);
            assertRejected(stranger.submit(Events.leave(conversation)), Reason.FORBIDDEN);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void removingAUserWhoIsNotAMemberIsInvalid() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.removeMember(conversation, stranger.uuid())), Reason.INVALID);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            assertRejected(alice.submit(Events.leave(newUuid())), Reason.UNKNOWN_CONVERSATION);
        }
    }

    @Nested
    class SendingAMessage {

        @Test
        void isDeliveredAsNewMessageToTheCurrentMembersIncludingTheSender() {
            String conversation = conversationOf(alice, bob, carol);
            assertStored(carol.submit(Events.leave(conversation)));
            Event send = forged(Events.send(conversation, "Noon?"));
            String localUuid = send.getSendingNewMessage().getLocalUuid();

            Accepted accepted = assertStored(alice.submit(send), send);

            assertCanonicalUuid(accepted.getMessageUuid());
            for (Api.User member : List.of(alice, bob)) {
                Event delivered = deliveredTo(member, send.getUuid());
                assertServerFields(delivered, alice);
                assertThat(delivered.getContentCase()).isEqualTo(Event.ContentCase.NEW_MESSAGE);
                NewMessage newMessage = delivered.getNewMessage();
                assertThat(newMessage.getLocalUuid()).isEqualTo(localUuid);
                assertThat(newMessage.getUuid()).isEqualTo(accepted.getMessageUuid());
                Message message = newMessage.getMessage();
                assertThat(message.getUuid()).isEqualTo(accepted.getMessageUuid());
                assertThat(message.getConversationUuid()).isEqualTo(conversation);
                assertThat(message.getAuthorUuid()).isEqualTo(alice.uuid());
                assertThat(message.getText()).isEqualTo("Noon?");
                assertRecent(message.getSentAt());
            }
            assertNotDeliveredTo(send, carol, stranger);
        }

        @Test
        void eachMessageGetsItsOwnServerUuid() {
            String conversation = conversationOf(alice, bob);

            String first = assertStored(alice.submit(Events.send(conversation, "one"))).getMessageUuid();
            String second = assertStored(alice.submit(Events.send(conversation, "two"))).getMessageUuid();

            assertThat(first).isNotEqualTo(second);
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.send(conversation, "hi")), Reason.FORBIDDEN);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            assertRejected(alice.submit(Events.send(newUuid(), "hello?")), Reason.UNKNOWN_CONVERSATION);
        }

        @Test
        void anEmptyTextIsInvalid() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.send(conversation, "")), Reason.INVALID);
        }

        @Test
        void aTextOverTheLimitIsTooLargeAndOneAtTheLimitIsAccepted() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.send(conversation, "x".repeat(MAX_MESSAGE_LENGTH + 1))), Reason.TOO_LARGE);
            assertStored(alice.submit(Events.send(conversation, "x".repeat(MAX_MESSAGE_LENGTH))));
            assertThat(feedUuids(bob)).hasSize(2);
        }

        @Test
        void aMissingLocalUuidOrMessageIsInvalid() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "text");
            Event noLocalUuid = send.toBuilder().setUuid(newUuid())
                    .setSendingNewMessage(send.getSendingNewMessage().toBuilder().clearLocalUuid()).build();
            Event noMessage = send.toBuilder().setUuid(newUuid())
                    .setSendingNewMessage(send.getSendingNewMessage().toBuilder().clearMessage()).build();

            assertRejected(alice.submit(noLocalUuid), Reason.INVALID);
            assertRejected(alice.submit(noMessage), Reason.INVALID);
        }
    }

    @Nested
    class ReadingAMessage {

        @Test
        void isDeliveredToTheCurrentMembersWithTheCallerAsReader() {
            String conversation = conversationOf(alice, bob, carol);
            String message = sendMessage(alice, conversation);
            assertStored(carol.submit(Events.leave(conversation)));
            Event read = forged(Events.read(conversation, message));

            assertStored(bob.submit(read), read);

            for (Api.User member : List.of(alice, bob)) {
                Event delivered = deliveredTo(member, read.getUuid());
                assertServerFields(delivered, bob);
                assertThat(delivered.getReadNewMessage().getUuid()).isEqualTo(message);
                assertThat(delivered.getReadNewMessage().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getReadNewMessage().getReaderUuid()).isEqualTo(bob.uuid());
            }
            assertNotDeliveredTo(read, carol, stranger);
        }

        @Test
        void readingAgainStoresAnotherEvent() {
            String conversation = conversationOf(alice, bob);
            String message = sendMessage(alice, conversation);
            Event first = Events.read(conversation, message);
            Event second = Events.read(conversation, message);

            assertStored(bob.submit(first), first);
            assertStored(bob.submit(second), second);

            assertThat(feedUuids(alice)).endsWith(first.getUuid(), second.getUuid());
        }

        @Test
        void anUnknownMessageIsUnknownMessage() {
            String conversation = conversationOf(alice, bob);

            assertRejected(bob.submit(Events.read(conversation, newUuid())), Reason.UNKNOWN_MESSAGE);
        }

        @Test
        void aMessageOfAnotherConversationIsUnknownMessage() {
            String here = conversationOf(alice, bob);
            String there = conversationOf(alice, bob);
            String messageThere = sendMessage(alice, there);

            assertRejected(bob.submit(Events.read(here, messageThere)), Reason.UNKNOWN_MESSAGE);
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);
            String message = sendMessage(alice, conversation);

            assertRejected(stranger.submit(Events.read(conversation, message)), Reason.FORBIDDEN);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            String conversation = conversationOf(alice, bob);
            String message = sendMessage(alice, conversation);

            assertRejected(bob.submit(Events.read(newUuid(), message)), Reason.UNKNOWN_CONVERSATION);
        }
    }

    @Nested
    class ChangingTheDisplayName {

        @Test
        void isDeliveredToTheCallerAndEveryUserSharingAConversationWithThem() {
            conversationOf(alice, bob);
            conversationOf(bob, carol); // carol shares a conversation with bob, not with alice
            Event change = forged(Events.displayName("Alice A."));

            assertStored(alice.submit(change), change);

            for (Api.User contact : List.of(alice, bob)) {
                Event delivered = deliveredTo(contact, change.getUuid());
                assertServerFields(delivered, alice);
                assertThat(delivered.getDisplayNameChanged().getUserUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getDisplayNameChanged().getDisplayName()).isEqualTo("Alice A.");
            }
            assertNotDeliveredTo(change, carol, stranger);
        }

        @Test
        void theCallersOwnUserUuidIsAccepted() {
            Event change = withUserUuid(Events.displayName("Me"), alice.uuid());

            assertStored(alice.submit(change), change);

            assertThat(deliveredTo(alice, change.getUuid()).getDisplayNameChanged().getUserUuid()).isEqualTo(alice.uuid());
        }

        @Test
        void anotherUsersUuidIsForbidden() {
            conversationOf(alice, bob);

            assertRejected(alice.submit(withUserUuid(Events.displayName("Bob is mine"), bob.uuid())), Reason.FORBIDDEN);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void anEmptyOrOverLongNameIsInvalid() {
            assertRejected(alice.submit(Events.displayName("")), Reason.INVALID);
            assertRejected(alice.submit(Events.displayName("d".repeat(MAX_DISPLAY_NAME + 1))), Reason.INVALID);
            assertStored(alice.submit(Events.displayName("d".repeat(MAX_DISPLAY_NAME))));
            assertThat(alice.feed()).hasSize(1);
        }
    }

    @Nested
    class ChangingTheProfilePicture {

        @Test
        void isDeliveredToTheCallerAndEveryUserSharingAConversationWithThem() {
            conversationOf(alice, bob);
            conversationOf(bob, carol);
            Event change = forged(Events.picture(png(64)));

            assertStored(alice.submit(change), change);

            for (Api.User contact : List.of(alice, bob)) {
                Event delivered = deliveredTo(contact, change.getUuid());
                assertServerFields(delivered, alice);
                assertThat(delivered.getProfilePictureChanged().getUserUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getProfilePictureChanged().getPngImage().toByteArray()).isEqualTo(png(64));
            }
            assertNotDeliveredTo(change, carol, stranger);
        }

        @Test
        void theCallersOwnUserUuidIsAcceptedAndAnotherUsersIsForbidden() {
            assertStored(alice.submit(withUserUuid(Events.picture(Events.PNG), alice.uuid())));
            assertRejected(alice.submit(withUserUuid(Events.picture(Events.PNG), bob.uuid())), Reason.FORBIDDEN);
            assertThat(bob.feed()).isEmpty();
        }

        @Test
        void anImageWithoutThePngSignatureIsInvalid() {
            byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0};

            assertRejected(alice.submit(Events.picture(jpeg)), Reason.INVALID);
            assertRejected(alice.submit(Events.picture(Arrays.copyOf(Events.PNG, 7))), Reason.INVALID);
        }

        /** v1 rejected an empty picture; in v1.1 both picture fields empty remove the picture. */
        @Test
        void bothFieldsEmptyRemoveThePicture() {
            Event removal = Events.picture(new byte[0]);
            assertStored(alice.submit(removal), removal);
            assertThat(deliveredTo(alice, removal.getUuid()).getProfilePictureChanged().getPngImage().isEmpty()).isTrue();
        }

        @Test
        void aPictureOverTheLimitInARequestUnderTheLimitIsTooLarge() {
            assertRejected(alice.submit(Events.picture(png(MAX_PICTURE_BYTES + 1))), Reason.TOO_LARGE);
            assertStored(alice.submit(Events.picture(png(MAX_PICTURE_BYTES))));
            assertThat(alice.feed()).hasSize(1);
        }
    }

    @Nested
    class TextHoldingUPlus0000 {

        @Test
        void isInvalidForThatEventAloneAndAGoodEventOfTheSameCallIsAcceptedAndStored() {
            String chat = conversationOf(alice, bob);
            Event badCreate = Events.createConversation(newUuid(), "nul\u0000name", bob.uuid());
            Event good = Events.send(chat, "stored despite its neighbours");

            List<EventResult> results = alice.sync(badCreate, good, Events.rename(chat, "\u0000"), Events.displayName("\u0000"),
                    Events.send(chat, "a\u0000b")).getResultsList();

            assertRejected(results.get(0), Reason.INVALID);
            assertThat(results.get(1).getAccepted().getDuplicate()).isFalse();
            assertRejected(results.get(2), Reason.INVALID);
            assertRejected(results.get(3), Reason.INVALID);
            assertRejected(results.get(4), Reason.INVALID);
            assertThat(bob.feed()).extracting(Event::getUuid).contains(good.getUuid()).doesNotContain(badCreate.getUuid());
        }
    }

    @Nested
    class Typing {

        @Test
        void isAcceptedAsTransitoryWithoutStoredAtAndReachesNoFeed() {
            String conversation = conversationOf(alice, bob);
            Map<Api.User, List<Event>> before = feeds(alice, bob);
            Event typing = Events.typing(conversation);

            EventResult result = alice.submit(typing);

            assertTransitory(result, typing);
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }

        @Test
        void itsUuidIsNotAnIdempotencyKey() {
            String conversation = conversationOf(alice, bob);
            Event typing = Events.typing(conversation);

            assertTransitory(alice.submit(typing), typing);
            assertTransitory(alice.submit(typing), typing);
            assertTransitory(bob.submit(typing), typing);
        }

        @Test
        void aNonMemberIsForbidden() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.typing(conversation)), Reason.FORBIDDEN);
        }

        @Test
        void anUnknownConversationIsUnknownConversation() {
            assertRejected(alice.submit(Events.typing(newUuid())), Reason.UNKNOWN_CONVERSATION);
        }
    }

    @Nested
    class ServerGeneratedContent {

        @Test
        void sentNewMessageNewMessageUserIsConnectedAndSyncCaughtUpAreNotSubmittable() {
            String conversation = conversationOf(alice, bob);
            Map<Api.User, List<Event>> before = feeds(alice, bob);
            List<Event> events = List.of(
                    Event.newBuilder().setUuid(newUuid())
                            .setSentNewMessage(SentNewMessage.newBuilder().setUuid(newUuid()).setLocalUuid(newUuid())).build(),
                    Event.newBuilder().setUuid(newUuid()).setNewMessage(NewMessage.newBuilder().setUuid(newUuid())
                            .setLocalUuid(newUuid()).setMessage(Message.newBuilder().setConversationUuid(conversation).setText("hi"))).build(),
                    Event.newBuilder().setUuid(newUuid())
                            .setUserIsConnected(UserIsConnected.newBuilder().setUserUuid(alice.uuid()).setConnected(true)).build(),
                    Event.newBuilder().setUuid(newUuid())
                            .setSyncCaughtUp(SyncCaughtUp.newBuilder().setLastEventUuid(newUuid())).build());

            SubmitEventOutput output = alice.sync(events.toArray(Event[]::new));

            assertThat(output.getResultsList()).hasSize(4);
            for (int i = 0; i < events.size(); i++) {
                assertRejected(output.getResults(i), Reason.NOT_SUBMITTABLE);
            }
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }
    }

    @Nested
    class MalformedEvents {

        @ParameterizedTest
        @ValueSource(strings = {"", "not-a-uuid", "00000000-0000-0000-0000-000000000000",
                "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
                "3f2504e04f8911d39a0c0305e82c3301", " 3f2504e0-4f89-11d3-9a0c-0305e82c3301"})
        void anEventUuidThatIsNotACanonicalNonNilLowercaseUuidIsInvalid(String eventUuid) {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "hi").toBuilder().setUuid(eventUuid).build();
            Event typing = Events.typing(conversation).toBuilder().setUuid(eventUuid).build();

            SubmitEventOutput output = alice.sync(send, typing);

            assertThat(output.getResultsList()).hasSize(2);
            assertRejected(output.getResults(0), Reason.INVALID);
            assertRejected(output.getResults(1), Reason.INVALID);
            assertThat(output.getResultsList()).extracting(EventResult::getClientEventUuid).containsOnly(eventUuid);
            assertThat(feedUuids(bob)).hasSize(1);
        }

        @Test
        void anEventWithoutContentIsInvalid() {
            Event empty = Event.newBuilder().setUuid(newUuid()).build();

            assertRejected(alice.submit(empty), Reason.INVALID);
        }

        @Test
        void aMalformedUuidFieldIsInvalidForEveryKind() {
            String conversation = conversationOf(alice, bob);
            String message = sendMessage(alice, conversation);
            String upper = newUuid().toUpperCase();
            Event send = Events.send(conversation, "hi");
            Map<String, Event> cases = new LinkedHashMap<>();
            cases.put("conversation_created.conversation_uuid", Events.createConversation(upper, "x", bob.uuid()));
            cases.put("conversation_created.member_uuids", Events.createConversation(newUuid(), "x", "bob"));
            cases.put("conversation_name_changed.conversation_uuid", Events.rename("nope", "x"));
            cases.put("member_joined.conversation_uuid", Events.addMember(conversation.toUpperCase(), carol.uuid()));
            cases.put("member_joined.user_uuid", Events.addMember(conversation, "00000000-0000-0000-0000-000000000000"));
            cases.put("member_left.user_uuid", Events.removeMember(conversation, "{" + bob.uuid() + "}"));
            cases.put("sending_new_message.local_uuid", send.toBuilder().setUuid(newUuid())
                    .setSendingNewMessage(send.getSendingNewMessage().toBuilder().setLocalUuid(upper)).build());
            cases.put("sending_new_message.message.conversation_uuid", Events.send("", "hi"));
            cases.put("read_new_message.uuid", Events.read(conversation, message.toUpperCase()));
            cases.put("read_new_message.conversation_uuid", Events.read(conversation.replace("-", ""), message));
            cases.put("display_name_changed.user_uuid", withUserUuid(Events.displayName("x"), alice.uuid().toUpperCase()));
            cases.put("profile_picture_changed.user_uuid", withUserUuid(Events.picture(Events.PNG), "alice"));
            cases.put("user_is_typing.conversation_uuid", Events.typing(conversation.toUpperCase()));

            // One call each, so that one case failing the whole call cannot hide the others.
            SoftAssertions softly = new SoftAssertions();
            cases.forEach((field, event) -> softly.assertThatCode(() -> assertRejected(alice.submit(event), Reason.INVALID))
                    .as(field).doesNotThrowAnyException());
            softly.assertAll();
            assertThat(feedUuids(bob)).hasSize(2);
        }
    }

    /** "Which reason wins when several apply", first to last. */
    @Nested
    class Precedence {

        @Test
        void aMalformedEventUuidBeatsNotSubmittable() {
            Event caughtUp = Event.newBuilder().setUuid("00000000-0000-0000-0000-000000000000")
                    .setSyncCaughtUp(SyncCaughtUp.getDefaultInstance()).build();

            assertRejected(alice.submit(caughtUp), Reason.INVALID);
        }

        @Test
        void notSubmittableBeatsDuplicate() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "hi");
            assertStored(alice.submit(send));
            Event sameUuidServerContent = Event.newBuilder().setUuid(send.getUuid())
                    .setSentNewMessage(SentNewMessage.newBuilder().setUuid(newUuid()).setLocalUuid(newUuid())).build();

            assertRejected(alice.submit(sameUuidServerContent), Reason.NOT_SUBMITTABLE);
        }

        @Test
        void aResendAfterTheCallerLeftTheConversationIsStillADuplicate() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "bye");
            Accepted original = assertStored(alice.submit(send));
            Event leave = Events.leave(conversation);
            Accepted leaveOriginal = assertStored(alice.submit(leave));
            Map<Api.User, List<Event>> before = feeds(alice, bob);

            SubmitEventOutput output = alice.sync(send, leave);

            assertDuplicateOf(output.getResults(0), original);
            assertDuplicateOf(output.getResults(1), leaveOriginal);
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }

        @Test
        void aResendOfACreatedConversationIsADuplicateNotAConflictingConversationUuid() {
            Event create = Events.createConversation(newUuid(), "Once", bob.uuid());
            Accepted original = assertStored(alice.submit(create));

            assertDuplicateOf(alice.submit(create), original);
            assertThat(feedUuids(bob)).containsExactly(create.getUuid());
        }

        @Test
        void aMalformedFieldOnAUuidStoredWithOtherContentIsUuidConflict() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "hi");
            assertStored(alice.submit(send));
            Event malformed = Events.send("not-a-uuid", "hi").toBuilder().setUuid(send.getUuid()).build();

            assertRejected(alice.submit(malformed), Reason.UUID_CONFLICT);
        }

        @Test
        void anExistingConversationUuidIsUuidConflictEvenWithAMalformedField() {
            String conversation = conversationOf(alice, bob);

            assertRejected(alice.submit(Events.createConversation(conversation, "Again", "not-a-uuid")), Reason.UUID_CONFLICT);
        }

        @Test
        void aMalformedFieldBeatsUnknownConversation() {
            Event send = Events.send(newUuid(), "hi");
            Event malformed = send.toBuilder()
                    .setSendingNewMessage(send.getSendingNewMessage().toBuilder().setLocalUuid("local-1")).build();

            assertRejected(alice.submit(malformed), Reason.INVALID);
            assertRejected(alice.submit(Events.addMember(newUuid(), "")), Reason.INVALID);
        }

        @Test
        void unknownConversationBeatsForbidden() {
            // The stranger is a member of no conversation, least of all of one that does not exist.
            String unknown = newUuid();

            SubmitEventOutput output = stranger.sync(Events.rename(unknown, "x"), Events.addMember(unknown, bob.uuid()),
                    Events.leave(unknown), Events.send(unknown, "x"), Events.read(unknown, newUuid()), Events.typing(unknown));

            assertThat(output.getResultsList()).hasSize(6)
                    .allSatisfy(r -> assertRejected(r, Reason.UNKNOWN_CONVERSATION));
        }

        @Test
        void forbiddenBeatsUnknownMessage() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.read(conversation, newUuid())), Reason.FORBIDDEN);
        }

        @Test
        void forbiddenBeatsAnyOtherInvalidAndTooLarge() {
            String conversation = conversationOf(alice, bob);

            assertRejected(stranger.submit(Events.addMember(conversation, bob.uuid())), Reason.FORBIDDEN);
            assertRejected(stranger.submit(Events.removeMember(conversation, carol.uuid())), Reason.FORBIDDEN);
            assertRejected(stranger.submit(Events.send(conversation, "")), Reason.FORBIDDEN);
            assertRejected(stranger.submit(Events.send(conversation, "x".repeat(MAX_MESSAGE_LENGTH + 1))), Reason.FORBIDDEN);
            assertRejected(stranger.submit(Events.rename(conversation, "")), Reason.FORBIDDEN);
            assertRejected(alice.submit(withUserUuid(Events.displayName(""), bob.uuid())), Reason.FORBIDDEN);
            assertRejected(alice.submit(withUserUuid(Events.picture(new byte[] {1, 2, 3}), bob.uuid())), Reason.FORBIDDEN);
        }

        @Test
        void anyOtherInvalidBeatsTooLarge() {
            byte[] bigNotPng = new byte[MAX_PICTURE_BYTES + 1];

            assertRejected(alice.submit(Events.picture(bigNotPng)), Reason.INVALID);
        }

        @Test
        void typingSkipsTheDuplicateStep() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "hi");
            assertStored(alice.submit(send));
            Event typingWithStoredUuid = Events.typing(conversation).toBuilder().setUuid(send.getUuid()).build();
            Map<Api.User, List<Event>> before = feeds(alice, bob);

            assertTransitory(alice.submit(typingWithStoredUuid), typingWithStoredUuid);
            assertTransitory(bob.submit(typingWithStoredUuid), typingWithStoredUuid);
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }
    }

    @Nested
    class OneResultPerEvent {

        @Test
        void eachEventGetsExactlyOneResultInOrderAndARejectionDoesNotStopTheRest() {
            String conversation = conversationOf(alice, bob);
            Event first = Events.send(conversation, "first");
            Event forbidden = Events.send(conversationOf(bob, carol), "not mine");
            Event noContent = Event.newBuilder().setUuid(newUuid()).build();
            Event badUuid = Events.send(conversation, "bad").toBuilder().setUuid("BAD").build();
            Event typing = Events.typing(conversation);
            Event last = Events.send(conversation, "last");

            SubmitEventOutput output = alice.sync(first, forbidden, noContent, badUuid, typing, last);

            assertThat(output.getResultsList()).extracting(EventResult::getClientEventUuid)
                    .containsExactly(first.getUuid(), forbidden.getUuid(), noContent.getUuid(), "BAD",
                            typing.getUuid(), last.getUuid());
            assertStored(output.getResults(0), first);
            assertRejected(output.getResults(1), Reason.FORBIDDEN);
            assertRejected(output.getResults(2), Reason.INVALID);
            assertRejected(output.getResults(3), Reason.INVALID);
            assertTransitory(output.getResults(4), typing);
            assertStored(output.getResults(5), last);
            assertThat(feedUuids(bob)).endsWith(first.getUuid(), last.getUuid());
        }

        @Test
        void aMalformedEventDoesNotFailTheRestOfTheCall() {
            String conversation = conversationOf(alice, bob);
            Event before = Events.send(conversation, "before");
            Event malformedMember = Events.createConversation(newUuid(), "x", "not-a-uuid");
            Event after = Events.send(conversation, "after");

            SubmitEventOutput output = alice.sync(before, malformedMember, after);

            assertStored(output.getResults(0), before);
            assertRejected(output.getResults(1), Reason.INVALID);
            assertStored(output.getResults(2), after);
            assertThat(feedUuids(bob)).endsWith(before.getUuid(), after.getUuid());
        }

        @Test
        void laterEventsSeeTheEffectsOfEarlierAcceptedOnesInTheSameCall() {
            String conversation = newUuid();
            Event create = Events.createConversation(conversation, "Fresh", bob.uuid());
            Event sendToBob = Events.send(conversation, "just us");
            Event addCarol = Events.addMember(conversation, carol.uuid());
            Event rename = Events.rename(conversation, "Renamed");
            Event removeBob = Events.removeMember(conversation, bob.uuid());
            Event sendToCarol = Events.send(conversation, "bob is gone");
            Event addCarolAgain = Events.addMember(conversation, carol.uuid());

            SubmitEventOutput output = alice.sync(create, sendToBob, addCarol, rename, removeBob, sendToCarol, addCarolAgain);

            assertStored(output.getResults(0), create);
            assertStored(output.getResults(1), sendToBob);
            assertStored(output.getResults(2), addCarol);
            assertStored(output.getResults(3), rename);
            assertStored(output.getResults(4), removeBob);
            assertStored(output.getResults(5), sendToCarol);
            assertRejected(output.getResults(6), Reason.INVALID); // carol is a member by now
            assertThat(feedUuids(bob)).containsExactly(create.getUuid(), sendToBob.getUuid(), addCarol.getUuid(),
                    rename.getUuid(), removeBob.getUuid());
            assertThat(feedUuids(carol)).containsExactly(addCarol.getUuid(), rename.getUuid(), removeBob.getUuid(),
                    sendToCarol.getUuid());
            assertThat(deliveredTo(carol, addCarol.getUuid()).getMemberJoined().getMemberUuidsList())
                    .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
        }

        @Test
        void aConversationCreatedAndUsedInOneCallWorks() {
            String conversation = newUuid();
            Event create = Events.createConversation(conversation, "Fresh", bob.uuid());
            Event send = Events.send(conversation, "hello");

            SubmitEventOutput output = alice.sync(create, send);

            assertStored(output.getResults(0), create);
            assertStored(output.getResults(1), send);
            assertThat(feedUuids(bob)).containsExactly(create.getUuid(), send.getUuid());
        }

        @Test
        void aRejectedEventHasNoEffectOnLaterOnes() {
            String conversation = newUuid();

            SubmitEventOutput output = alice.sync(Events.createConversation(conversation, "", bob.uuid()),
                    Events.send(conversation, "into the void"));

            assertRejected(output.getResults(0), Reason.INVALID);
            assertRejected(output.getResults(1), Reason.UNKNOWN_CONVERSATION);
            assertThat(bob.feed()).isEmpty();
        }

        @Test
        void anEmptyCallGivesAnEmptyOutput() {
            SubmitEventOutput output = alice.stub().sync(SyncRequest.getDefaultInstance());

            assertThat(output.getResultsList()).isEmpty();
        }
    }

    @Nested
    class Idempotency {

        @Test
        void resubmittedEventIsAcceptedAsDuplicateAndWritesNothing() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "once");
            Accepted original = assertStored(alice.submit(send));
            Map<Api.User, List<Event>> before = feeds(alice, bob);

            EventResult resend = alice.submit(send);

            assertDuplicateOf(resend, original);
            assertThat(resend.getAccepted().getMessageUuid()).isNotEmpty();
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }

        @Test
        void everyStoredKindIsADuplicateWhenResentWithTheSameContent() {
            String conversation = newUuid();
            Event create = Events.createConversation(conversation, "All kinds", bob.uuid());
            Event rename = Events.rename(conversation, "Renamed");
            Event add = Events.addMember(conversation, carol.uuid());
            Event remove = Events.removeMember(conversation, carol.uuid());
            Event send = Events.send(conversation, "hi");
            Event name = Events.displayName("Alice");
            Event picture = Events.picture(Events.PNG);
            SubmitEventOutput first = alice.sync(create, rename, add, remove, send, name, picture);
            Event read = Events.read(conversation, assertStored(first.getResults(4)).getMessageUuid());
            Event leave = Events.leave(conversation);
            SubmitEventOutput firstOfBob = bob.sync(read, leave);
            Map<Api.User, List<Event>> before = feeds(alice, bob, carol);

            SubmitEventOutput again = alice.sync(create, rename, add, remove, send, name, picture);
            SubmitEventOutput againOfBob = bob.sync(read, leave);

            for (int i = 0; i < first.getResultsCount(); i++) {
                assertDuplicateOf(again.getResults(i), assertStored(first.getResults(i)));
            }
            for (int i = 0; i < firstOfBob.getResultsCount(); i++) {
                assertDuplicateOf(againOfBob.getResults(i), assertStored(firstOfBob.getResults(i)));
            }
            assertThat(feeds(alice, bob, carol)).isEqualTo(before);
        }

        @Test
        void aResendWithOtherServerSetFieldsIsStillADuplicate() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "hi");
            Accepted original = assertStored(alice.submit(send));

            assertDuplicateOf(alice.submit(forged(send)), original);
            assertThat(feedUuids(bob)).hasSize(2);
        }

        @Test
        void theSameUuidWithOtherContentIsUuidConflictAndWritesNothing() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "original");
            assertStored(alice.submit(send));
            Map<Api.User, List<Event>> before = feeds(alice, bob);
            Event otherText = send.toBuilder().setSendingNewMessage(send.getSendingNewMessage().toBuilder()
                    .setMessage(send.getSendingNewMessage().getMessage().toBuilder().setText("edited"))).build();
            Event otherKind = Events.rename(conversation, "Other").toBuilder().setUuid(send.getUuid()).build();

            assertRejected(alice.submit(otherText), Reason.UUID_CONFLICT);
            assertRejected(alice.submit(otherKind), Reason.UUID_CONFLICT);
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }

        @Test
        void theSameUuidFromAnotherUserIsUuidConflict() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "mine");
            assertStored(alice.submit(send));
            Map<Api.User, List<Event>> before = feeds(alice, bob);

            assertRejected(bob.submit(send), Reason.UUID_CONFLICT);
            assertThat(feeds(alice, bob)).isEqualTo(before);
        }

        @Test
        void aResendInTheSameCallAsTheOriginalIsADuplicate() {
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "twice in one call");

            SubmitEventOutput output = alice.sync(send, send);

            Accepted original = assertStored(output.getResults(0), send);
            assertDuplicateOf(output.getResults(1), original);
            assertThat(feedUuids(bob)).filteredOn(send.getUuid()::equals).hasSize(1);
        }

        @Test
        void concurrentSubmissionsOfOneUuidStoreItExactlyOnce() throws Exception {
            int threads = 16;
            String conversation = conversationOf(alice, bob);
            Event send = Events.send(conversation, "raced");
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<EventResult> results = new ArrayList<>();
            try {
                List<Future<EventResult>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return alice.submit(send);
                    }));
                }
                start.countDown();
                for (Future<EventResult> future : futures) {
                    results.add(future.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(results).hasSize(threads).allSatisfy(r -> assertThat(r.hasAccepted()).as("%s", r).isTrue());
            List<Accepted> accepted = results.stream().map(EventResult::getAccepted).toList();
            assertThat(accepted).filteredOn(a -> !a.getDuplicate()).hasSize(1);
            Accepted original = accepted.stream().filter(a -> !a.getDuplicate()).findFirst().orElseThrow();
            assertThat(accepted).allSatisfy(a -> {
                assertThat(a.getEventUuid()).isEqualTo(send.getUuid());
                assertThat(a.getStoredAt()).isEqualTo(original.getStoredAt());
                assertThat(a.getMessageUuid()).isEqualTo(original.getMessageUuid());
            });
            assertThat(feedUuids(bob)).filteredOn(send.getUuid()::equals).hasSize(1);
            assertThat(feedUuids(alice)).filteredOn(send.getUuid()::equals).hasSize(1);
        }
    }

    @Nested
    class WholeCallLimits {

        @Test
        void theMaximumNumberOfEventsInOneCallIsAccepted() {
            // Bob creates it: alice's rate-limit burst (500 events) is then whole for her 500 messages.
            String conversation = conversationOf(bob, alice);
            Event[] events = messages(conversation, MAX_EVENTS_PER_CALL);

            SubmitEventOutput output = alice.sync(events);

            assertThat(output.getResultsList()).hasSize(MAX_EVENTS_PER_CALL);
            for (int i = 0; i < events.length; i++) {
                assertStored(output.getResults(i), events[i]);
            }
            assertThat(feedUuids(bob)).hasSize(MAX_EVENTS_PER_CALL + 1)
                    .endsWith(Arrays.stream(events).map(Event::getUuid).toArray(String[]::new));
        }

        @Test
        void oneEventMoreThanTheLimitFailsTheWholeCallWithResourceExhaustedAndStoresNothing() {
            String conversation = conversationOf(alice, bob);
            Event[] events = messages(conversation, MAX_EVENTS_PER_CALL + 1);

            assertStatus(() -> alice.sync(events), Status.Code.RESOURCE_EXHAUSTED);

            assertThat(feedUuids(bob)).hasSize(1);
            Accepted first = assertStored(alice.submit(events[0]), events[0]);
            assertThat(first.getDuplicate()).as("the first event was not stored by the refused call").isFalse();
        }

        @Test
        void aRequestJustUnderTheSizeLimitIsAccepted() {
            // Eight pictures of 1,000,000 bytes: about 8.0 MB, under the 8 MB (8,388,608 bytes) limit.
            Event[] pictures = new Event[8];
            for (int i = 0; i < pictures.length; i++) {
                pictures[i] = Events.picture(png(1_000_000));
            }

            SubmitEventOutput output = alice.sync(pictures);

            for (int i = 0; i < pictures.length; i++) {
                assertStored(output.getResults(i), pictures[i]);
            }
        }

        @Test
        void aRequestOverTheSizeLimitFailsWithResourceExhaustedAndStoresNothing() {
            // Nine pictures, each under the picture limit, together over the 8 MB request limit.
            conversationOf(alice, bob);
            Event[] pictures = new Event[9];
            for (int i = 0; i < pictures.length; i++) {
                pictures[i] = Events.picture(png(1_000_000));
            }

            assertStatus(() -> alice.sync(pictures), Status.Code.RESOURCE_EXHAUSTED);

            assertThat(feedUuids(bob)).hasSize(1);
            assertThat(feedUuids(alice)).hasSize(1);
        }
    }

    /** Lengths count Unicode code points, not UTF-16 chars. */
    @Nested
    class CodePoints {

        @Test
        void aConversationNameOfExactlyTheLimitInEmojiIsAcceptedAndOneMoreIsInvalid() {
            String name = EMOJI.repeat(MAX_CONVERSATION_NAME);
            Event create = Events.createConversation(newUuid(), name, bob.uuid());

            assertStored(alice.submit(create), create);
            assertRejected(alice.submit(Events.createConversation(newUuid(), name + EMOJI, bob.uuid())), Reason.INVALID);

            assertThat(deliveredTo(bob, create.getUuid()).getConversationCreated().getName()).isEqualTo(name);
        }

        @Test
        void aRenameToExactlyTheLimitInEmojiIsAcceptedAndOneMoreIsInvalid() {
            String conversation = conversationOf(alice, bob);
            String name = EMOJI.repeat(MAX_CONVERSATION_NAME);

            assertStored(alice.submit(Events.rename(conversation, name)));
            assertRejected(alice.submit(Events.rename(conversation, name + EMOJI)), Reason.INVALID);
        }

        @Test
        void aDisplayNameOfExactlyTheLimitInEmojiIsAcceptedAndOneMoreIsInvalid() {
            String name = EMOJI.repeat(MAX_DISPLAY_NAME);
            Event change = Events.displayName(name);

            assertStored(alice.submit(change), change);
            assertRejected(alice.submit(Events.displayName(name + EMOJI)), Reason.INVALID);

            assertThat(deliveredTo(alice, change.getUuid()).getDisplayNameChanged().getDisplayName()).isEqualTo(name);
        }

        @Test
        void aMessageTextOfExactlyTheLimitInEmojiIsAcceptedAndOneMoreIsTooLarge() {
            String conversation = conversationOf(alice, bob);
            String text = EMOJI.repeat(MAX_MESSAGE_LENGTH);
            Event send = Events.send(conversation, text);

            assertStored(alice.submit(send), send);
            assertRejected(alice.submit(Events.send(conversation, text + EMOJI)), Reason.TOO_LARGE);

            assertThat(deliveredTo(bob, send.getUuid()).getNewMessage().getMessage().getText()).isEqualTo(text);
        }
    }

    // ---- helpers ----

    /** Creates a conversation of the creator and the others; returns its uuid. */
    private static String conversationOf(Api.User creator, Api.User... others) {
        String conversation = newUuid();
        String[] members = Arrays.stream(others).map(Api.User::uuid).toArray(String[]::new);
        assertStored(creator.submit(Events.createConversation(conversation, "Conversation", members)));
        return conversation;
    }

    /** Sends a message; returns the server's message uuid. */
    private static String sendMessage(Api.User sender, String conversation) {
        return assertStored(sender.submit(Events.send(conversation, "a message"))).getMessageUuid();
    }

    private static Event[] messages(String conversation, int count) {
        Event[] events = new Event[count];
        for (int i = 0; i < count; i++) {
            events[i] = Events.send(conversation, "message " + i);
        }
        return events;
    }

    private static String[] randomUuids(int count) {
        String[] uuids = new String[count];
        for (int i = 0; i < count; i++) {
            uuids[i] = newUuid();
        }
        return uuids;
    }

    /** The 8-byte PNG signature padded with zeros to {@code size} bytes. */
    private static byte[] png(int size) {
        byte[] image = new byte[size];
        System.arraycopy(Events.PNG, 0, image, 0, Math.min(Events.PNG.length, size));
        return image;
    }

    private static Event withUserUuid(Event event, String userUuid) {
        Event.Builder builder = event.toBuilder();
        if (event.hasDisplayNameChanged()) {
            builder.getDisplayNameChangedBuilder().setUserUuid(userUuid);
        } else {
            builder.getProfilePictureChangedBuilder().setUserUuid(userUuid);
        }
        return builder.build();
    }

    /**
     * The event with every server-set field filled with a value a client might forge: the server
     * must ignore them (and they are not part of "the same content").
     */
    private static Event forged(Event event) {
        Event.Builder forged = event.toBuilder().setAuthorUuid(newUuid()).setOccurredAt(FORGED_TIME);
        switch (event.getContentCase()) {
            case CONVERSATION_NAME_CHANGED -> forged.getConversationNameChangedBuilder()
                    .setAuthorUuid(newUuid()).setOccurredAt(FORGED_TIME);
            case MEMBER_JOINED -> forged.getMemberJoinedBuilder()
                    .setAddedByUuid(newUuid()).setConversationName("forged name").addMemberUuids(newUuid());
            case MEMBER_LEFT -> forged.getMemberLeftBuilder().setRemovedByUuid(newUuid());
            case SENDING_NEW_MESSAGE -> forged.getSendingNewMessageBuilder().getMessageBuilder()
                    .setUuid(newUuid()).setAuthorUuid(newUuid()).setSentAt(FORGED_TIME);
            case READ_NEW_MESSAGE -> forged.getReadNewMessageBuilder().setReaderUuid(newUuid());
            default -> { }
        }
        return forged.build();
    }

    /** Asserts a stored (not duplicate, not transitory) acceptance of the submitted event. */
    private static Accepted assertStored(EventResult result, Event submitted) {
        assertThat(result.getClientEventUuid()).isEqualTo(submitted.getUuid());
        Accepted accepted = assertStored(result);
        assertThat(accepted.getEventUuid()).isEqualTo(submitted.getUuid());
        if (submitted.hasSendingNewMessage()) {
            assertCanonicalUuid(accepted.getMessageUuid());
        } else {
            assertThat(accepted.getMessageUuid()).as("message_uuid of a %s", submitted.getContentCase()).isEmpty();
        }
        return accepted;
    }

    private static Accepted assertStored(EventResult result) {
        assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue();
        Accepted accepted = result.getAccepted();
        assertThat(accepted.getEventUuid()).isEqualTo(result.getClientEventUuid());
        assertThat(accepted.getDuplicate()).as("duplicate").isFalse();
        assertThat(accepted.getTransitory()).as("transitory").isFalse();
        assertThat(accepted.hasStoredAt()).as("stored_at").isTrue();
        assertRecent(accepted.getStoredAt());
        return accepted;
    }

    /** A duplicate answers the original Accepted again: same uuid, stored_at and message uuid. */
    private static void assertDuplicateOf(EventResult result, Accepted original) {
        assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue();
        assertThat(result.getClientEventUuid()).isEqualTo(original.getEventUuid());
        assertThat(result.getAccepted()).isEqualTo(original.toBuilder().setDuplicate(true).build());
    }

    private static void assertTransitory(EventResult result, Event submitted) {
        assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue();
        assertThat(result.getClientEventUuid()).isEqualTo(submitted.getUuid());
        Accepted accepted = result.getAccepted();
        assertThat(accepted.getEventUuid()).isEqualTo(submitted.getUuid());
        assertThat(accepted.getTransitory()).as("transitory").isTrue();
        assertThat(accepted.hasStoredAt()).as("stored_at").isFalse();
        assertThat(accepted.getDuplicate()).as("duplicate").isFalse();
        assertThat(accepted.getMessageUuid()).isEmpty();
    }

    private static void assertRejected(EventResult result, Reason reason) {
        assertThat(result.hasRejected()).as("rejected: %s", result).isTrue();
        assertThat(result.getRejected().getReason()).as("reason of %s", result).isEqualTo(reason);
        assertThat(result.getRejected().getDetail()).as("detail").isNotBlank();
    }

    private static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    /** The fields every delivered stored event carries. */
    private static void assertServerFields(Event delivered, Api.User author) {
        assertThat(delivered.getAuthorUuid()).as("author_uuid").isEqualTo(author.uuid());
        assertThat(delivered.hasOccurredAt()).as("occurred_at").isTrue();
        assertRecent(delivered.getOccurredAt());
    }

    private static void assertRecent(Timestamp timestamp) {
        Instant instant = Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
        assertThat(instant).isCloseTo(Instant.now(), within(2, ChronoUnit.MINUTES));
    }

    private static void assertCanonicalUuid(String uuid) {
        assertThat(uuid).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .isNotEqualTo("00000000-0000-0000-0000-000000000000");
    }

    /** The one event with this uuid in the user's feed. */
    private static Event deliveredTo(Api.User user, String eventUuid) {
        List<Event> matching = user.feed().stream().filter(e -> e.getUuid().equals(eventUuid)).toList();
        assertThat(matching).as("events %s in the feed of %s", eventUuid, user.uuid()).hasSize(1);
        return matching.get(0);
    }

    private static void assertNotDeliveredTo(Event event, Api.User... users) {
        for (Api.User user : users) {
            assertThat(feedUuids(user)).as("feed of %s", user.uuid()).doesNotContain(event.getUuid());
        }
    }

    private static List<String> feedUuids(Api.User user) {
        return user.feed().stream().map(Event::getUuid).toList();
    }

    private static Map<Api.User, List<Event>> feeds(Api.User... users) {
        Map<Api.User, List<Event>> feeds = new LinkedHashMap<>();
        for (Api.User user : users) {
            feeds.put(user, List.copyOf(user.feed()));
        }
        return feeds;
    }
}
