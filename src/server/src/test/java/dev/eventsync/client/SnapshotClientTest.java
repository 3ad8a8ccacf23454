package dev.eventsync.client;

import static dev.eventsync.client.ClientPool.WAIT;
import static dev.eventsync.client.ClientPool.awaitSettled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * The client's first sync by Snapshot, its resync after FAILED_PRECONDITION and loadOlder, end to
 * end: a device that took a snapshot shows what a device that followed the whole feed shows.
 */
@ServerTest
class SnapshotClientTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    ClientPool pool;
    Api api;
    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        pool = new ClientPool(port, dir);
        api = new Api(port);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.close();
        api.close();
    }

    private String send(Api.User user, Event event) {
        var result = user.submit(event);
        assertThat(result.hasAccepted()).as("%s", result).isTrue();
        return result.getAccepted().getMessageUuid();
    }

    @Test
    void aNewDeviceGetsFromASnapshotWhatTheDeviceThatFollowedTheFeedShowsAndBothCountUnreadAlikeAfterwards() {
        // No receipts from alice's devices: the feed then ends where the test says, and the markers hold still.
        EventsyncClient phone = pool.online(alice, "alice-phone", o -> o.deliveryReceipts(false));
        Api.User a = api.user(alice);
        Api.User b = api.user(bob);
        UUID carol = UUID.randomUUID();
        String group = Events.newUuid();
        String small = Events.newUuid();
        String former = Events.newUuid();
        send(a, Events.createConversation(group, "group", bob.toString()));
        send(a, Events.createConversation(small, "small", bob.toString()));
        send(b, Events.createConversation(former, "former", alice.toString(), carol.toString()));
        send(b, Events.send(former, "seen before leaving"));
        send(a, Events.leave(former));
        send(b, Events.send(former, "after alice left"));
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            messages.add(send(i % 3 == 0 ? a : b, i == 11 ? Events.mention(group, "m" + i, alice.toString())
                    : Events.send(group, "m" + i)));
        }
        send(a, Events.read(group, messages.get(2))); // older than the 5 messages the snapshot brings
        send(b, Events.read(group, messages.get(10)));
        send(b, Events.edit(group, messages.get(10), "m10, edited"));
        send(a, Events.delete(group, messages.get(9)));
        send(a, Events.react(group, messages.get(10), "👍"));
        send(b, Events.react(group, messages.get(10), "🎉"));
        send(b, Events.send(small, "hello"));
        send(a, Events.settings(small, true, true));
        send(a, Events.block(carol.toString(), true));
        String last = a.feed().get(a.feed().size() - 1).getUuid();
        await().atMost(WAIT).until(() -> phone.cursor().equals(last));

        Clients.Recorder snapshots = new Clients.Recorder();
        EventsyncClient tablet = pool.online(alice, "alice-tablet", o -> o.messagesPerConversation(5).listener(snapshots)
                .deliveryReceipts(false));
        await().atMost(WAIT).until(() -> tablet.connectionState() == ConnectionState.LIVE);

        assertThat(snapshots.snapshots).containsExactly(last);
        assertThat(tablet.cursor()).isEqualTo(last);
        // Joined conversations: members, admins, settings, unread counts (8 of others after m2, one mentioning alice; m9 deleted).
        await().atMost(WAIT).until(() -> joined(tablet).equals(joined(phone)));
        assertThat(tablet.model().conversation(group).unreadCount()).isEqualTo(6);
        assertThat(tablet.model().conversation(group).unreadMentionCount()).isEqualTo(1);
        LocalModel.Conversation left = tablet.model().conversation(former);
        assertThat(left.joined()).isFalse();
        assertThat(left.unreadCount()).isZero();
        assertThat(tablet.model().messages(former)).extracting(LocalMessage::text).containsExactly("seen before leaving");
        assertThat(phone.model().messages(former)).extracting(LocalMessage::text).containsExactly("seen before leaving");
        for (String conversation : List.of(group, small)) {
            List<LocalMessage> followed = phone.model().messages(conversation);
            assertThat(tablet.model().messages(conversation))
                    .isEqualTo(followed.subList(Math.max(0, followed.size() - 5), followed.size()));
            assertThat(tablet.model().markers(conversation)).isEqualTo(phone.model().markers(conversation));
        }
        assertThat(tablet.model().messages(group)).extracting(LocalMessage::text)
                .containsExactly("m7", "m8", "", "m10, edited", "m11");
        assertThat(tablet.model().blocked()).containsExactly(carol.toString());
        assertThat(tablet.model().historyComplete(group)).isFalse();
        assertThat(tablet.model().historyComplete(small)).isTrue();

        // Live events: the counts start from the snapshot's and move alike on both devices.
        EventsyncClient bobs = pool.online(bob, "bob");
        bobs.sendMessage(group, "live 1");
        String live = bobs.sendMessage(group, "live 2", MessageOptions.mentioning(alice.toString()));
        for (EventsyncClient device : List.of(phone, tablet)) {
            await().atMost(WAIT).until(() -> device.model().conversation(group).unreadCount() == 8
                    && device.model().conversation(group).unreadMentionCount() == 2);
        }
        String newest = ClientPool.awaitServerUuid(bobs, group, live);
        phone.markRead(group, newest);
        await().atMost(WAIT).until(() -> tablet.model().conversation(group).unreadCount() == 0
                && tablet.model().conversation(group).unreadMentionCount() == 0);
        await().atMost(WAIT).until(() -> joined(tablet).equals(joined(phone)));
    }

    private static List<LocalModel.Conversation> joined(EventsyncClient client) {
        return client.model().conversations().stream().filter(LocalModel.Conversation::joined).toList();
    }

    @Test
    void anUnknownCursorResnapshotsReplacingTheModelAndTheOutboxGoesOutExactlyOnce() {
        Api.User a = api.user(alice);
        Api.User b = api.user(bob);
        String conversation = Events.newUuid();
        send(a, Events.createConversation(conversation, "resync", bob.toString()));
        send(b, Events.send(conversation, "before"));
        EventsyncClient first = pool.online(alice, "alice");
        await().atMost(WAIT).until(() -> first.model().messages(conversation).size() == 1);
        pool.close(first);

        EventsyncClient offline = pool.offline(alice, "alice");
        String local = offline.sendMessage(conversation, "queued while the cursor was lost");
        pool.close(offline);
        String stale = Events.newUuid();
        try (ClientStore store = ClientStore.open(dir.resolve("alice.db"))) {
            store.setCursor(UUID.randomUUID().toString()); // e.g. a backup restored against another server
            store.inTransaction(c -> {
                ConversationTable.joinedWith(c, stale, "not on the server");
                return null;
            });
        }
        send(b, Events.send(conversation, "while away"));

        Clients.Recorder snapshots = new Clients.Recorder();
        EventsyncClient client = pool.online(alice, "alice", o -> o.listener(snapshots));
        awaitSettled(client);
        await().atMost(WAIT).until(() -> client.model().messages(conversation).size() == 3
                && client.model().messages(conversation).stream().allMatch(m -> m.sentAt() != null));

        assertThat(snapshots.cursorResets).hasSize(1);
        assertThat(snapshots.snapshots).hasSize(1);
        assertThat(snapshots.accepted).filteredOn(Event::hasSendingNewMessage)
                .extracting(e -> e.getSendingNewMessage().getLocalUuid()).containsExactly(local);
        assertThat(client.model().conversation(stale)).isNull();
        assertThat(client.model().messages(conversation)).extracting(LocalMessage::text)
                .containsExactly("before", "while away", "queued while the cursor was lost");
        List<Event> stored = b.feed().stream().filter(e -> e.hasNewMessage()
                && e.getNewMessage().getMessage().getText().equals("queued while the cursor was lost")).toList();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).getNewMessage().getLocalUuid()).isEqualTo(local);
    }

    @Test
    void loadOlderPagesBackToTheFirstMessageOldestFirstWithTombstonesAndNoDuplicates() {
        Api.User a = api.user(alice);
        Api.User b = api.user(bob);
        String conversation = Events.newUuid();
        send(a, Events.createConversation(conversation, "long", bob.toString()));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            sent.add(send(i % 2 == 0 ? a : b, Events.send(conversation, "m" + i)));
        }
        send(b, Events.delete(conversation, sent.get(7)));
        send(a, Events.edit(conversation, sent.get(4), "m4, edited"));
        send(b, Events.react(conversation, sent.get(5), "👍"));
        send(b, Events.read(conversation, sent.get(3))); // a marker on a message the snapshot does not bring

        EventsyncClient client = pool.online(alice, "alice", o -> o.messagesPerConversation(10));
        await().atMost(WAIT).until(() -> client.connectionState() == ConnectionState.LIVE);
        assertThat(client.model().messages(conversation)).hasSize(10);
        int unread = client.model().conversation(conversation).unreadCount();
        assertThat(unread).isEqualTo(59); // bob's 60 messages, one of them deleted: none read

        List<String> loaded = new ArrayList<>();
        LocalModel.OlderMessages page;
        int pages = 0;
        do {
            page = client.loadOlder(conversation, 7);
            List<String> uuids = page.messages().stream().map(LocalMessage::uuid).toList();
            loaded.addAll(0, uuids);
            pages++;
            assertThat(client.model().conversation(conversation).unreadCount()).isEqualTo(unread);
        } while (!page.complete());

        assertThat(pages).isEqualTo(16); // 110 older messages, 7 a page
        assertThat(loaded).doesNotHaveDuplicates().hasSize(110).isEqualTo(sent.subList(0, 110));
        List<LocalMessage> all = client.model().messages(conversation);
        assertThat(all).extracting(LocalMessage::uuid).isEqualTo(sent);
        assertThat(all.get(7).deleted()).isTrue();
        assertThat(all.get(7).text()).isEmpty();
        assertThat(all.get(4).text()).isEqualTo("m4, edited");
        assertThat(all.get(4).editedAt()).isNotNull();
        assertThat(all.get(5).reactions()).containsEntry(bob.toString(), List.of("👍"));
        assertThat(all.get(2).state()).isEqualTo(LocalModel.State.READ); // bob's marker found its message
        assertThat(all.get(4).state()).isEqualTo(LocalModel.State.SENT);
        assertThat(client.model().markers(conversation)).contains(new LocalModel.Marker(bob.toString(), sent.get(3), sent.get(3)));
        assertThat(new HashSet<>(all)).hasSize(120);
        assertThat(client.model().historyComplete(conversation)).isTrue();

        assertThat(client.loadOlder(conversation)).isEqualTo(new LocalModel.OlderMessages(List.of(), true));
        assertThatThrownBy(() -> client.loadOlder(Events.newUuid())).isInstanceOf(UnknownConversationException.class);
    }
}
