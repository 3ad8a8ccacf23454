package dev.eventsync.client;

import static dev.eventsync.client.ClientPool.WAIT;
import static dev.eventsync.client.ClientPool.awaitServerUuid;
import static dev.eventsync.client.ClientPool.awaitSettled;
import static dev.eventsync.client.ClientPool.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.ServerTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * Two users (Alice on two devices, Bob on one) go offline, edit, delete and react in conflict,
 * then reconnect one after the other. Whatever the order, every device ends with the same model,
 * equal to what a new device replaying the feed from empty builds: the server's state.
 */
@ServerTest
class OfflineConflictsConvergeTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    ClientPool pool;
    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    @BeforeEach
    void pool() {
        pool = new ClientPool(port, dir);
    }

    @AfterEach
    void closeAll() {
        pool.close();
    }

    /** Who reconnects first, second and third. */
    enum Order { ALICE_PHONE_BOB_ALICE_TABLET, BOB_ALICE_TABLET_ALICE_PHONE }

    @ParameterizedTest
    @EnumSource(Order.class)
    void offlineEditsDeletesAndReactionsConvergeOnEveryDeviceAndWithAFreshReplay(Order order) {
        EventsyncClient phone = pool.online(alice, "alice-phone");
        EventsyncClient tablet = pool.online(alice, "alice-tablet");
        EventsyncClient bobs = pool.online(bob, "bob");
        String conversation = phone.createConversation("conflicts", List.of(bob.toString()));
        await().atMost(WAIT).until(() -> bobs.model().conversation(conversation) != null);
        String m1 = awaitServerUuid(phone, conversation, phone.sendMessage(conversation, "a1"));
        String m2 = awaitServerUuid(bobs, conversation, bobs.sendMessage(conversation, "b2"));
        String m3 = awaitServerUuid(phone, conversation, phone.sendMessage(conversation, "a3"));
        String m4 = awaitServerUuid(bobs, conversation, bobs.sendMessage(conversation, "b4"));
        for (EventsyncClient client : List.of(phone, tablet, bobs)) {
            await().atMost(WAIT).until(() -> client.model().messages(conversation).size() == 4);
            awaitSettled(client);
            pool.close(client);
        }

        // Offline: each device sees its own changes at once.
        Clients.Recorder phoneResults = new Clients.Recorder();
        Clients.Recorder bobResults = new Clients.Recorder();
        EventsyncClient phoneOffline = pool.offline(alice, "alice-phone", b -> b.listener(phoneResults));
        EventsyncClient tabletOffline = pool.offline(alice, "alice-tablet");
        EventsyncClient bobOffline = pool.offline(bob, "bob", b -> b.listener(bobResults));

        phoneOffline.editMessage(conversation, m1, "a1, from the phone");
        phoneOffline.react(conversation, m2, "👍");
        phoneOffline.deleteMessage(conversation, m3);
        phoneOffline.react(conversation, m4, "😂");
        phoneOffline.editMessage(conversation, m1, "a1, final from the phone");

        tabletOffline.editMessage(conversation, m1, "a1, from the tablet");
        tabletOffline.react(conversation, m1, "🎉");

        bobOffline.react(conversation, m1, "❤️");
        bobOffline.react(conversation, m3, "😮");
        bobOffline.deleteMessage(conversation, m2);
        bobOffline.editMessage(conversation, m4, "b4, edited");
        bobOffline.react(conversation, m2, "🙈"); // after his own delete: shows nothing, and the server will agree

        assertThat(message(phoneOffline, conversation, m1).text()).isEqualTo("a1, final from the phone");
        assertThat(message(phoneOffline, conversation, m3).deleted()).isTrue();
        assertThat(message(phoneOffline, conversation, m2).reactions()).isEqualTo(Map.of(alice.toString(), List.of("👍")));
        assertThat(message(tabletOffline, conversation, m1).text()).isEqualTo("a1, from the tablet");
        assertThat(message(bobOffline, conversation, m2).deleted()).isTrue();
        assertThat(message(bobOffline, conversation, m2).reactions()).isEmpty();
        assertThat(message(bobOffline, conversation, m3).reactions()).isEqualTo(Map.of(bob.toString(), List.of("😮")));

        List<EventsyncClient> reconnecting = order == Order.ALICE_PHONE_BOB_ALICE_TABLET
                ? List.of(phoneOffline, bobOffline, tabletOffline)
                : List.of(bobOffline, tabletOffline, phoneOffline);
        for (EventsyncClient client : reconnecting) {
            client.start();
            awaitSettled(client);
        }

        EventsyncClient aliceFresh = pool.online(alice, "alice-fresh");
        EventsyncClient bobFresh = pool.online(bob, "bob-fresh");
        List<EventsyncClient> all = List.of(phoneOffline, tabletOffline, bobOffline, aliceFresh, bobFresh);
        await().atMost(WAIT).until(() -> all.stream().allMatch(c -> c.pending().isEmpty())
                && all.stream().map(c -> view(c, conversation)).distinct().count() == 1);
        // Each user's own view (unread counts, markers of their own) equals their fresh replay too.
        await().atMost(WAIT).until(() -> conversationOf(phoneOffline, conversation).equals(conversationOf(aliceFresh, conversation))
                && conversationOf(tabletOffline, conversation).equals(conversationOf(aliceFresh, conversation))
                && conversationOf(bobOffline, conversation).equals(conversationOf(bobFresh, conversation)));

        // The outcome the server's order decides.
        List<LocalMessage> messages = aliceFresh.model().messages(conversation);
        assertThat(messages).extracting(LocalMessage::uuid).containsExactly(m1, m2, m3, m4);
        assertThat(messages).extracting(LocalMessage::deleted).containsExactly(false, true, true, false);
        assertThat(messages.get(0).text()).isEqualTo(order == Order.ALICE_PHONE_BOB_ALICE_TABLET
                ? "a1, from the tablet" : "a1, final from the phone"); // the later edit in the server's order
        assertThat(messages.get(0).reactions()).isEqualTo(Map.of(alice.toString(), List.of("🎉"), bob.toString(), List.of("❤️")));
        assertThat(messages.get(0).editedAt()).isNotNull();
        assertThat(messages.get(3).text()).isEqualTo("b4, edited");
        assertThat(messages.get(3).reactions()).isEqualTo(Map.of(alice.toString(), List.of("😂")));
        assertThat(messages.get(1).text()).isEmpty();
        assertThat(messages.get(2).text()).isEmpty();
        if (order == Order.ALICE_PHONE_BOB_ALICE_TABLET) {
            // Alice deleted m3 before Bob's reaction reached it; his late reaction to m2 (deleted by himself) fails too.
            assertThat(phoneResults.rejections).isEmpty();
            assertThat(bobResults.rejections).extracting(Rejected::getReason)
                    .containsExactly(Rejected.Reason.MESSAGE_DELETED, Rejected.Reason.MESSAGE_DELETED);
        } else {
            // Bob deleted m2 first: Alice's reaction to it is refused, and Bob's own late reaction.
            assertThat(phoneResults.rejections).extracting(Rejected::getReason).containsExactly(Rejected.Reason.MESSAGE_DELETED);
            assertThat(bobResults.rejections).extracting(Rejected::getReason).containsExactly(Rejected.Reason.MESSAGE_DELETED);
        }
    }

    /**
     * What every member must agree on: members, admins, and each message as the server has it now;
     * empty while the client has not received the conversation yet (a fresh device catching up).
     */
    static List<Object> view(EventsyncClient client, String conversation) {
        LocalModel.Conversation c = client.model().conversation(conversation);
        if (c == null) {
            return List.of();
        }
        return List.of(c.name(), c.members(), c.admins(), client.model().messages(conversation).stream()
                .map(m -> List.of(m.uuid(), m.authorUuid(), m.text(), String.valueOf(m.editedAt()), m.deleted(),
                        m.reactions(), m.replyToUuid(), m.mentions(), String.valueOf(m.sentAt())))
                .toList());
    }

    /** One user's whole view of the conversation, unread counts and settings included. */
    static LocalModel.Conversation conversationOf(EventsyncClient client, String conversation) {
        return client.model().conversation(conversation);
    }
}
