package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.RawCalls;
import dev.eventsync.support.ServerTest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * SyncFromServer sends stored events as their stored bytes ({@code FeedMessage.Stored}): what a
 * client receives for them is, byte for byte, the body in the events table, in feed order, which
 * is also what the server sent when it parsed each body and serialized it again; edited and
 * redacted events included, and with transitory events interleaved in follow mode.
 */
@ServerTest
class StoredBytesTest {

    static final Duration LIVE = Duration.ofSeconds(10);
    static final MethodDescriptor<byte[], byte[]> RAW = RawCalls.raw(EventServiceGrpc.getSyncFromServerMethod());

    @LocalGrpcServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;
    Api.User alice;
    Api.User bob;
    String conversation;

    @BeforeEach
    void connect() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        conversation = Events.newUuid();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Test
    void aCatchUpDeliversTheStoredBodiesAsTheyAreInFeedOrder() throws Exception {
        alice.submit(Events.createConversation(conversation, "bytes", bob.uuid()));
        String first = message(Events.send(conversation, "first"));
        String second = message(Events.reply(conversation, "second", first, bob.uuid()));
        String deleted = message(Events.mention(conversation, "deleted later", bob.uuid()));
        alice.sync(Events.edit(conversation, first, "first, edited"), Events.edit(conversation, deleted, "deleted, edited"),
                Events.react(conversation, second, "👍"), Events.react(conversation, deleted, "👎"));
        alice.sync(Events.delete(conversation, deleted), Events.picture(Events.PNG), Events.displayName("Alice"));
        bob.sync(Events.read(conversation, second));

        List<byte[]> received = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(bob.authorized(), RAW, CallOptions.DEFAULT,
                SyncFromServerRequest.getDefaultInstance().toByteArray()).forEachRemaining(received::add);

        List<byte[]> stored = bodies(bob.id, 0);
        assertThat(redacted(bob.id)).as("the message, its edit and its reaction, redacted").isEqualTo(3);
        assertThat(bytes(received.subList(0, received.size() - 1))).containsExactlyElementsOf(bytes(stored));
        assertThat(bytes(stored)).as("what parsing and serializing again sent").containsExactlyElementsOf(reserialized(stored));
        Event caughtUp = Event.parseFrom(received.get(received.size() - 1));
        assertThat(caughtUp.getSyncCaughtUp().getLastEventUuid()).isEqualTo(Event.parseFrom(stored.get(stored.size() - 1)).getUuid());
    }

    @Test
    void aFollowStreamInterleavesBuiltTransitoryEventsWithStoredBodies() throws Exception {
        alice.submit(Events.createConversation(conversation, "bytes live", bob.uuid()));
        String first = message(Events.send(conversation, "first"));
        String deleted = message(Events.send(conversation, "deleted while bob follows"));
        alice.submit(Events.edit(conversation, deleted, "deleted, edited"));
        List<byte[]> received = new CopyOnWriteArrayList<>();
        ClientCall<byte[], byte[]> call = bob.authorized().newCall(RAW, CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(call,
                SyncFromServerRequest.newBuilder().setFollow(true).build().toByteArray(), collect(received));
        try {
            await().atMost(LIVE).until(() -> parsed(received).stream().anyMatch(Event::hasSyncCaughtUp));
            long caughtUpAt = lastPosition(bob.id);

            assertThat(alice.submit(Events.typing(conversation)).getAccepted().getTransitory()).isTrue();
            Event live = Events.send(conversation, "live");
            String liveMessage = alice.sync(Events.edit(conversation, first, "first, edited"), live)
                    .getResults(1).getAccepted().getMessageUuid();
            // redacts rows bob has received already (before the cursor): what follows is unchanged
            alice.sync(Events.react(conversation, liveMessage, "🎉"), Events.delete(conversation, deleted));
            assertThat(alice.submit(Events.typing(conversation)).getAccepted().getTransitory()).isTrue();
            Event last = Events.send(conversation, "last");
            alice.submit(last);

            await().atMost(LIVE).until(() -> parsed(received).stream().anyMatch(e -> e.getUuid().equals(last.getUuid())));
            List<Event> events = parsed(received);
            int caughtUp = indexOf(events, Event::hasSyncCaughtUp);
            List<byte[]> after = received.subList(caughtUp + 1, received.size());
            List<byte[]> storedAfter = after.stream().filter(b -> !parse(b).getUuid().isEmpty()).toList();
            List<byte[]> stored = bodies(bob.id, caughtUpAt);
            assertThat(bytes(storedAfter)).containsExactlyElementsOf(bytes(stored));
            assertThat(bytes(stored)).containsExactlyElementsOf(reserialized(stored));
            List<Integer> typings = new ArrayList<>();
            for (int i = caughtUp + 1; i < events.size(); i++) {
                if (events.get(i).hasUserIsTyping()) {
                    typings.add(i);
                }
            }
            assertThat(typings).as("both typing events, built and sent between stored bodies").hasSize(2);
            assertThat(typings.get(0)).isLessThan(indexOf(events, e -> e.getUuid().equals(live.getUuid())));
            assertThat(typings.get(1)).isLessThan(indexOf(events, e -> e.getUuid().equals(last.getUuid())));
        } finally {
            call.cancel("test done", null);
        }
    }

    /** Alice sends a message: its message uuid. */
    private String message(Event send) {
        return alice.submit(send).getAccepted().getMessageUuid();
    }

    /** The stored bodies of the user's feed after a position, in feed order: what a reader must receive. */
    private List<byte[]> bodies(UUID user, long after) {
        return jdbc.sql("""
                        select e.body from feed f join events e on e.position = f.position
                        where f.user_uuid = ? and f.position > ? order by f.position""")
                .params(user, after).query((row, i) -> row.getBytes(1)).list();
    }

    private long lastPosition(UUID user) {
        return jdbc.sql("select coalesce(max(position), 0) from feed where user_uuid = ?").param(user).query(Long.class).single();
    }

    private int redacted(UUID user) {
        return jdbc.sql("select count(*) from feed f join events e on e.position = f.position where f.user_uuid = ? and e.redacted")
                .param(user).query(Integer.class).single();
    }

    private static List<ByteString> bytes(List<byte[]> messages) {
        return messages.stream().map(ByteString::copyFrom).toList();
    }

    private static List<ByteString> reserialized(List<byte[]> bodies) {
        return bodies.stream().map(b -> parse(b).toByteString()).toList();
    }

    private static List<Event> parsed(List<byte[]> messages) {
        return messages.stream().map(StoredBytesTest::parse).toList();
    }

    private static Event parse(byte[] bytes) {
        try {
            return Event.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("the server sent bytes that are not an Event", e);
        }
    }

    private static int indexOf(List<Event> events, Predicate<Event> which) {
        for (int i = 0; i < events.size(); i++) {
            if (which.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("not received");
    }

    private static StreamObserver<byte[]> collect(List<byte[]> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] message) {
                into.add(message);
            }

            @Override
            public void onError(Throwable error) {}

            @Override
            public void onCompleted() {}
        };
    }
}
