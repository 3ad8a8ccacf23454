package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MemberView;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/**
 * The W5/W6 seed is faithful: what it writes straight into the tables reads back through the
 * real server over gRPC as the server's own events would, and Snapshot, History and the replay
 * by SyncFromServer agree with each other and with what was seeded.
 */
@ServerTest
class HistorySeedTest {

    static final int CONVERSATIONS = 5;
    static final int MESSAGES = 31;

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    HistorySeed.Seeded seed(int conversations, int messages) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            return HistorySeed.seed(connection, conversations, messages);
        }
    }

    @Test
    void theSeedRanksEachMessageAmongItsAuthorsAsTheServerDoes() throws Exception {
        HistorySeed.Seeded seeded = seed(CONVERSATIONS, MESSAGES);
        long misranked = JdbcClient.create(dataSource).sql("""
                select count(*) from (select author_seq, row_number() over (partition by conversation_uuid, author_uuid order by seq) as rank
                                      from messages where conversation_uuid = any(?)) m
                where author_seq <> rank""")
                .param(seeded.conversations().toArray(new UUID[0])).query(Long.class).single();
        assertThat(misranked).isZero();
    }

    @Test
    void aSnapshotOfTheSeedShowsEachConversationsLastMessagesAsTheReplayDelivered() throws Exception {
        HistorySeed.Seeded seeded = seed(CONVERSATIONS, MESSAGES);
        Api.User user = api.user(seeded.user());

        List<Event> feed = user.feed();
        List<SnapshotItem> items = new ArrayList<>();
        user.stub().snapshot(SnapshotRequest.newBuilder().setMessagesPerConversation(20).build()).forEachRemaining(items::add);

        assertThat(feed).hasSize(CONVERSATIONS * (1 + MESSAGES));
        assertThat(feed.subList(0, CONVERSATIONS)).allMatch(Event::hasConversationCreated);
        assertThat(feed.get(0).getConversationCreated().getMemberUuidsList())
                .containsExactly(seeded.user().toString(), seeded.peerOf(0).toString());
        Map<String, List<Event>> sent = feed.stream().filter(Event::hasNewMessage)
                .collect(Collectors.groupingBy(e -> e.getNewMessage().getMessage().getConversationUuid()));
        assertThat(items.get(0).getProfile().getUserUuid()).isEqualTo(seeded.user().toString());
        assertThat(items.get(items.size() - 1).getEnd().getCursor()).isEqualTo(feed.get(feed.size() - 1).getUuid());
        List<ConversationView> views = items.stream().filter(SnapshotItem::hasConversation).map(SnapshotItem::getConversation).toList();
        assertThat(views).hasSize(CONVERSATIONS);
        for (int i = 0; i < CONVERSATIONS; i++) {
            int k = CONVERSATIONS - 1 - i; // the last message went to the last conversation: newest first
            ConversationView view = views.get(i);
            assertThat(view.getConversationUuid()).isEqualTo(seeded.conversations().get(k).toString());
            assertThat(view.getName()).isEqualTo(HistorySeed.name(k));
            assertThat(view.getMembersList()).extracting(MemberView::getUserUuid, MemberView::getAdmin)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(seeded.user().toString(), true),
                            org.assertj.core.groups.Tuple.tuple(seeded.peerOf(k).toString(), false));
            assertThat(view.getUnreadCount()).isEqualTo((MESSAGES + 1) / 2); // the peer's: odd seqs, nothing read
            assertThat(view.getHistoryComplete()).isFalse();
            List<Event> replayed = sent.get(view.getConversationUuid());
            assertThat(replayed).hasSize(MESSAGES);
            assertThat(view.getLastMessagesList()).extracting(MessageView::getMessage)
                    .containsExactlyElementsOf(replayed.subList(MESSAGES - 20, MESSAGES).stream()
                            .map(e -> e.getNewMessage().getMessage()).toList());
            assertThat(view.getLastMessagesList()).extracting(MessageView::getEventUuid)
                    .containsExactlyElementsOf(replayed.subList(MESSAGES - 20, MESSAGES).stream().map(Event::getUuid).toList());
            assertThat(view.getLastActivityAt()).isEqualTo(replayed.get(MESSAGES - 1).getNewMessage().getMessage().getSentAt());
        }
        Message last = sent.get(seeded.conversations().get(0).toString()).get(MESSAGES - 1).getNewMessage().getMessage();
        assertThat(last.getText()).isEqualTo(String.format(HistorySeed.TEXT, MESSAGES));
        assertThat(last.getAuthorUuid()).isEqualTo(seeded.authorOf(0, MESSAGES).toString());
    }

    @Test
    void historyPagesBackThroughTheWholeSeededConversationInTheReplaysOrder() throws Exception {
        HistorySeed.Seeded seeded = seed(1, 260);
        Api.User user = api.user(seeded.user());
        String conversation = seeded.conversations().get(0).toString();

        List<Message> replayed = user.feed().stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage()).toList();
        List<Message> paged = new ArrayList<>();
        String before = "";
        HistoryPage page;
        do {
            page = user.stub().history(HistoryRequest.newBuilder().setConversationUuid(conversation)
                    .setBeforeMessageUuid(before).setLimit(50).build());
            List<Message> messages = page.getMessagesList().stream().map(MessageView::getMessage).toList();
            paged.addAll(0, messages);
            before = messages.isEmpty() ? before : messages.get(0).getUuid();
        } while (!page.getComplete());

        assertThat(replayed).hasSize(260);
        assertThat(paged).containsExactlyElementsOf(replayed);
        assertThat(paged).isSortedAccordingTo(Comparator.comparingLong((Message m) -> m.getSentAt().getSeconds())
                .thenComparingInt(m -> m.getSentAt().getNanos()));
    }

    @Test
    void aResendOfASeededMessageIsADuplicateOfIt() throws Exception {
        HistorySeed.Seeded seeded = seed(1, 2);
        Api.User peer = api.user(seeded.peerOf(0));
        Event stored = peer.feed().stream().filter(Event::hasNewMessage).findFirst().orElseThrow();
        var message = stored.getNewMessage();

        EventResult result = peer.submit(Event.newBuilder().setUuid(stored.getUuid())
                .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(message.getLocalUuid())
                        .setMessage(Message.newBuilder().setConversationUuid(message.getMessage().getConversationUuid())
                                .setText(message.getMessage().getText())))
                .build());

        assertThat(result.getAccepted().getDuplicate()).isTrue();
        assertThat(result.getAccepted().getMessageUuid()).isEqualTo(message.getUuid());
        assertThat(peer.feed()).hasSize(3); // nothing new stored
    }
}
