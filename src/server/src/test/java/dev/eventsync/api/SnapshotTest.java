package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** Snapshot (API.md v1.1) over real gRPC: what a new device receives, in which order. */
@ServerTest
class SnapshotTest {

    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;
    Api.User bob;
    Api.User carol;

    @BeforeEach
    void users() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    static List<SnapshotItem> snapshot(Api.User user, int messages) {
        List<SnapshotItem> items = new ArrayList<>();
        user.stub().snapshot(SnapshotRequest.newBuilder().setMessagesPerConversation(messages).build()).forEachRemaining(items::add);
        return items;
    }

    static List<ConversationView> conversations(List<SnapshotItem> items) {
        return items.stream().filter(SnapshotItem::hasConversation).map(SnapshotItem::getConversation).toList();
    }

    @Test
    void conversationsComeNewestActivityFirstWithTheirStateAndProfilesComeBeforeTheItemsNamingThem() {
        bob.submit(Events.displayName("Bob"));
        String older = Events.newUuid();
        String newer = Events.newUuid();
        alice.submit(Events.createConversation(older, "older", bob.uuid()));
        alice.submit(Events.createConversation(newer, "newer", carol.uuid()));
        String first = alice.submit(Events.send(older, "first")).getAccepted().getMessageUuid();
        alice.submit(Events.mention(older, "hey bob", bob.uuid()));
        alice.submit(Events.send(newer, "newest of all"));
        bob.submit(Events.read(older, first));
        bob.submit(Events.react(older, first, "👍"));
        bob.submit(Events.settings(older, true, false));
        bob.submit(Events.block(carol.uuid(), true));

        List<SnapshotItem> items = snapshot(bob, 0);

        assertThat(items.get(0).getProfile().getUserUuid()).isEqualTo(bob.uuid());
        assertThat(items.get(0).getProfile().getDisplayName()).isEqualTo("Bob");
        assertThat(items.get(items.size() - 1).hasEnd()).isTrue();
        assertThat(items.stream().filter(SnapshotItem::hasEnd)).hasSize(1);
        List<ConversationView> views = conversations(items);
        assertThat(views).extracting(ConversationView::getName).containsExactly("older"); // bob is not in "newer"
        ConversationView view = views.get(0);
        assertThat(view.getIsMember()).isTrue();
        assertThat(view.getMembersList()).extracting(m -> m.getUserUuid() + (m.getAdmin() ? " admin" : ""))
                .containsExactlyInAnyOrder(alice.uuid() + " admin", bob.uuid());
        assertThat(view.getLastMessagesList()).extracting(m -> m.getMessage().getText()).containsExactly("first", "hey bob");
        assertThat(view.getLastMessages(0).getReactions(0).getUserUuidsList()).containsExactly(bob.uuid());
        assertThat(view.getUnreadCount()).isEqualTo(1);
        assertThat(view.getUnreadMentionCount()).isEqualTo(1);
        assertThat(view.getReadMarkersList()).extracting(m -> m.getUserUuid() + " " + m.getMessageUuid())
                .containsExactly(bob.uuid() + " " + first);
        assertThat(view.getSettings().getArchived()).isTrue();
        assertThat(view.getHistoryComplete()).isTrue();
        Set<String> profiled = new HashSet<>();
        for (SnapshotItem item : items) {
            if (item.hasProfile()) {
                profiled.add(item.getProfile().getUserUuid());
            } else if (item.hasConversation()) {
                assertThat(profiled).as("profiles before the item naming them")
                        .contains(alice.uuid(), bob.uuid());
            }
        }
        SnapshotItem end = items.get(items.size() - 1);
        assertThat(end.getEnd().getBlockedUserUuidsList()).containsExactly(carol.uuid());
        List<Event> feed = bob.feed();
        assertThat(end.getEnd().getCursor()).isEqualTo(feed.get(feed.size() - 1).getUuid());

        List<ConversationView> alices = conversations(snapshot(alice, 0));
        assertThat(alices).extracting(ConversationView::getName).containsExactly("newer", "older");
    }

    @Test
    void aFormerConversationIsListedWithItsNameAsOfLeavingAndTheMessagesSeenOnly() {
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "before", bob.uuid()));
        alice.submit(Events.send(conversation, "seen"));
        bob.submit(Events.leave(conversation));
        alice.submit(Events.rename(conversation, "after"));
        alice.submit(Events.send(conversation, "not seen"));

        ConversationView view = conversations(snapshot(bob, 10)).get(0);

        assertThat(view.getIsMember()).isFalse();
        assertThat(view.getName()).isEqualTo("before");
        assertThat(view.getMembersList()).isEmpty();
        assertThat(view.getUnreadCount()).isZero();
        assertThat(view.hasSettings()).isFalse();
        assertThat(view.getLastMessagesList()).extracting(m -> m.getMessage().getText()).containsExactly("seen");
    }

    @Test
    void theLastNMessagesTombstonesIncludedAndHistoryCompleteWhenNothingOlder() {
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "many"));
        for (int i = 1; i <= 5; i++) {
            alice.submit(Events.send(conversation, "m" + i));
        }
        String last = alice.submit(Events.send(conversation, "gone")).getAccepted().getMessageUuid();
        alice.submit(Events.delete(conversation, last));

        ConversationView view = conversations(snapshot(alice, 3)).get(0);

        assertThat(view.getLastMessagesList()).extracting(m -> m.getMessage().getText()).containsExactly("m4", "m5", "");
        assertThat(view.getLastMessages(2).getMessage().getDeleted()).isTrue();
        assertThat(view.getHistoryComplete()).isFalse();
    }

    @Test
    void anEmptyFeedIsTheCallersProfileThenAnEndWithoutCursor() {
        List<SnapshotItem> items = snapshot(carol, 0);
        assertThat(items).hasSize(2);
        assertThat(items.get(0).getProfile().getUserUuid()).isEqualTo(carol.uuid());
        assertThat(items.get(1).getEnd().getCursor()).isEmpty();
    }

    @Test
    void messagesPerConversationOutOfRangeIsInvalidArgument() {
        for (int bad : new int[] {-1, 101}) {
            assertThatThrownBy(() -> snapshot(alice, bad)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
        assertThat(snapshot(alice, 100)).isNotEmpty();
    }
}
