package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** Local model integrity and a client that keeps going whatever the app callbacks do. */
@ServerTest
class ClientRobustnessTest {

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    final List<EventsyncClient> clients = new ArrayList<>();

    @AfterEach
    void closeAll() {
        clients.forEach(EventsyncClient::close);
    }

    EventsyncClient started(EventsyncClient.Builder builder) {
        EventsyncClient client = builder.build();
        clients.add(client);
        return client.start();
    }

    /** A local_uuid is the sender's own: another member reusing it sends a message of its own. */
    @Test
    void anotherMembersMessageReusingALocalUuidIsAMessageOfItsOwnInTheModel() {
        UUID alice = UUID.randomUUID();
        UUID mallory = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        EventsyncClient a = started(Clients.builder(port, dir.resolve("a.db"), alice));
        EventsyncClient b = started(Clients.builder(port, dir.resolve("b.db"), bob));
        String conversation = a.createConversation("c", List.of(mallory.toString(), bob.toString()));
        String local = a.sendMessage(conversation, "hello from alice");
        await().atMost(Duration.ofSeconds(20)).until(() -> b.model().messages(conversation).size() == 1);
        // Mallory saw NewMessage.local_uuid in her feed and reuses it.
        try (dev.eventsync.support.Api api = new dev.eventsync.support.Api(port)) {
            assertThat(api.user(mallory).submit(Event.newBuilder().setUuid(UUID.randomUUID().toString())
                    .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(local)
                    .setMessage(Message.newBuilder().setConversationUuid(conversation).setText("from mallory"))).build())
                    .hasAccepted()).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        // Keyed by the local_uuid alone, mallory's message would overwrite alice's: one row, never two.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.model().messages(conversation))
                .extracting(LocalModel.LocalMessage::text).containsExactly("hello from alice", "from mallory"));
    }

    /** A model read from inside the FeedHandler joins the feed transaction: nothing commits half-way. */
    @Test
    void aModelReadInsideTheFeedHandlerDoesNotCommitTheEventWithoutItsCursor() throws Exception {
        UUID alice = UUID.randomUUID();
        Path file = dir.resolve("a.db");
        AtomicReference<EventsyncClient> self = new AtomicReference<>();
        AtomicReference<String> seenByOtherConnection = new AtomicReference<>();
        AtomicBoolean once = new AtomicBoolean();
        EventsyncClient a = started(Clients.builder(port, file, alice).handler(event -> {
            if (event.hasNewMessage() && once.compareAndSet(false, true)) {
                self.get().model().conversations(); // an app refreshing its UI from the handler
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                        ResultSet rows = other.createStatement().executeQuery(
                                "select (select count(*) from messages where feed_order is not null) || '/'"
                                        + " || coalesce((select value from sync_state where name = 'cursor'), '')")) {
                    rows.next();
                    seenByOtherConnection.set(rows.getString(1));
                }
            }
        }));
        self.set(a);
        // Live first: a new device starts from a snapshot, and a message committed while the
        // snapshot is read arrives in it (no handler call) rather than in the feed.
        await().atMost(Duration.ofSeconds(20)).until(() -> a.connectionState() == ConnectionState.LIVE);
        String conversation = a.createConversation("c", List.of());
        a.sendMessage(conversation, "x");
        await().atMost(Duration.ofSeconds(20)).until(() -> seenByOtherConnection.get() != null);
        String cursorBefore = seenByOtherConnection.get().split("/", -1)[1];
        // Expected "0/<cursor of conversation_created>": nothing of this event committed while the handler runs.
        assertThat(seenByOtherConnection.get()).startsWith("0/");
    }

    /** A listener throwing from callFailed does not stop the dispatcher thread. */
    @Test
    void theOutboxDrainsAfterTheCallFailedListenerThrew() throws Exception {
        int deadPort = Clients.freePort();
        UUID alice = UUID.randomUUID();
        AtomicInteger failures = new AtomicInteger();
        EventsyncClient a = started(Clients.builder(deadPort, dir.resolve("a.db"), alice).listener(new ClientListener() {
            @Override
            public void callFailed(String what, Status status) {
                if (what.equals("sync") && failures.incrementAndGet() == 1) {
                    throw new IllegalStateException("a logging bug in the app");
                }
            }
        }));
        a.createConversation("c", List.of());
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> failures.get() >= 1);
        var server = Clients.serverOn(deadPort);
        try {
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(15)).until(() -> a.pending().isEmpty());
        } finally {
            server.close();
        }
    }
}
