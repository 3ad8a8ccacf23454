package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** History (API.md v1.1) over real gRPC: paging, views as the caller's feed shows them, NOT_FOUND alike. */
@ServerTest
class HistoryTest {

    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;
    Api.User bob;
    String conversation;

    @BeforeEach
    void conversationOfTwo() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "history", bob.uuid()));
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    String send(Api.User user, String text) {
        return user.submit(Events.send(conversation, text)).getAccepted().getMessageUuid();
    }

    HistoryPage page(Api.User user, String conversation, String before, int limit) {
        return user.stub().history(HistoryRequest.newBuilder().setConversationUuid(conversation)
                .setBeforeMessageUuid(before).setLimit(limit).build());
    }

    static List<String> texts(HistoryPage page) {
        return page.getMessagesList().stream().map(v -> v.getMessage().getText()).toList();
    }

    static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    @Test
    void pagesBackOldestFirstUntilComplete() {
        List<String> uuids = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            uuids.add(send(i % 2 == 0 ? bob : alice, "m" + i));
        }
        HistoryPage newest = page(bob, conversation, "", 3);
        assertThat(texts(newest)).containsExactly("m5", "m6", "m7");
        assertThat(newest.getComplete()).isFalse();
        HistoryPage middle = page(bob, conversation, uuids.get(4), 3);
        assertThat(texts(middle)).containsExactly("m2", "m3", "m4");
        assertThat(middle.getComplete()).isFalse();
        HistoryPage oldest = page(bob, conversation, uuids.get(1), 3);
        assertThat(texts(oldest)).containsExactly("m1");
        assertThat(oldest.getComplete()).isTrue();
        assertThat(page(bob, conversation, "", 0).getMessagesCount()).isEqualTo(7); // 0: the default of 50
        MessageView first = oldest.getMessages(0);
        assertThat(first.getMessage().getUuid()).isEqualTo(uuids.get(0));
        assertThat(first.getMessage().getAuthorUuid()).isEqualTo(alice.uuid());
        assertThat(first.getEventUuid()).isNotEmpty();
        assertThat(first.getLocalUuid()).isNotEmpty();
    }

    @Test
    void aMessageShowsItsLatestEditItsReactionsAndADeleteAlways() {
        String edited = send(alice, "typo");
        String deleted = send(bob, "oops");
        alice.submit(Events.edit(conversation, edited, "first fix"));
        alice.submit(Events.edit(conversation, edited, "second fix", bob.uuid()));
        bob.submit(Events.react(conversation, edited, "👍", "🎉"));
        alice.submit(Events.react(conversation, edited, "👍"));
        bob.submit(Events.react(conversation, deleted, "👍"));
        bob.submit(Events.delete(conversation, deleted));

        List<MessageView> views = page(alice, conversation, "", 10).getMessagesList();

        MessageView fixed = views.get(0);
        assertThat(fixed.getMessage().getText()).isEqualTo("second fix");
        assertThat(fixed.getMessage().getMentionedUserUuidsList()).containsExactly(bob.uuid());
        assertThat(fixed.getMessage().hasEditedAt()).isTrue();
        assertThat(fixed.getReactionsList()).anySatisfy(r -> {
            assertThat(r.getReaction()).isEqualTo("👍");
            assertThat(r.getUserUuidsList()).containsExactlyInAnyOrder(alice.uuid(), bob.uuid());
        });
        assertThat(fixed.getReactionsList()).anySatisfy(r -> assertThat(r.getUserUuidsList()).containsExactly(bob.uuid()));
        MessageView tombstone = views.get(1);
        assertThat(tombstone.getMessage().getDeleted()).isTrue();
        assertThat(tombstone.getMessage().getText()).isEmpty();
        assertThat(tombstone.getReactionsList()).isEmpty();
    }

    @Test
    void aFormerMemberKeepsWhatTheySawWithoutLaterEditsAndSeesNothingOfTheGap() {
        String seen = send(alice, "while bob was here");
        bob.submit(Events.leave(conversation));
        alice.submit(Events.edit(conversation, seen, "edited after bob left"));
        String gap = send(alice, "bob was away");

        HistoryPage former = page(bob, conversation, "", 10);
        assertThat(texts(former)).containsExactly("while bob was here");
        assertThat(former.getComplete()).isTrue();

        alice.submit(Events.addMember(conversation, bob.uuid()));
        send(alice, "bob is back");
        // a message shows the latest of its edits in the caller's feed: the edit made while bob was
        // away never reached it, so bob, a member again, still sees the text as he saw it
        assertThat(texts(page(bob, conversation, "", 10))).containsExactly("while bob was here", "bob is back");
        assertStatus(() -> page(bob, conversation, gap, 10), Status.Code.NOT_FOUND);
    }

    @Test
    void unknownNeverJoinedAndForeignCursorsAreNotFoundAlike() {
        String message = send(alice, "hello");
        Api.User stranger = api.newUser();
        String other = Events.newUuid();
        stranger.submit(Events.createConversation(other, "elsewhere"));
        String foreign = stranger.submit(Events.send(other, "not yours")).getAccepted().getMessageUuid();

        List<StatusRuntimeException> answers = new ArrayList<>();
        for (Runnable call : List.<Runnable>of(
                () -> page(bob, Events.newUuid(), "", 10),
                () -> page(stranger, conversation, "", 10),
                () -> page(bob, conversation, foreign, 10),
                () -> page(bob, conversation, Events.newUuid(), 10))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, answers::add);
        }
        assertThat(answers).extracting(e -> e.getStatus().getCode()).containsOnly(Status.Code.NOT_FOUND);
        assertThat(answers).extracting(e -> e.getStatus().getDescription()).containsOnly(answers.get(0).getStatus().getDescription());
        assertThat(texts(page(stranger, other, "", 10))).containsExactly("not yours");
        assertThat(page(bob, conversation, message, 10).getComplete()).isTrue();
    }

    @Test
    void aMalformedRequestIsInvalidArgument() {
        assertStatus(() -> page(bob, "not-a-uuid", "", 10), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> page(bob, conversation, "nope", 10), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> page(bob, conversation, "", 201), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> page(bob, conversation, "", -1), Status.Code.INVALID_ARGUMENT);
        assertThat(page(bob, conversation, "", 200).getComplete()).isTrue();
    }
}
