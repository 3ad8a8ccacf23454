package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.util.unit.DataSize;

/**
 * A catch-up reads the next page ahead only after a page full of rows. A read-ahead holds its
 * page's reservation from the budget while it waits for a reader thread; after a short page
 * (the feed most likely ended) it would only hold memory: ten thousand streams opening at once,
 * each with a short first page, held the whole budget that way and every live delivery waited
 * for memory (W3). The reader threads here are a queue the test runs by hand.
 */
@ServerTest
class ReadAheadTest {

    static final int PAGE_ROWS = 3;

    @LocalGrpcServerPort
    int port;

    @Autowired
    FeedReader reader;

    final ArrayDeque<Runnable> readerThreads = new ArrayDeque<>();
    final Executor executor = readerThreads::add;
    final FeedProperties properties = new FeedProperties(PAGE_ROWS, DataSize.ofMegabytes(2), 1, DataSize.ofMegabytes(64), 20,
            Duration.ofSeconds(30));
    final ByteBudget budget = new ByteBudget(properties.memoryBudget().toBytes());
    final AtomicLong announced = new AtomicLong();
    FeedStream stream;
    final FeedStream.Owner owner = new FeedStream.Owner() {
        @Override
        public void ended(FeedStream stream) {}

        @Override
        public long announcedHead() {
            return announced.get();
        }

        @Override
        public List<UUID> onlineContacts(UUID user, UUID after, int limit) {
            return List.of();
        }
    };
    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Test
    void aShortFirstPageIsNotReadAheadOfAndHoldsNothingOnceCaughtUp() {
        Api.User alice = api.newUser();
        Api.User other = api.newUser();
        alice.submit(Events.displayName("a feed of one event"));
        other.submit(Events.displayName("committed after it")); // the head moves past the reader's last event
        FakeCall call = start(alice.id);

        runOne(); // the stream's first drain

        assertThat(call.ofKind(Event.ContentCase.SYNC_CAUGHT_UP)).as("caught up in its first drain").hasSize(1);
        assertThat(readerThreads).as("nothing queued: no read-ahead").isEmpty();
        assertThat(budget.available()).as("bytes held once caught up").isEqualTo(budget.total());
        call.cancel();
    }

    @Test
    void aPageFullOfRowsIsReadAheadOfWhileItIsSent() {
        Api.User alice = api.newUser();
        for (int i = 0; i < PAGE_ROWS * 2; i++) {
            alice.submit(Events.displayName("name " + i));
        }
        FakeCall call = start(alice.id);

        runOne();

        assertThat(readerThreads).as("the next page's read, queued").hasSize(1);
        assertThat(budget.available()).as("reserved for the page read ahead").isLessThan(budget.total());
        while (!readerThreads.isEmpty()) {
            runOne();
        }
        assertThat(call.sent).filteredOn(Event::hasDisplayNameChanged).hasSize(PAGE_ROWS * 2);
        assertThat(call.ofKind(Event.ContentCase.SYNC_CAUGHT_UP)).hasSize(1);
        assertThat(budget.available()).isEqualTo(budget.total());
        call.cancel();
    }

    /** What the safety poll asks a stream (besides the reads, which this class is about): was it woken and did not read? */
    @Test
    void aStreamIsBehindFromAWakeUpUntilAReadBeginsAfterItsPosition() {
        Api.User alice = api.newUser();
        alice.submit(Events.displayName("one event"));
        announced.set(reader.head());
        FakeCall call = start(alice.id);
        runOne();
        assertThat(call.ofKind(Event.ContentCase.SYNC_CAUGHT_UP)).hasSize(1);
        assertThat(stream.behind()).as("caught up, nothing announced since").isFalse();

        alice.submit(Events.displayName("a second event"));
        long position = reader.head();
        stream.wake(position);
        assertThat(stream.behind()).as("woken, its read not begun").isTrue();
        announced.set(position); // the hub had it announced before the read below began
        while (!readerThreads.isEmpty()) {
            runOne();
        }

        assertThat(call.sent).filteredOn(Event::hasDisplayNameChanged).hasSize(2);
        assertThat(stream.behind()).as("the read began after the announcement").isFalse();
        call.cancel();
    }

    FakeCall start(UUID user) {
        FakeCall call = new FakeCall(Long.MAX_VALUE / 2);
        stream = new FeedStream(call, reader, properties, executor, error -> error, owner, user, true,
                0, "", reader.head(), 256, budget, null);
        stream.attach();
        stream.start();
        return call;
    }

    void runOne() {
        assertThat(readerThreads).as("a drain or a read queued").isNotEmpty();
        readerThreads.poll().run();
    }
}
