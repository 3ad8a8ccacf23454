package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.client.LocalModel.State;
import dev.eventsync.client.PendingChanges.Change;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MessageDeleted;
import dev.eventsync.proto.v1.MessageEdited;
import dev.eventsync.proto.v1.ReactionsChanged;
import dev.eventsync.proto.v1.ReadNewMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pending changes over the server's state, as the server will apply them. */
class OverlayTest {

    static final String ME = "11111111-1111-4111-8111-111111111111";
    static final String OTHER = "22222222-2222-4222-8222-222222222222";

    static LocalMessage message(String uuid, String author, String text) {
        return new LocalMessage(uuid, uuid, "c", author, text, Instant.EPOCH, State.SENT, null, "", List.of(), null, false,
                Map.of(), false, List.of());
    }

    static Change change(Event.Builder event) {
        return new Change(event.setUuid("e").build(), Instant.ofEpochSecond(5));
    }

    static Change edit(String message, String text) {
        return change(Event.newBuilder().setMessageEdited(MessageEdited.newBuilder().setMessageUuid(message).setText(text)));
    }

    static Change delete(String message) {
        return change(Event.newBuilder().setMessageDeleted(MessageDeleted.newBuilder().setMessageUuid(message)));
    }

    @Test
    void theLatestEditShowsAndADeleteWinsOverEditsQueuedAfterIt() {
        List<LocalMessage> shown = new Overlay(List.of(edit("m1", "one"), edit("m1", "two"), edit("m2", "x"), delete("m2"),
                edit("m2", "after the delete")), ME).messages(List.of(message("m1", ME, "a"), message("m2", ME, "b")));

        assertThat(shown.get(0).text()).isEqualTo("two");
        assertThat(shown.get(0).editedAt()).isEqualTo(Instant.ofEpochSecond(5));
        assertThat(shown.get(1).deleted()).isTrue();
        assertThat(shown.get(1).text()).isEmpty();
        assertThat(shown.get(1).editedAt()).isNull();
    }

    @Test
    void aReactionSetReplacesOnlyThisUsersSetDeduplicatedAndAnEmptySetRemovesIt() {
        LocalMessage confirmed = message("m1", OTHER, "hi").reacted(OTHER, List.of("👍"));
        Change react = change(Event.newBuilder().setReactionsChanged(ReactionsChanged.newBuilder().setMessageUuid("m1")
                .addAllReactions(List.of("🎉", "❤️", "🎉"))));
        Change none = change(Event.newBuilder().setReactionsChanged(ReactionsChanged.newBuilder().setMessageUuid("m1")));

        assertThat(new Overlay(List.of(react), ME).messages(List.of(confirmed)).get(0).reactions())
                .isEqualTo(Map.of(OTHER, List.of("👍"), ME, List.of("🎉", "❤️")));
        assertThat(new Overlay(List.of(react, none), ME).messages(List.of(confirmed)).get(0).reactions())
                .isEqualTo(Map.of(OTHER, List.of("👍")));
    }

    @Test
    void unreadCountsStartAfterTheFurthestReadAndSkipOwnAndDeletedMessages() {
        List<LocalMessage> messages = List.of(message("m1", OTHER, "a"), message("m2", OTHER, "b"),
                message("m3", ME, "mine"), message("m4", OTHER, "c").erased(), message("m5", OTHER, "d"));
        Change readOld = change(Event.newBuilder().setReadNewMessage(ReadNewMessage.newBuilder().setUuid("m1")));
        Overlay overlay = new Overlay(List.of(readOld), ME);

        assertThat(Unread.of(messages, "", ME)).isEqualTo(new Unread(3, 0));
        assertThat(overlay.readMarker("", messages)).isEqualTo("m1");
        assertThat(overlay.readMarker("m2", messages)).isEqualTo("m2"); // an older read moves nothing
        assertThat(Unread.of(messages, "m2", ME)).isEqualTo(new Unread(1, 0));
    }
}
