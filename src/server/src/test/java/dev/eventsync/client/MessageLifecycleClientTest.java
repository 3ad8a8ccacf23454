package dev.eventsync.client;

import static dev.eventsync.client.ClientPool.WAIT;
import static dev.eventsync.client.ClientPool.awaitServerUuid;
import static dev.eventsync.client.ClientPool.awaitSettled;
import static dev.eventsync.client.ClientPool.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.client.LocalModel.Settings;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** The v1.1 operations of the reference client against a real server and PostgreSQL. */
@ServerTest
class MessageLifecycleClientTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    Api api;
    ClientPool pool;
    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    final UUID carol = UUID.randomUUID();

    @BeforeEach
    void connect() {
        api = new Api(port);
        pool = new ClientPool(port, dir);
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        pool.close();
        api.close();
    }

    /** A conversation that Alice created with these members, once every given client shows it. */
    String conversation(EventsyncClient creator, List<UUID> members, EventsyncClient... others) {
        String conversation = creator.createConversation("lifecycle", members.stream().map(UUID::toString).toList());
        for (EventsyncClient other : others) {
            await().atMost(WAIT).until(() -> other.model().conversation(conversation) != null);
        }
        return conversation;
    }

    /** Alice's raw message (not through a client), by its server uuid. */
    String sendRaw(UUID author, String conversation, Event send) {
        return api.user(author).submit(send).getAccepted().getMessageUuid();
    }

    @Nested
    class RoundTrips {

        @Test
        void editReactionsAndDeleteShowAtOnceAndReachTheOtherMember() {
            EventsyncClient a = pool.online(alice, "alice");
            EventsyncClient b = pool.online(bob, "bob");
            String conversation = conversation(a, List.of(bob), b);
            String uuid = awaitServerUuid(a, conversation, a.sendMessage(conversation, "frist"));

            a.editMessage(conversation, uuid, "first, @bob", bob.toString());
            assertThat(message(a, conversation, uuid).text()).isEqualTo("first, @bob"); // before any answer
            await().atMost(WAIT).until(() -> b.model().messages(conversation).size() == 1
                    && message(b, conversation, uuid).editedAt() != null);
            LocalMessage edited = message(b, conversation, uuid);
            assertThat(edited.text()).isEqualTo("first, @bob");
            assertThat(edited.mentions()).containsExactly(bob.toString());

            b.react(conversation, uuid, "👍", "🎉", "👍");
            assertThat(message(b, conversation, uuid).reactions()).isEqualTo(Map.of(bob.toString(), List.of("👍", "🎉")));
            await().atMost(WAIT).until(() -> message(a, conversation, uuid).reactions()
                    .equals(Map.of(bob.toString(), List.of("👍", "🎉"))));
            b.react(conversation, uuid);
            await().atMost(WAIT).until(() -> message(a, conversation, uuid).reactions().isEmpty());

            b.react(conversation, uuid, "❤️");
            awaitSettled(b);
            a.deleteMessage(conversation, uuid);
            assertThat(message(a, conversation, uuid).deleted()).isTrue();
            await().atMost(WAIT).until(() -> message(b, conversation, uuid).deleted());
            LocalMessage tombstone = message(b, conversation, uuid);
            assertThat(tombstone.text()).isEmpty();
            assertThat(tombstone.mentions()).isEmpty();
            assertThat(tombstone.reactions()).isEmpty();
        }

        @Test
        void aReplyAndItsMentionsArriveWithTheMessage() {
            EventsyncClient a = pool.online(alice, "alice");
            EventsyncClient b = pool.online(bob, "bob");
            String conversation = conversation(a, List.of(bob, carol), b);
            String question = awaitServerUuid(a, conversation, a.sendMessage(conversation, "lunch?"));

            String local = b.sendMessage(conversation, "yes, @alice @carol",
                    MessageOptions.replyTo(question).withMentions(alice.toString(), carol.toString()));
            assertThat(b.model().messages(conversation)).filteredOn(m -> m.localUuid().equals(local)).singleElement()
                    .satisfies(m -> assertThat(m.replyToUuid()).isEqualTo(question));

            await().atMost(WAIT).until(() -> a.model().messages(conversation).size() == 2);
            LocalMessage reply = a.model().messages(conversation).get(1);
            assertThat(reply.replyToUuid()).isEqualTo(question);
            assertThat(reply.mentions()).containsExactly(alice.toString(), carol.toString());
            assertThat(a.model().conversation(conversation).unreadMentionCount()).isEqualTo(1);
        }

        @Test
        void eachSettingsChangeKeepsTheOtherFieldsAndReachesTheUsersOtherDevice() {
            EventsyncClient phone = pool.online(alice, "phone");
            EventsyncClient laptop = pool.online(alice, "laptop");
            String conversation = conversation(phone, List.of(bob), laptop);
            Instant until = Instant.now().plus(8, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

            phone.mute(conversation, until);
            phone.pin(conversation, true);
            phone.archive(conversation, true);
            assertThat(phone.model().conversation(conversation).settings()).isEqualTo(new Settings(until, true, true));
            phone.archive(conversation, false);

            Settings expected = new Settings(until, false, true);
            await().atMost(WAIT).until(() -> laptop.model().conversation(conversation).settings().equals(expected));
            awaitSettled(phone);
            assertThat(phone.model().conversation(conversation).settings()).isEqualTo(expected);
            laptop.mute(conversation, null);
            await().atMost(WAIT).until(() -> phone.model().conversation(conversation).settings()
                    .equals(new Settings(null, false, true)));
        }

        @Test
        void blockingShowsAtOnceReachesTheOtherDeviceAndIsLifted() {
            EventsyncClient phone = pool.online(alice, "phone");
            EventsyncClient laptop = pool.online(alice, "laptop");
            phone.block(bob.toString(), true);
            assertThat(phone.model().blocked()).containsExactly(bob.toString());
            await().atMost(WAIT).until(() -> laptop.model().blocked().equals(Set.of(bob.toString())));

            laptop.block(bob.toString(), false);
            assertThat(laptop.model().blocked()).isEmpty();
            await().atMost(WAIT).until(() -> phone.model().blocked().isEmpty() && phone.pending().isEmpty());
        }

        @Test
        void adminsAreMadeAndRevokedAndMembersAreRemovedOrLeave() {
            EventsyncClient a = pool.online(alice, "alice");
            EventsyncClient b = pool.online(bob, "bob");
            String conversation = conversation(a, List.of(bob, carol), b);
            assertThat(b.model().conversation(conversation).admins()).containsExactly(alice.toString());

            a.setAdmin(conversation, bob.toString(), true);
            await().atMost(WAIT).until(() -> b.model().conversation(conversation).admins().contains(bob.toString()));
            b.removeMember(conversation, carol.toString());
            assertThat(b.model().conversation(conversation).members()).doesNotContain(carol.toString());
            await().atMost(WAIT).until(() -> !a.model().conversation(conversation).members().contains(carol.toString()));
            b.setAdmin(conversation, alice.toString(), false);
            await().atMost(WAIT).until(() -> a.model().conversation(conversation).admins().equals(List.of(bob.toString())));

            b.leave(conversation);
            assertThat(b.model().conversation(conversation).joined()).isFalse();
            // Bob was the only admin: his leaving makes the earliest remaining member admin, in the same event.
            await().atMost(WAIT).until(() -> a.model().conversation(conversation).admins().equals(List.of(alice.toString())));
            assertThat(a.model().conversation(conversation).members()).containsExactly(alice.toString());
            awaitSettled(b);
            assertThat(b.model().conversation(conversation).joined()).isFalse();
        }
    }

    @Nested
    class Rollback {

        final Clients.Recorder recorder = new Clients.Recorder();

        /** Closes the client once its outbox is empty, and opens its file again with no network. */
        EventsyncClient offlineAgain(EventsyncClient client, UUID user, String file) {
            awaitSettled(client);
            pool.close(client);
            return pool.offline(user, file, builder -> builder.listener(recorder));
        }

        /** Alice's message, sent and stored; then her client with no network. */
        record OwnMessage(String conversation, String uuid, EventsyncClient offline) {
            LocalMessage shown() {
                return message(offline, conversation, uuid);
            }
        }

        OwnMessage aliceOfflineAfterSending(String text) {
            EventsyncClient a = pool.online(alice, "alice");
            String conversation = conversation(a, List.of(bob));
            String uuid = awaitServerUuid(a, conversation, a.sendMessage(conversation, text));
            return new OwnMessage(conversation, uuid, offlineAgain(a, alice, "alice"));
        }

        /** Goes online; the one queued change gets this rejection. */
        void reconnectAndExpect(EventsyncClient offline, Rejected.Reason reason) {
            offline.start();
            awaitSettled(offline);
            assertThat(recorder.rejections).extracting(Rejected::getReason).containsExactly(reason);
        }

        @Test
        void anEditRacingADeleteIsRejectedAndTheTombstoneShows() {
            OwnMessage own = aliceOfflineAfterSending("original");
            own.offline().editMessage(own.conversation(), own.uuid(), "edited offline");
            assertThat(own.shown().text()).isEqualTo("edited offline");
            assertThat(own.shown().editedAt()).isNotNull();
            api.user(alice).submit(Events.delete(own.conversation(), own.uuid())); // from Alice's other device, first
            reconnectAndExpect(own.offline(), Rejected.Reason.MESSAGE_DELETED);
            await().atMost(WAIT).until(() -> own.shown().deleted());
            assertThat(own.shown().text()).isEmpty();
        }

        @Test
        void anEditRejectedWhileTheServerStateIsUnchangedRestoresTheServersText() {
            OwnMessage own = aliceOfflineAfterSending("keep me");
            own.offline().editMessage(own.conversation(), own.uuid(), "x".repeat(100_000)); // over the text limit
            assertThat(own.shown().text()).hasSize(100_000);
            reconnectAndExpect(own.offline(), Rejected.Reason.TOO_LARGE);
            assertThat(own.shown().text()).isEqualTo("keep me");
            assertThat(own.shown().editedAt()).isNull();
        }

        @Test
        void aReactionRacingADeleteIsRejectedAndNoReactionRemains() {
            EventsyncClient b = pool.online(bob, "bob");
            String conversation = Events.newUuid();
            api.user(alice).submit(Events.createConversation(conversation, "race", bob.toString()));
            String uuid = sendRaw(alice, conversation, Events.send(conversation, "react to me"));
            await().atMost(WAIT).until(() -> b.model().messages(conversation).size() == 1);
            EventsyncClient offline = offlineAgain(b, bob, "bob");
            offline.react(conversation, uuid, "😮");
            assertThat(message(offline, conversation, uuid).reactions()).containsOnlyKeys(bob.toString());
            api.user(alice).submit(Events.delete(conversation, uuid));
            reconnectAndExpect(offline, Rejected.Reason.MESSAGE_DELETED);
            await().atMost(WAIT).until(() -> message(offline, conversation, uuid).deleted());
            assertThat(message(offline, conversation, uuid).reactions()).isEmpty();
        }

        @Test
        void aRemovalByAnAdminDemotedMeanwhileIsForbiddenAndTheMemberIsBack() {
            String conversation = Events.newUuid();
            Api.User aliceApi = api.user(alice);
            aliceApi.submit(Events.createConversation(conversation, "demoted", bob.toString(), carol.toString()));
            aliceApi.submit(Events.role(conversation, bob.toString(), true));
            EventsyncClient b = pool.online(bob, "bob");
            await().atMost(WAIT).until(() -> b.model().conversation(conversation) != null
                    && b.model().conversation(conversation).admins().contains(bob.toString()));
            EventsyncClient offline = offlineAgain(b, bob, "bob");
            offline.removeMember(conversation, carol.toString());
            assertThat(offline.model().conversation(conversation).members()).doesNotContain(carol.toString());
            aliceApi.submit(Events.role(conversation, bob.toString(), false));
            reconnectAndExpect(offline, Rejected.Reason.FORBIDDEN);
            await().atMost(WAIT).until(() -> !offline.model().conversation(conversation).admins().contains(bob.toString()));
            assertThat(offline.model().conversation(conversation).members()).contains(carol.toString());
        }
    }

    @Nested
    class Receipts {

        @Test
        void aBurstOfMessagesIsAcknowledgedByFewReceiptsTheLastNamingTheNewest() {
            String conversation = Events.newUuid();
            Api.User aliceApi = api.user(alice);
            aliceApi.submit(Events.createConversation(conversation, "burst", bob.toString()));
            EventsyncClient b = pool.online(bob, "bob", builder -> builder.deliveryReceiptInterval(Duration.ofSeconds(2)));
            await().atMost(WAIT).until(() -> b.model().conversation(conversation) != null);
            Event[] burst = new Event[20];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = Events.send(conversation, "m" + i);
            }
            String newest = aliceApi.sync(burst).getResults(burst.length - 1).getAccepted().getMessageUuid();

            await().atMost(WAIT).until(() -> receipts(api.user(bob).feed()).stream()
                    .anyMatch(r -> r.getMessagesDelivered().getUpToMessageUuid().equals(newest)));
            List<Event> receipts = receipts(api.user(bob).feed());
            assertThat(receipts).hasSizeBetween(1, 3); // the first ingested, then one per interval at most
            // Alice, the author, sees her newest message delivered.
            assertThat(receipts(aliceApi.feed())).isNotEmpty();
        }

        @Test
        void receiptsAreNeverSentForOwnMessagesAndTheAuthorSeesDelivered() {
            EventsyncClient a = pool.online(alice, "alice");
            EventsyncClient b = pool.online(bob, "bob");
            String conversation = conversation(a, List.of(bob), b);
            List<String> own = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                own.add(awaitServerUuid(a, conversation, a.sendMessage(conversation, "mine " + i)));
            }
            await().atMost(WAIT).until(() -> a.model().messages(conversation).stream().allMatch(LocalMessage::delivered));
            String bobs = awaitServerUuid(b, conversation, b.sendMessage(conversation, "bob's"));
            await().atMost(WAIT).until(() -> receipts(api.user(alice).feed()).stream()
                    .anyMatch(r -> r.getAuthorUuid().equals(alice.toString())));

            // Alice acknowledged only Bob's message, and Bob only Alice's.
            assertThat(receipts(api.user(alice).feed())).filteredOn(r -> r.getAuthorUuid().equals(alice.toString()))
                    .allMatch(r -> r.getMessagesDelivered().getUpToMessageUuid().equals(bobs));
            assertThat(receipts(api.user(bob).feed())).filteredOn(r -> r.getAuthorUuid().equals(bob.toString()))
                    .allMatch(r -> own.contains(r.getMessagesDelivered().getUpToMessageUuid()));
            await().atMost(WAIT).until(() -> message(b, conversation, bobs).delivered());
        }

        List<Event> receipts(List<Event> feed) {
            return feed.stream().filter(Event::hasMessagesDelivered).toList();
        }
    }

    @Nested
    class UnreadCounts {

        @Test
        void unreadCountsFollowMessagesDeletesMentionsAndTheReadMarker() {
            EventsyncClient a = pool.online(alice, "alice");
            String conversation = Events.newUuid();
            Api.User bobApi = api.user(bob);
            bobApi.submit(Events.createConversation(conversation, "unread", alice.toString()));
            String first = sendRaw(bob, conversation, Events.send(conversation, "one"));
            String mention = sendRaw(bob, conversation, Events.mention(conversation, "two, @alice", alice.toString()));
            sendRaw(bob, conversation, Events.send(conversation, "three"));
            awaitUnread(a, conversation, 3, 1);

            awaitServerUuid(a, conversation, a.sendMessage(conversation, "my own never counts"));
            awaitUnread(a, conversation, 3, 1);
            bobApi.submit(Events.delete(conversation, mention));
            awaitUnread(a, conversation, 2, 0);

            a.markRead(conversation, first);
            assertThat(a.model().conversation(conversation).unreadCount()).isEqualTo(1); // at once
            String fourth = sendRaw(bob, conversation, Events.mention(conversation, "four, @alice", alice.toString()));
            awaitUnread(a, conversation, 2, 1);
            a.markRead(conversation, fourth);
            awaitSettled(a);
            awaitUnread(a, conversation, 0, 0);
            a.markRead(conversation, first); // an older read moves nothing
            awaitSettled(a);
            awaitUnread(a, conversation, 0, 0);
            assertThat(a.model().markers(conversation)).filteredOn(m -> m.userUuid().equals(alice.toString()))
                    .singleElement().satisfies(m -> assertThat(m.readUuid()).isEqualTo(fourth));
        }

        void awaitUnread(EventsyncClient client, String conversation, int unread, int mentions) {
            await().atMost(WAIT).until(() -> {
                LocalModel.Conversation c = client.model().conversation(conversation);
                return c != null && c.unreadCount() == unread && c.unreadMentionCount() == mentions;
            });
        }
    }
}
