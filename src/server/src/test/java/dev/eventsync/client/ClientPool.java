package dev.eventsync.client;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The clients of one test, each in its own SQLite file under the test's folder, closed at the end.
 * Receipts are coalesced over a short interval so tests wait milliseconds for them.
 */
final class ClientPool implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final int port;
    private final Path dir;
    private final List<EventsyncClient> clients = new ArrayList<>();

    ClientPool(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Built but not started: an app with no network. Its changes queue and show in its model. */
    EventsyncClient offline(UUID user, String file) {
        return offline(user, file, b -> b);
    }

    EventsyncClient offline(UUID user, String file, UnaryOperator<EventsyncClient.Builder> options) {
        EventsyncClient client = options.apply(Clients.builder(port, dir.resolve(file + ".db"), user)
                .deliveryReceiptInterval(Duration.ofMillis(200))).build();
        clients.add(client);
        return client;
    }

    EventsyncClient online(UUID user, String file) {
        return offline(user, file).start();
    }

    EventsyncClient online(UUID user, String file, UnaryOperator<EventsyncClient.Builder> options) {
        return offline(user, file, options).start();
    }

    /** Closes the client (its outbox stays in its file), as an app going away. */
    void close(EventsyncClient client) {
        clients.remove(client);
        client.close();
    }

    static void awaitSettled(EventsyncClient client) {
        await().atMost(WAIT).until(() -> client.pending().isEmpty());
    }

    /** The message with this server uuid in the client's model. */
    static LocalModel.LocalMessage message(EventsyncClient client, String conversation, String uuid) {
        return client.model().messages(conversation).stream().filter(m -> m.uuid().equals(uuid)).findFirst().orElseThrow();
    }

    /** Waits until the feed has given the client's own message its server uuid; returns it. */
    static String awaitServerUuid(EventsyncClient client, String conversation, String localUuid) {
        return await().atMost(WAIT).until(() -> client.model().messages(conversation).stream()
                .filter(m -> m.localUuid().equals(localUuid) && m.sentAt() != null).map(LocalModel.LocalMessage::uuid)
                .findFirst().orElse(""), uuid -> !uuid.isEmpty());
    }

    @Override
    public void close() {
        clients.forEach(EventsyncClient::close);
        clients.clear();
    }
}
