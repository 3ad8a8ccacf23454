package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.ServerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The presence list after {@code sync_caught_up} for a user with very many online contacts is
 * read a page at a time as the client takes it, reserved from the byte budget, and complete:
 * every contact once, in order, after {@code sync_caught_up}. The feed is the real one (of a new
 * user: empty); the contacts come from the test, so their number costs nothing.
 */
@ServerTest
class PresenceBurstTest {

    static final int CONTACTS = 10_000;
    static final long BUDGET = 1024 * 1024;

    @Autowired
    FeedReader reader;
    @Autowired
    FeedProperties properties;

    final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aUserWithTenThousandOnlineContactsGetsThemAllOnceInPagesAsTheClientReads() {
        List<UUID> contacts = new ArrayList<>();
        for (int i = 0; i < CONTACTS; i++) {
            contacts.add(UUID.randomUUID());
        }
        contacts.sort(Comparator.naturalOrder());
        AtomicInteger read = new AtomicInteger();
        FeedStream.Owner owner = new FeedStream.Owner() {
            @Override
            public void ended(FeedStream stream) {}

            @Override
            public long announcedHead() {
                return 0;
            }

            @Override
            public List<UUID> onlineContacts(UUID user, UUID after, int limit) {
                int from = after == null ? 0 : contacts.indexOf(after) + 1;
                List<UUID> page = List.copyOf(contacts.subList(from, Math.min(contacts.size(), from + limit)));
                read.addAndGet(page.size());
                return page;
            }
        };
        ByteBudget budget = new ByteBudget(BUDGET);
        FakeCall call = new FakeCall(1000); // sync_caught_up and 999 contacts, then the client stops reading
        UUID user = UUID.randomUUID();
        FeedStream stream = new FeedStream(call, reader, properties, executor, error -> error, owner, user, true,
                reader.positionOf(user, ""), "", reader.head(), 256, budget, null);
        stream.attach();
        stream.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> call.sent.size() == 1000 && !call.isReady());
        int unsent = read.get() - 999;
        assertThat(unsent).as("contacts read and not sent while the client reads nothing")
                .isBetween(0, PresenceBurst.PAGE);
        assertThat(BUDGET - budget.available()).as("bytes reserved for them")
                .isGreaterThanOrEqualTo(unsent * PresenceBurst.BYTES_PER_CONTACT);

        call.allow(Long.MAX_VALUE / 2);

        await().atMost(Duration.ofSeconds(30)).until(() -> call.ofKind(Event.ContentCase.USER_IS_CONNECTED).size() == CONTACTS);
        assertThat(call.sent.get(0).hasSyncCaughtUp()).isTrue();
        assertThat(call.ofKind(Event.ContentCase.USER_IS_CONNECTED))
                .extracting(e -> UUID.fromString(e.getUserIsConnected().getUserUuid()))
                .as("every online contact once, in order").containsExactlyElementsOf(contacts);
        assertThat(read.get()).as("contacts read from the database").isEqualTo(CONTACTS);
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.available() == BUDGET);
        call.cancel();
    }
}
