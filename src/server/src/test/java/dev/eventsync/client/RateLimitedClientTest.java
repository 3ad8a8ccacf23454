package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The client waits out the server's rate limit as the server's RetryInfo says, for sends and for
 * feed reconnects, instead of its backoff (here 50 to 500 ms, far shorter than the limits' waits):
 * nothing is lost or stored twice, and no call is refused twice for the same tokens.
 */
class RateLimitedClientTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static ConfigurableApplicationContext server;
    static int port;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        // 10 events at once, then 4 a second (slower than a call on a loaded machine); 2 SyncFromServer calls at once, then one every 5 s.
        server = Servers.startOnTestDatabase(Map.of(
                "eventsync.rate-limit.sync-events-per-second", "4",
                "eventsync.rate-limit.sync-events-burst", "10",
                "eventsync.rate-limit.stream-opens-per-second", "0.2",
                "eventsync.rate-limit.stream-opens-burst", "2"));
        port = Servers.port(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aClientSendingFarMoreThanTheBurstHasEveryEventStoredOnceInOrder() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        Failures failures = new Failures();
        Clients.Recorder recorder = new Clients.Recorder();
        int batch = 5;
        try (EventsyncClient client = Clients.builder(port, dir.resolve("alice.db"), alice).maxBatchEvents(batch)
                .listener(new Both(recorder, failures)).build()) {
            String conversation = client.createConversation("limited", List.of(bob.toString()));
            List<String> expected = IntStream.range(0, 40).mapToObj(i -> "m" + i).toList();
            expected.forEach(text -> client.sendMessage(conversation, text));
            client.start(); // the whole outbox is there: full batches of 5, 41 events = 9 calls at least

            await().atMost(WAIT).until(() -> client.pending().isEmpty());

            try (Api api = new Api(port)) {
                List<Event> bobsFeed = api.user(bob).feed();
                assertThat(bobsFeed.stream().filter(Event::hasNewMessage)
                        .map(e -> e.getNewMessage().getMessage().getText()).toList())
                        .as("bob's feed: each message once, in order").containsExactlyElementsOf(expected);
            }
            assertThat(recorder.accepted).hasSize(41);
            assertThat(recorder.acceptances).as("a refused call stored nothing: no resend was a duplicate")
                    .noneMatch(a -> a.getDuplicate());
            assertThat(recorder.rejected).isEmpty();
            List<Status> refused = failures.of("sync");
            assertThat(refused).as("the limit was hit").isNotEmpty()
                    .allMatch(s -> s.getCode() == Status.Code.RESOURCE_EXHAUSTED);
            // The burst covers the first two calls; each later call waits as told and then passes.
            assertThat(refused).as("no call refused twice").hasSizeLessThanOrEqualTo(9 - 2);
        }
    }

    @Test
    void aFeedRefusedByTheStreamLimitReconnectsOnceTheServerSaysSo() throws Exception {
        UUID frank = UUID.randomUUID();
        try (Api api = new Api(port)) {
            api.user(frank).feed(); // frank's other devices took his burst of two
            api.user(frank).feed();
        }
        Failures failures = new Failures();
        try (EventsyncClient client = Clients.builder(port, dir.resolve("frank.db"), frank).listener(failures)
                .build().start()) {
            await().atMost(WAIT).until(() -> client.connectionState() == ConnectionState.LIVE);
            // A new device opens two calls, each charged as a stream open: its Snapshot, then the
            // follow stream. Each may be refused once and then waits as told; with its backoff (at
            // most 500 ms) the client would have been refused about ten times in 5 s.
            assertThat(failures.of("feed")).hasSizeBetween(1, 2)
                    .allSatisfy(s -> assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        }
    }

    /** The failed calls the client reports. */
    static final class Failures implements ClientListener {
        record Failure(String what, Status status) {}

        final List<Failure> all = new CopyOnWriteArrayList<>();

        @Override
        public void callFailed(String what, Status status) {
            all.add(new Failure(what, status));
        }

        List<Status> of(String what) {
            return all.stream().filter(f -> f.what().equals(what)).map(Failure::status).toList();
        }
    }

    /** Two listeners at once. */
    record Both(Clients.Recorder results, Failures failures) implements ClientListener {
        @Override
        public void accepted(Event event, dev.eventsync.proto.v1.Accepted accepted) {
            results.accepted(event, accepted);
        }

        @Override
        public void rejected(Event event, dev.eventsync.proto.v1.Rejected rejected) {
            results.rejected(event, rejected);
        }

        @Override
        public void callFailed(String what, Status status) {
            failures.callFailed(what, status);
        }
    }
}
