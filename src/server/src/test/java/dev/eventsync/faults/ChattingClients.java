package dev.eventsync.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.client.ClientListener;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.client.LocalModel;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for the fault tests: members of one conversation, each on the reference client library
 * (outbox in SQLite, resending an unanswered batch with the same event uuids, following the feed)
 * and each with a sender that keeps {@link #WINDOW} messages unacknowledged, so calls are in
 * flight whenever a fault strikes. Records every result and every failed call the clients report.
 */
final class ChattingClients implements AutoCloseable {

    /** Unacknowledged messages each client keeps queued. */
    static final int WINDOW = 20;
    static final Duration DRAIN = Duration.ofSeconds(90);

    final List<Api.User> users;
    final String conversation;
    final int messagesPerClient;
    private final List<EventsyncClient> clients = new ArrayList<>();
    private final List<Thread> senders = new ArrayList<>();
    private final List<List<Event>> sent = new ArrayList<>();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final Map<String, Accepted> acceptances = new ConcurrentHashMap<>();
    private final List<String> acknowledgedTwice = new CopyOnWriteArrayList<>();
    private final List<Event> rejected = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> failedCalls = new ConcurrentHashMap<>();

    /** The first user creates the conversation (through {@code api}); every user gets a client on {@code port}. */
    ChattingClients(Api api, int port, Path dir, int clientCount, int messagesPerClient) {
        this.messagesPerClient = messagesPerClient;
        List<Api.User> members = new ArrayList<>();
        for (int c = 0; c < clientCount; c++) {
            members.add(api.newUser());
        }
        this.users = List.copyOf(members);
        this.conversation = Events.newUuid();
        assertThat(users.get(0).submit(Events.createConversation(conversation, "under faults",
                users.subList(1, clientCount).stream().map(Api.User::uuid).toArray(String[]::new))).hasAccepted()).isTrue();
        for (int c = 0; c < clientCount; c++) {
            Semaphore window = new Semaphore(WINDOW);
            sent.add(new CopyOnWriteArrayList<>());
            clients.add(EventsyncClient.builder("127.0.0.1:" + port, dir.resolve("client-" + c + ".db"))
                    .plaintext(true).token(users.get(c).token)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    // the fault tests count exactly the messages sent: no delivered markers of the client's own
                    .deliveryReceipts(false)
                    .listener(new Recorder(window)).build().start());
            int client = c;
            Thread sender = new Thread(() -> {
                try {
                    for (int n = 0; n < messagesPerClient; n++) {
                        window.acquire();
                        Event message = Events.send(conversation, "client " + client + " message " + n);
                        clients.get(client).send(message);
                        sent.get(client).add(message);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the test is over
                }
            }, "sender-" + c);
            sender.setDaemon(true);
            senders.add(sender);
        }
        senders.forEach(Thread::start);
    }

    int total() {
        return users.size() * messagesPerClient;
    }

    int acknowledged() {
        return acknowledged.get();
    }

    /**
     * Waits until at least {@code count} messages are acknowledged, checking every millisecond (an
     * atomic read, not the clients' stores): on an idle machine a whole run takes about a second,
     * so a fault must strike at once to strike under load.
     */
    void awaitAcknowledged(int count) {
        await().atMost(DRAIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> acknowledged.get() >= count);
    }

    /** Messages queued in the outboxes, not yet acknowledged. */
    int inOutboxes() {
        return clients.stream().mapToInt(client -> client.pending().size()).sum();
    }

    long answeredAsDuplicate() {
        return acceptances.values().stream().filter(Accepted::getDuplicate).count();
    }

    /** Failed calls the clients reported (and retried), by kind and status. */
    Map<String, Integer> failedCalls() {
        return Map.copyOf(failedCalls);
    }

    /** Waits until every message was sent and acknowledged. */
    void awaitAllAcknowledged() throws InterruptedException {
        for (Thread sender : senders) {
            sender.join(DRAIN.toMillis());
        }
        await().atMost(DRAIN).until(() -> clients.stream().allMatch(client -> client.pending().isEmpty()));
    }

    /**
     * After {@link #awaitAllAcknowledged}: each message acknowledged once and stored once, in its
     * sender's order; every member reads the same sequence from the start, and so does every
     * client's local model once it caught up. {@code extra}: events acknowledged to someone else.
     */
    void assertEveryMessageStoredOnceInOneOrderForAll(List<String> extra) {
        List<String> allSent = sent.stream().flatMap(List::stream).map(Event::getUuid).toList();
        assertThat(allSent).hasSize(total());
        assertThat(rejected).as("rejected messages").isEmpty();
        assertThat(acknowledgedTwice).as("messages acknowledged twice").isEmpty();
        assertThat(acceptances.keySet()).as("every message finally acknowledged").containsExactlyInAnyOrderElementsOf(allSent);

        List<Event> feed = users.get(0).feed();
        for (Api.User user : users) {
            assertThat(uuids(user.feed())).as("the feed of %s read from the start", user.uuid()).isEqualTo(uuids(feed));
        }
        assertThat(uuids(feed)).as("every acknowledged event stored exactly once").doesNotHaveDuplicates()
                .hasSize(1 + total() + extra.size()).containsAll(allSent).containsAll(extra);
        for (int c = 0; c < sent.size(); c++) {
            Set<String> ofClient = new HashSet<>(uuids(sent.get(c)));
            assertThat(uuids(feed).stream().filter(ofClient::contains).toList()).as("client %d's messages, in send order", c)
                    .isEqualTo(uuids(sent.get(c)));
        }
        List<String> texts = feed.stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage().getText()).toList();
        for (int c = 0; c < clients.size(); c++) {
            EventsyncClient client = clients.get(c);
            await().atMost(DRAIN).untilAsserted(() -> assertThat(client.model().messages(conversation))
                    .extracting(LocalModel.LocalMessage::text).as("what client %s shows", client.model().me()).isEqualTo(texts));
        }
    }

    @Override
    public void close() {
        senders.forEach(Thread::interrupt);
        clients.forEach(EventsyncClient::close);
    }

    static List<String> uuids(List<Event> events) {
        return events.stream().map(Event::getUuid).toList();
    }

    /** Counts what a client reports, and gives its sender room for one more message per result. */
    private final class Recorder implements ClientListener {
        private final Semaphore window;

        Recorder(Semaphore window) {
            this.window = window;
        }

        @Override
        public void accepted(Event event, Accepted accepted) {
            if (acceptances.putIfAbsent(event.getUuid(), accepted) != null) {
                acknowledgedTwice.add(event.getUuid());
            } else {
                acknowledged.incrementAndGet();
            }
            window.release();
        }

        @Override
        public void rejected(Event event, Rejected rejection) {
            rejected.add(event);
            window.release();
        }

        @Override
        public void callFailed(String what, Status status) {
            failedCalls.merge(what + ":" + status.getCode(), 1, Integer::sum);
        }
    }
}
