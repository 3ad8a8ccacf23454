package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.events.Decider;
import dev.eventsync.events.Limits;
import dev.eventsync.events.Result;
import dev.eventsync.events.Submissions;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Guarantee 1 of API.md under load: 8 writers on three independent appenders of two lanes each
 * (the server's, reached over gRPC, and two more on their own connections, as other instances
 * would be) append into two conversations while a reader of both tails its feed by cursor. The reader must end
 * with every event exactly once, and its incremental reads must concatenate to the full feed.
 */
@ServerTest
// The tailer polls the feed as fast as it can, far beyond a person's SyncFromServer rate limit.
@TestPropertySource(properties = {"eventsync.rate-limit.stream-opens-burst=1000000", "eventsync.store.writers=2"})
class ConcurrentAppendTest {

    static final int WRITERS = 8;
    static final int MESSAGES_PER_WRITER = 150;

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;
    List<Appender> otherInstances = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        otherInstances.forEach(Appender::stop);
        api.close();
    }

    @Test
    void tailingReaderSeesEveryEventOnceInOneOrderWhileEightWritersAppend() throws Exception {
        Api.User reader = api.newUser();
        List<Api.User> writers = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            writers.add(api.newUser());
        }
        // Two conversations in different writer lanes: the lanes' batches commit in between each other.
        String[] members = writers.stream().map(Api.User::uuid).toArray(String[]::new);
        List<String> conversations = new ArrayList<>();
        for (int lane = 0; conversations.size() < 2; ) {
            String conversation = Events.newUuid();
            if (Appender.laneOf(UUID.fromString(conversation), 2) == lane) {
                assertThat(reader.submit(Events.createConversation(conversation, "load", members)).hasAccepted()).isTrue();
                conversations.add(conversation);
                lane++;
            }
        }
        List<Event> created = reader.feed();
        String start = created.get(created.size() - 1).getUuid();

        Submissions submissions = new Submissions(Limits.defaults());
        for (int i = 0; i < 2; i++) {
            Appender other = new Appender(dataSource, new Decider(Limits.defaults()),
                    StoreProperties.of(64, 1000, Duration.ofSeconds(5)).withWriters(2),
                    new SimpleMeterRegistry());
            other.start();
            otherInstances.add(other);
        }

        Map<Integer, List<String>> sentByWriter = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Api.User user = writers.get(w);
            done.add(pool.submit(() -> {
                go.await();
                List<String> sent = new ArrayList<>();
                for (int m = 0; m < MESSAGES_PER_WRITER; m++) {
                    Event message = Events.send(conversations.get(writer % 2), "w" + writer + " m" + m);
                    if (writer % 3 == 0) {
                        assertThat(user.submit(message).hasAccepted()).isTrue();
                    } else {
                        Appender appender = otherInstances.get(writer % 3 - 1);
                        List<Result> results = appender.submit(user.id, submissions.parseCall(List.of(message)), message.getSerializedSize())
                                .get(30, TimeUnit.SECONDS);
                        assertThat(results.get(0)).isInstanceOf(Result.Accepted.class);
                    }
                    sent.add(message.getUuid());
                }
                sentByWriter.put(writer, sent);
                return null;
            }));
        }

        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> tailed = Collections.synchronizedList(new ArrayList<>());
        Future<?> tail = Executors.newSingleThreadExecutor().submit(() -> {
            String cursor = start;
            while (true) {
                boolean lastRound = !writing.get();
                List<Event> page = reader.feed(cursor);
                for (Event event : page) {
                    tailed.add(event.getUuid());
                }
                if (!page.isEmpty()) {
                    cursor = page.get(page.size() - 1).getUuid();
                } else if (lastRound) {
                    return null;
                }
            }
        });

        go.countDown();
        for (Future<?> writer : done) {
            writer.get(120, TimeUnit.SECONDS);
        }
        writing.set(false);
        tail.get(60, TimeUnit.SECONDS);
        pool.shutdown();

        List<String> full = reader.feed(start).stream().map(Event::getUuid).toList();
        assertThat(full).hasSize(WRITERS * MESSAGES_PER_WRITER);
        assertThat(new HashSet<>(full)).hasSize(full.size());
        assertThat(tailed).as("incremental reads concatenate to the full feed").containsExactlyElementsOf(full);
        Set<String> expected = new HashSet<>();
        sentByWriter.values().forEach(expected::addAll);
        assertThat(new HashSet<>(full)).isEqualTo(expected);
        for (List<String> sent : sentByWriter.values()) {
            assertThat(full.stream().filter(sent::contains).toList())
                    .as("one writer's events keep their order").containsExactlyElementsOf(sent);
        }
        // Every writer's own feed is the same events in the same order as the reader's.
        List<String> writersView = writers.get(1).feed(start).stream().map(Event::getUuid).toList();
        assertThat(writersView).containsExactlyElementsOf(full);
    }
}
