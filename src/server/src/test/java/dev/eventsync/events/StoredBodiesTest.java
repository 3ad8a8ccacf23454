package dev.eventsync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.SyncCaughtUp;
import dev.eventsync.proto.v1.UserIsTyping;
import org.junit.jupiter.api.Test;

/** A stored body's uuid read without a full parse is the uuid a full parse gives. */
class StoredBodiesTest {

    @Test
    void theUuidIsTheOneAFullParseGivesWhereverItIs() {
        Event message = Event.newBuilder().setUuid("0b1e0c1a-6f0e-4b1a-9b1a-0c1e0c1a6f0e")
                .setNewMessage(NewMessage.newBuilder().setUuid("not the event's").setLocalUuid("nor this")).build();
        Event transitory = Event.newBuilder().setUserIsTyping(UserIsTyping.newBuilder().setTyping(true)).build();
        for (Event event : new Event[] {message, transitory, Event.getDefaultInstance()}) {
            assertThat(StoredBodies.uuid(event.toByteArray())).isEqualTo(event.getUuid());
        }
        // the content first, then the uuid; and a second uuid field, which wins as in a full parse
        byte[] reordered = message.toBuilder().clearUuid().build().toByteString()
                .concat(Event.newBuilder().setUuid("first").build().toByteString())
                .concat(Event.newBuilder().setUuid("last").build().toByteString()).toByteArray();
        assertThat(StoredBodies.uuid(reordered)).isEqualTo(StoredBodies.parse(reordered).getUuid()).isEqualTo("last");
    }

    @Test
    void aBodyThatIsNoEventIsABug() {
        byte[] truncated = Event.newBuilder().setUuid("cut short")
                .setSyncCaughtUp(SyncCaughtUp.newBuilder().setLastEventUuid("x")).build().toByteString()
                .substring(0, 5).toByteArray();
        assertThatThrownBy(() -> StoredBodies.uuid(truncated)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StoredBodies.uuid(ByteString.copyFrom(new byte[] {(byte) 0x0c}).toByteArray()))
                .as("an end-group tag").isInstanceOf(IllegalStateException.class);
    }
}
