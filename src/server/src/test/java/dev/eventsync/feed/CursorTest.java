package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Timestamps;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * SyncFromServer's cursor (API.md, SyncFromServer; guarantee 1): the events after a cursor, each
 * once, in the same order on every call, then one {@code sync_caught_up}; a cursor that is not
 * in the caller's feed asks the client to resync from empty.
 */
@ServerTest
class CursorTest {

    /** A client per test, on the server of the (possibly nested-overridden) test context. */
    abstract static class Client {

        @LocalGrpcServerPort
        int port;

        Api api;
        Api.User alice;
        Api.User bob;

        @BeforeEach
        void connect() {
            api = new Api(port);
            alice = api.newUser();
            bob = api.newUser();
        }

        @AfterEach
        void disconnect() throws InterruptedException {
            api.close();
        }

        /** A conversation of alice and bob with {@code messages} messages: the stored events, in feed order. */
        List<Event> conversationWithMessages(int messages) {
            String conversation = Events.newUuid();
            List<Event> events = new ArrayList<>();
            events.add(Events.createConversation(conversation, "Cursor test", bob.uuid()));
            for (int i = 0; i < messages; i++) {
                events.add(Events.send(conversation, "message " + i));
            }
            for (int from = 0; from < events.size(); from += 100) {
                accept(alice, events.subList(from, Math.min(events.size(), from + 100)).toArray(Event[]::new));
            }
            return events;
        }
    }

    @Nested
    class FromTheStart extends Client {

        @Test
        void anEmptyCursorDeliversTheWholeFeedInOrderThenCaughtUp() {
            List<Event> stored = conversationWithMessages(5);

            List<Event> read = bob.read("");

            assertThat(uuids(read.subList(0, read.size() - 1))).containsExactlyElementsOf(uuids(stored));
            assertThat(read.get(read.size() - 1).hasSyncCaughtUp()).isTrue();
        }

        @Test
        void anEmptyFeedDeliversOnlyCaughtUpWithAnEmptyLastEventUuid() {
            List<Event> read = bob.read("");

            assertThat(read).singleElement().satisfies(event -> {
                assertThat(event.hasSyncCaughtUp()).isTrue();
                assertThat(event.getSyncCaughtUp().getLastEventUuid()).isEmpty();
            });
        }
    }

    @Nested
    class AfterACursor extends Client {

        @Test
        void deliversExactlyTheLaterEventsEachOnceInOrderForEveryCursor() {
            List<String> stored = uuids(conversationWithMessages(9));

            for (int i = 0; i < stored.size(); i++) {
                List<String> later = uuids(bob.feed(stored.get(i)));
                assertThat(later).as("after event %d", i).containsExactlyElementsOf(stored.subList(i + 1, stored.size()));
            }
        }

        @Test
        void repeatedReadsFromTheSameCursorAreEqual() {
            List<Event> stored = conversationWithMessages(12);
            String cursor = stored.get(4).getUuid();

            List<Event> first = bob.feed(cursor);
            List<Event> second = bob.feed(cursor);
            List<Event> third = bob.feed(cursor);

            assertThat(first).hasSize(stored.size() - 5);
            assertThat(second).as("the same events, field for field, in the same order").isEqualTo(first);
            assertThat(third).isEqualTo(first);
        }

        @Test
        void eventsStoredAfterAReadComeAfterItsCursor() {
            List<Event> before = conversationWithMessages(3);
            List<Event> read = bob.feed();
            String cursor = read.get(read.size() - 1).getUuid();
            String conversation = before.get(0).getConversationCreated().getConversationUuid();
            Event later = Events.send(conversation, "later");
            Event evenLater = Events.rename(conversation, "renamed later");
            accept(alice, later);
            accept(bob, evenLater);

            assertThat(uuids(bob.feed(cursor))).containsExactly(later.getUuid(), evenLater.getUuid());
            assertThat(uuids(bob.feed())).containsExactlyElementsOf(concat(uuids(before),
                    List.of(later.getUuid(), evenLater.getUuid())));
        }

        @Test
        void theCursorOfAnEventOfAConversationTheCallerLeftStillWorks() {
            List<Event> stored = conversationWithMessages(2);
            String conversation = stored.get(0).getConversationCreated().getConversationUuid();
            Event leave = Events.leave(conversation);
            accept(bob, leave);
            accept(alice, Events.send(conversation, "bob does not see this"));

            assertThat(uuids(bob.feed(stored.get(1).getUuid()))).containsExactly(stored.get(2).getUuid(), leave.getUuid());
        }
    }

    @Nested
    class SyncCaughtUp extends Client {

        @Test
        void comesOnceAndLast() {
            conversationWithMessages(4);

            List<Event> read = bob.read("");

            assertThat(read).filteredOn(Event::hasSyncCaughtUp).hasSize(1);
            assertThat(read.get(read.size() - 1).hasSyncCaughtUp()).isTrue();
        }

        @Test
        void namesTheNewestDeliveredEventAndHasNoUuidOrAuthorButAServerTime() {
            List<Event> stored = conversationWithMessages(4);
            Instant before = Instant.now();

            List<Event> read = bob.read(stored.get(1).getUuid());

            Event caughtUp = read.get(read.size() - 1);
            assertThat(caughtUp.getSyncCaughtUp().getLastEventUuid()).isEqualTo(stored.get(stored.size() - 1).getUuid());
            assertThat(caughtUp.getUuid()).as("a transitory event is never a cursor").isEmpty();
            assertThat(caughtUp.getAuthorUuid()).isEmpty();
            assertThat(caughtUp.hasOccurredAt()).isTrue();
            Instant occurredAt = Instant.ofEpochMilli(Timestamps.toMillis(caughtUp.getOccurredAt()));
            assertThat(occurredAt).isBetween(before.minusSeconds(60), Instant.now().plusSeconds(60));
        }

        @Test
        void namesTheRequestCursorWhenNothingIsNewer() {
            List<Event> stored = conversationWithMessages(3);
            String newest = stored.get(stored.size() - 1).getUuid();

            List<Event> read = bob.read(newest);

            assertThat(read).singleElement().satisfies(caughtUp -> {
                assertThat(caughtUp.getSyncCaughtUp().getLastEventUuid()).isEqualTo(newest);
                assertThat(caughtUp.getUuid()).isEmpty();
                assertThat(caughtUp.getAuthorUuid()).isEmpty();
                assertThat(caughtUp.hasOccurredAt()).isTrue();
            });
        }
    }

    @Nested
    class RejectedCursors extends Client {

        @Test
        void anUnknownCursorFailsThePreconditionAndAsksToResyncFromEmpty() {
            conversationWithMessages(1);

            assertCursorUnknown(bob, Events.newUuid());
        }

        @Test
        void anotherUsersEventIsAnUnknownCursor() {
            Api.User carol = api.newUser();
            EventResult carols = accept(carol, Events.displayName("Carol"));
            conversationWithMessages(1);

            assertCursorUnknown(bob, carols.getClientEventUuid());
        }

        @Test
        void anEventOfAConversationTheCallerJoinedLaterIsAnUnknownCursor() {
            List<Event> stored = conversationWithMessages(2);
            Api.User carol = api.newUser();
            accept(alice, Events.addMember(stored.get(0).getConversationCreated().getConversationUuid(), carol.uuid()));

            assertCursorUnknown(carol, stored.get(1).getUuid());
        }

        @Test
        void anUppercaseCursorIsAnInvalidArgument() {
            List<Event> stored = conversationWithMessages(1);

            assertInvalidArgument(bob, stored.get(1).getUuid().toUpperCase(Locale.ROOT));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "00000000-0000-0000-0000-000000000000",
                "not-a-uuid",
                "1234",
                " ",
                "3f2504e0-4f89-11d3-9a0c-0305e82c330",
                "3f2504e04f8911d39a0c0305e82c3301",
                "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
                " 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301\n",
                "3f2504e0-4f89-11d3-9a0c-0305e82c330g"})
        void aMalformedOrNilCursorIsAnInvalidArgument(String cursor) {
            conversationWithMessages(1);

            assertInvalidArgument(bob, cursor);
        }

        private void assertCursorUnknown(Api.User user, String cursor) {
            assertThatThrownBy(() -> user.read(cursor)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(e.getStatus().getDescription()).as("tells the client what to do")
                        .containsIgnoringCase("unknown").containsIgnoringCase("resync").containsIgnoringCase("empty");
            });
        }

        private void assertInvalidArgument(Api.User user, String cursor) {
            assertThatThrownBy(() -> user.read(cursor)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
    }

    /**
     * Small pages: 7 rows, 16 KB. A feed of many pages is read page after page from the cursor;
     * an event larger than the byte budget is a page of its own.
     */
    @Nested
    @TestPropertySource(properties = {"eventsync.feed.page-rows=7", "eventsync.feed.page-bytes=16KB"})
    class SmallPages extends Client {

        @Autowired
        FeedReader reader;

        @Autowired
        FeedProperties properties;

        @BeforeEach
        void pagesAreSmall() {
            assertThat(properties.pageRows()).isEqualTo(7);
            assertThat(properties.pageBytes().toBytes()).isEqualTo(16 * 1024);
        }

        @Test
        void aFeedOfManyPagesIsDeliveredCompletelyInOrderEachOnce() {
            List<String> stored = uuids(conversationWithMessages(60));

            List<String> read = uuids(bob.feed());

            assertThat(read).hasSize(61).doesNotHaveDuplicates().containsExactlyElementsOf(stored);
        }

        @Test
        void readingFromACursorInsideAPageContinuesAcrossPageBoundaries() {
            List<String> stored = uuids(conversationWithMessages(30));

            for (int cursor : new int[] {0, 3, 6, 7, 13, 20, 29}) {
                assertThat(uuids(bob.feed(stored.get(cursor)))).as("after event %d", cursor)
                        .containsExactlyElementsOf(stored.subList(cursor + 1, stored.size()));
            }
        }

        @Test
        void picturesLargerThanThePageBudgetStreamOnePerPage() {
            List<Event> pictures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                pictures.add(Events.picture(png(3 * (int) properties.pageBytes().toBytes(), (byte) i)));
            }
            // Three large pictures in one call, then two more around a small change.
            accept(alice, pictures.subList(0, 3).toArray(Event[]::new));
            Event rename = Events.displayName("Alice");
            accept(alice, pictures.get(3), rename, pictures.get(4));

            List<Event> feed = alice.feed();

            assertThat(uuids(feed)).containsExactly(pictures.get(0).getUuid(), pictures.get(1).getUuid(),
                    pictures.get(2).getUuid(), pictures.get(3).getUuid(), rename.getUuid(), pictures.get(4).getUuid());
            for (Event picture : pictures) {
                Event delivered = feed.get(uuids(feed).indexOf(picture.getUuid()));
                assertThat(delivered.getProfilePictureChanged().getPngImage())
                        .isEqualTo(picture.getProfilePictureChanged().getPngImage());
            }
            // Page by page, as the stream reads them: a page stays within its byte limit, so a
            // picture over it is alone in its page and comes without its body (the stream then
            // reserves its size and reads it again), and a small event before such a picture does
            // not share a page with it.
            List<Integer> pageSizes = new ArrayList<>();
            List<Boolean> withBody = new ArrayList<>();
            long position = 0;
            List<FeedReader.Entry> page;
            while (!(page = reader.pageAfter(alice.id, position, properties.pageRows(),
                    properties.pageBytes().toBytes())).isEmpty()) {
                pageSizes.add(page.size());
                page.forEach(entry -> withBody.add(entry.body() != null));
                position = page.get(page.size() - 1).position();
            }
            assertThat(pageSizes).containsExactly(1, 1, 1, 1, 1, 1);
            assertThat(withBody).containsExactly(false, false, false, false, true, false);
        }

        private static byte[] png(int size, byte filler) {
            byte[] image = Arrays.copyOf(Events.PNG, size);
            Arrays.fill(image, Events.PNG.length, size, filler);
            return image;
        }
    }

    static EventResult accept(Api.User user, Event... events) {
        SubmitEventOutput output = user.sync(events);
        assertThat(output.getResultsList()).hasSize(events.length)
                .allSatisfy(result -> assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue());
        return output.getResults(0);
    }

    static List<String> uuids(List<Event> events) {
        return events.stream().map(Event::getUuid).toList();
    }

    static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
