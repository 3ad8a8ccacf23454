package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * Who gets what in their feed (API.md, "who gets it" column; guarantee 4): every event in a
 * caller's feed is one the caller is allowed to see, and nothing else is. Feeds are compared by
 * event uuid: a stored event keeps the uuid its client submitted.
 */
@ServerTest
class FeedVisibilityTest {

    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;
    Api.User bob;
    Api.User carol;
    Api.User outsider;

    @BeforeEach
    void connect() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
        outsider = api.newUser();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Nested
    class ConversationCreation {

        @Test
        void everyInitialMemberReceivesConversationCreatedWithTheCreatorIncludedAndDuplicatesRemoved() {
            String conversation = Events.newUuid();
            Event create = Events.createConversation(conversation, "Lunch", bob.uuid(), bob.uuid(), carol.uuid());

            accept(alice, create);

            for (Api.User member : List.of(alice, bob, carol)) {
                List<Event> feed = member.feed();
                assertThat(uuids(feed)).as("feed of an initial member").containsExactly(create.getUuid());
                Event delivered = feed.get(0);
                assertThat(delivered.getAuthorUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getConversationCreated().getConversationUuid()).isEqualTo(conversation);
                assertThat(delivered.getConversationCreated().getName()).isEqualTo("Lunch");
                assertThat(delivered.getConversationCreated().getMemberUuidsList())
                        .as("members: the creator included, each once")
                        .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
            }
        }

        @Test
        void aCreatorWhoListsThemselvesIsAMemberOnce() {
            Event create = Events.createConversation(Events.newUuid(), "Pair", alice.uuid(), bob.uuid(), alice.uuid());

            accept(alice, create);

            assertThat(bob.feed()).singleElement().satisfies(event -> assertThat(
                    event.getConversationCreated().getMemberUuidsList()).containsExactlyInAnyOrder(alice.uuid(), bob.uuid()));
        }

        @Test
        void aCreatorAloneReceivesTheirOwnConversation() {
            Event create = Events.createConversation(Events.newUuid(), "Notes to self");

            accept(alice, create);

            assertThat(alice.feed()).singleElement().satisfies(event -> assertThat(
                    event.getConversationCreated().getMemberUuidsList()).containsExactly(alice.uuid()));
        }

        @Test
        void anOutsiderSeesNothingOfAConversation() {
            String conversation = Events.newUuid();
            accept(alice, Events.createConversation(conversation, "Private", bob.uuid()));
            EventResult sent = accept(alice, Events.send(conversation, "secret")).get(0);
            accept(bob, Events.read(conversation, sent.getAccepted().getMessageUuid()));
            accept(bob, Events.rename(conversation, "Still private"));
            accept(alice, Events.addMember(conversation, carol.uuid()));
            accept(alice, Events.removeMember(conversation, carol.uuid()));
            accept(alice, Events.displayName("Alice"), Events.picture(Events.PNG));

            List<Event> everything = outsider.read("");

            assertThat(everything).as("only sync_caught_up, after an empty feed").singleElement()
                    .satisfies(caughtUp -> assertThat(caughtUp.getSyncCaughtUp().getLastEventUuid()).isEmpty());
        }
    }

    @Nested
    class Joining {

        @Test
        void aMemberAddedLaterReceivesMemberJoinedWithTheNameAndMemberSnapshotAndOnlyLaterEvents() {
            String conversation = Events.newUuid();
            Event create = Events.createConversation(conversation, "Lunch", bob.uuid());
            Event rename = Events.rename(conversation, "Dinner");
            Event before = Events.send(conversation, "before carol");
            accept(alice, create, rename, before);
            Event bobsBefore = Events.send(conversation, "also before carol");
            accept(bob, bobsBefore);

            Event join = Events.addMember(conversation, carol.uuid());
            accept(alice, join);
            Event after = Events.send(conversation, "after carol");
            accept(bob, after);

            List<Event> carolsFeed = carol.feed();
            assertThat(uuids(carolsFeed)).as("the new member's feed starts at the join")
                    .containsExactly(join.getUuid(), after.getUuid());
            Event joined = carolsFeed.get(0);
            assertThat(joined.getAuthorUuid()).isEqualTo(alice.uuid());
            assertThat(joined.getMemberJoined().getConversationUuid()).isEqualTo(conversation);
            assertThat(joined.getMemberJoined().getUserUuid()).isEqualTo(carol.uuid());
            assertThat(joined.getMemberJoined().getAddedByUuid()).isEqualTo(alice.uuid());
            assertThat(joined.getMemberJoined().getConversationName()).as("the current name").isEqualTo("Dinner");
            assertThat(joined.getMemberJoined().getMemberUuidsList()).as("the members after the join")
                    .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
        }

        @Test
        void existingMembersReceiveTheJoinToo() {
            String conversation = Events.newUuid();
            Event create = Events.createConversation(conversation, "Lunch", bob.uuid());
            Event join = Events.addMember(conversation, carol.uuid());

            accept(alice, create);
            accept(bob, join);

            assertThat(uuids(alice.feed())).containsExactly(create.getUuid(), join.getUuid());
            assertThat(uuids(bob.feed())).containsExactly(create.getUuid(), join.getUuid());
            assertThat(uuids(outsider.feed())).isEmpty();
        }
    }

    @Nested
    class Leaving {

        String conversation;
        Event create;
        Event first;

        @BeforeEach
        void threeMembersExchangedAMessage() {
            conversation = Events.newUuid();
            create = Events.createConversation(conversation, "Team", bob.uuid(), carol.uuid());
            first = Events.send(conversation, "hello");
            accept(alice, create, first);
        }

        @Test
        void aMemberWhoLeftReceivesTheirMemberLeftAndNothingAfterWhileOthersKeepReceiving() {
            Event leave = Events.leave(conversation);
            accept(bob, leave);
            Event afterwards = Events.send(conversation, "bob is gone");
            Event rename = Events.rename(conversation, "Team without bob");
            accept(alice, afterwards, rename);
            Event carolsLater = Events.send(conversation, "indeed");
            accept(carol, carolsLater);

            List<Event> bobsFeed = bob.feed();
            assertThat(uuids(bobsFeed)).containsExactly(create.getUuid(), first.getUuid(), leave.getUuid());
            Event left = bobsFeed.get(2);
            assertThat(left.getMemberLeft().getConversationUuid()).isEqualTo(conversation);
            assertThat(left.getMemberLeft().getUserUuid()).isEqualTo(bob.uuid());
            assertThat(left.getMemberLeft().getRemovedByUuid()).isEqualTo(bob.uuid());
            List<String> othersSee = List.of(create.getUuid(), first.getUuid(), leave.getUuid(),
                    afterwards.getUuid(), rename.getUuid(), carolsLater.getUuid());
            assertThat(uuids(alice.feed())).containsExactlyElementsOf(othersSee);
            assertThat(uuids(carol.feed())).containsExactlyElementsOf(othersSee);
        }

        @Test
        void aRemovedMemberReceivesTheirMemberLeftAndNothingAfterWhileOthersKeepReceiving() {
            Event removal = Events.removeMember(conversation, carol.uuid());
            accept(alice, removal);
            Event afterwards = Events.send(conversation, "just us now");
            accept(bob, afterwards);

            List<Event> carolsFeed = carol.feed();
            assertThat(uuids(carolsFeed)).containsExactly(create.getUuid(), first.getUuid(), removal.getUuid());
            assertThat(carolsFeed.get(2).getMemberLeft().getUserUuid()).isEqualTo(carol.uuid());
            assertThat(carolsFeed.get(2).getMemberLeft().getRemovedByUuid()).isEqualTo(alice.uuid());
            assertThat(uuids(alice.feed())).containsExactly(create.getUuid(), first.getUuid(), removal.getUuid(),
                    afterwards.getUuid());
            assertThat(uuids(bob.feed())).containsExactly(create.getUuid(), first.getUuid(), removal.getUuid(),
                    afterwards.getUuid());
        }

        @Test
        void aMemberAddedAgainAfterLeavingReceivesEventsAgainButNotThoseFromTheirAbsence() {
            Event leave = Events.leave(conversation);
            accept(bob, leave);
            Event whileAway = Events.send(conversation, "while bob is away");
            Event rejoin = Events.addMember(conversation, bob.uuid());
            Event back = Events.send(conversation, "welcome back");
            accept(alice, whileAway, rejoin, back);
            Event bobsReply = Events.send(conversation, "thanks");
            accept(bob, bobsReply);

            List<Event> bobsFeed = bob.feed();
            assertThat(uuids(bobsFeed)).containsExactly(create.getUuid(), first.getUuid(), leave.getUuid(),
                    rejoin.getUuid(), back.getUuid(), bobsReply.getUuid());
            assertThat(bobsFeed.get(3).getMemberJoined().getMemberUuidsList())
                    .containsExactlyInAnyOrder(alice.uuid(), bob.uuid(), carol.uuid());
            assertThat(uuids(carol.feed())).containsExactly(create.getUuid(), first.getUuid(), leave.getUuid(),
                    whileAway.getUuid(), rejoin.getUuid(), back.getUuid(), bobsReply.getUuid());
        }
    }

    @Nested
    class ProfileChanges {

        Api.User dave;
        Api.User former;

        /** alice shares one conversation with bob and another with carol; former was in one and left. */
        @BeforeEach
        void aliceHasContactsInTwoConversations() {
            dave = api.newUser();
            former = api.newUser();
            String withBob = Events.newUuid();
            String withCarol = Events.newUuid();
            accept(alice, Events.createConversation(withBob, "Bob and me", bob.uuid(), former.uuid()),
                    Events.createConversation(withCarol, "Carol and me", carol.uuid()));
            accept(former, Events.leave(withBob));
            accept(dave, Events.createConversation(Events.newUuid(), "Dave and bob", bob.uuid()));
        }

        @Test
        void aDisplayNameChangeReachesTheCallerAndEveryoneSharingAConversationAndNobodyElse() {
            Event change = Events.displayName("Alice A.");

            accept(alice, change);

            for (Api.User receiver : List.of(alice, bob, carol)) {
                List<Event> feed = receiver.feed();
                assertThat(uuids(feed)).contains(change.getUuid());
                Event delivered = feed.get(uuids(feed).indexOf(change.getUuid()));
                assertThat(delivered.getDisplayNameChanged().getUserUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getDisplayNameChanged().getDisplayName()).isEqualTo("Alice A.");
                assertThat(delivered.getAuthorUuid()).isEqualTo(alice.uuid());
            }
            for (Api.User stranger : List.of(dave, former, outsider)) {
                assertThat(uuids(stranger.feed())).as("a user sharing no conversation with alice")
                        .doesNotContain(change.getUuid());
            }
        }

        @Test
        void aProfilePictureChangeReachesTheCallerAndEveryoneSharingAConversationAndNobodyElse() {
            Event change = Events.picture(Events.PNG);

            accept(alice, change);

            for (Api.User receiver : List.of(alice, bob, carol)) {
                List<Event> feed = receiver.feed();
                assertThat(uuids(feed)).contains(change.getUuid());
                Event delivered = feed.get(uuids(feed).indexOf(change.getUuid()));
                assertThat(delivered.getProfilePictureChanged().getUserUuid()).isEqualTo(alice.uuid());
                assertThat(delivered.getProfilePictureChanged().getPngImage().toByteArray()).isEqualTo(Events.PNG);
            }
            for (Api.User stranger : List.of(dave, former, outsider)) {
                assertThat(uuids(stranger.feed())).as("a user sharing no conversation with alice")
                        .doesNotContain(change.getUuid());
            }
        }

        @Test
        void aUserWithoutConversationsReceivesOnlyTheirOwnProfileChanges() {
            Event change = Events.displayName("Loner");

            accept(outsider, change);

            assertThat(uuids(outsider.feed())).containsExactly(change.getUuid());
            for (Api.User other : List.of(alice, bob, carol, dave, former)) {
                assertThat(uuids(other.feed())).doesNotContain(change.getUuid());
            }
        }
    }

    @Nested
    class Messages {

        String conversation;
        Event create;

        @BeforeEach
        void aliceBobAndCarolShareAConversation() {
            conversation = Events.newUuid();
            create = Events.createConversation(conversation, "Team", bob.uuid(), carol.uuid());
            accept(alice, create);
        }

        @Test
        void theSendersOwnFeedHasTheirNewMessageForTheirOtherDevices() {
            Event send = Events.send(conversation, "from my phone");

            EventResult result = accept(alice, send).get(0);

            List<Event> alicesFeed = alice.feed();
            assertThat(uuids(alicesFeed)).containsExactly(create.getUuid(), send.getUuid());
            Event delivered = alicesFeed.get(1);
            assertThat(delivered.hasNewMessage()).as("stored as new_message").isTrue();
            assertThat(delivered.getNewMessage().getLocalUuid()).isEqualTo(send.getSendingNewMessage().getLocalUuid());
            assertThat(delivered.getNewMessage().getUuid()).isEqualTo(result.getAccepted().getMessageUuid());
            assertThat(delivered.getNewMessage().getMessage().getAuthorUuid()).isEqualTo(alice.uuid());
            assertThat(delivered.getNewMessage().getMessage().getText()).isEqualTo("from my phone");
            assertThat(uuids(bob.feed())).containsExactly(create.getUuid(), send.getUuid());
            assertThat(uuids(outsider.feed())).isEmpty();
        }

        @Test
        void readNewMessageReachesTheCurrentMembersOnly() {
            EventResult sent = accept(alice, Events.send(conversation, "read me")).get(0);
            Event leave = Events.leave(conversation);
            accept(carol, leave);
            Event read = Events.read(conversation, sent.getAccepted().getMessageUuid());

            accept(bob, read);

            for (Api.User member : List.of(alice, bob)) {
                List<Event> feed = member.feed();
                assertThat(uuids(feed).get(feed.size() - 1)).isEqualTo(read.getUuid());
                Event delivered = feed.get(feed.size() - 1);
                assertThat(delivered.getReadNewMessage().getReaderUuid()).isEqualTo(bob.uuid());
                assertThat(delivered.getReadNewMessage().getUuid()).isEqualTo(sent.getAccepted().getMessageUuid());
                assertThat(delivered.getReadNewMessage().getConversationUuid()).isEqualTo(conversation);
            }
            assertThat(uuids(carol.feed())).as("carol left before the read").doesNotContain(read.getUuid())
                    .endsWith(leave.getUuid());
            assertThat(uuids(outsider.feed())).isEmpty();
        }

        @Test
        void typingIsNeverInAnyFeed() {
            Event typing = Events.typing(conversation);

            EventResult result = accept(bob, typing).get(0);

            assertThat(result.getAccepted().getTransitory()).isTrue();
            for (Api.User user : List.of(alice, bob, carol, outsider)) {
                List<Event> feed = user.feed();
                assertThat(feed).noneMatch(Event::hasUserIsTyping);
                assertThat(uuids(feed)).doesNotContain(typing.getUuid());
            }
            assertThat(uuids(alice.feed())).containsExactly(create.getUuid());
        }

        @Test
        void feedOrderIsSubmissionOrderForOneWriter() {
            List<Event> submitted = new ArrayList<>();
            // One call of mixed kinds, then several calls: the order within and across calls holds.
            List<Event> firstCall = List.of(Events.send(conversation, "1"), Events.rename(conversation, "Renamed"),
                    Events.send(conversation, "2"), Events.displayName("Alice"), Events.send(conversation, "3"),
                    Events.picture(Events.PNG), Events.send(conversation, "4"));
            accept(alice, firstCall.toArray(Event[]::new));
            submitted.addAll(firstCall);
            for (int call = 0; call < 4; call++) {
                List<Event> events = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    events.add(Events.send(conversation, "call " + call + " message " + i));
                }
                accept(alice, events.toArray(Event[]::new));
                submitted.addAll(events);
            }

            List<String> expected = new ArrayList<>();
            expected.add(create.getUuid());
            expected.addAll(uuids(submitted));
            for (Api.User member : List.of(alice, bob, carol)) {
                assertThat(uuids(member.feed())).containsExactlyElementsOf(expected);
            }
        }
    }

    /** Submits the events in one Sync call and requires every one to be accepted. */
    static List<EventResult> accept(Api.User user, Event... events) {
        SubmitEventOutput output = user.sync(events);
        assertThat(output.getResultsList()).as("results of %s", Arrays.asList(events)).hasSize(events.length)
                .allSatisfy(result -> assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue());
        return output.getResultsList();
    }

    static List<String> uuids(List<Event> events) {
        return events.stream().map(Event::getUuid).toList();
    }
}
