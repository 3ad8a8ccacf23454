package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Rejected.Reason;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The v1.1 message lifecycle end to end, over real gRPC and PostgreSQL: who receives edits,
 * deletes, reactions, markers, settings, blocks and role changes, and that a delete erases the
 * message's content from every table and every stored body (API.md "Deleting a message erases it").
 */
@ServerTest
class MessageLifecycleTest {

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    JdbcTemplate jdbc;
    Api api;
    Api.User alice; // creates the conversation: its admin
    Api.User bob;
    Api.User carol;
    String conversation;

    @BeforeEach
    void conversationOfThree() {
        jdbc = new JdbcTemplate(dataSource);
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
        conversation = Events.newUuid();
        accepted(alice.submit(Events.createConversation(conversation, "lifecycle", bob.uuid(), carol.uuid())));
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    static EventResult accepted(EventResult result) {
        assertThat(result.hasAccepted()).as("accepted: %s", result).isTrue();
        return result;
    }

    static void rejected(EventResult result, Reason reason) {
        assertThat(result.hasRejected()).as("rejected: %s", result).isTrue();
        assertThat(result.getRejected().getReason()).isEqualTo(reason);
    }

    String send(Api.User user, Event message) {
        return accepted(user.submit(message)).getAccepted().getMessageUuid();
    }

    static List<String> uuids(List<Event> feed) {
        return feed.stream().map(Event::getUuid).toList();
    }

    @Nested
    class Erasure {

        final String marker = "erase-me-" + UUID.randomUUID();
        final String editMarker = "edited-" + UUID.randomUUID();
        final String reactionMarker = "rx" + UUID.randomUUID().toString().substring(0, 8);

        /** Rows of any table, and stored bodies (as hex), holding one of the markers. */
        long rowsHolding(String text) {
            String hex = java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long found = 0;
            for (String table : jdbc.queryForList(
                    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
                    String.class)) {
                found += jdbc.queryForObject("select count(*) from " + table + " t where t::text like ? or t::text like ?",
                        Long.class, "%" + text + "%", "%" + hex + "%");
            }
            return found;
        }

        @Test
        void afterADeleteTheTextItsEditsAndReactionsAreNowhereInTheDatabaseAndReplaysHoldTombstones() {
            String earlier = send(alice, Events.send(conversation, "the message replied to"));
            Event sending = Events.reply(conversation, marker, earlier, carol.uuid());
            String message = send(bob, sending);
            Event edit = Events.edit(conversation, message, editMarker + " " + marker, carol.uuid());
            accepted(bob.submit(edit));
            Event reaction = Events.react(conversation, message, reactionMarker, "👍");
            accepted(carol.submit(reaction));
            assertThat(rowsHolding(marker)).as("before the delete").isPositive();

            Event delete = Events.delete(conversation, message);
            accepted(alice.submit(delete)); // an admin's delete of bob's message

            assertThat(rowsHolding(marker)).isZero();
            assertThat(rowsHolding(editMarker)).isZero();
            assertThat(rowsHolding(reactionMarker)).isZero();
            for (Api.User reader : List.of(alice, bob, carol)) {
                List<Event> feed = reader.feed();
                assertThat(feed.toString()).doesNotContain(marker).doesNotContain(editMarker).doesNotContain(reactionMarker);
                Event tombstone = feed.stream().filter(e -> e.getUuid().equals(sending.getUuid())).findFirst().orElseThrow();
                assertThat(tombstone.getNewMessage().getMessage().getDeleted()).isTrue();
                assertThat(tombstone.getNewMessage().getMessage().getText()).isEmpty();
                assertThat(tombstone.getNewMessage().getMessage().getReplyToMessageUuid()).isEmpty();
                assertThat(tombstone.getNewMessage().getMessage().getMentionedUserUuidsList()).isEmpty();
                assertThat(uuids(feed)).containsSubsequence(sending.getUuid(), edit.getUuid(), reaction.getUuid(), delete.getUuid());
                for (Event cursor : feed) {
                    assertThat(reader.feed(cursor.getUuid()).toString()).doesNotContain(marker).doesNotContain(reactionMarker);
                }
            }
            assertThat(jdbc.queryForObject("select count(*) from events where redacted", Long.class)).isGreaterThanOrEqualTo(3);
            assertThat(jdbc.queryForObject("select count(*) from reactions where message_uuid = ?::uuid", Long.class, message)).isZero();
        }

        @Test
        void aResendOfAnErasedEventIsADuplicateWithoutItsContentKept() {
            Event sending = Events.send(conversation, marker);
            String message = send(bob, sending);
            Event edit = Events.edit(conversation, message, editMarker);
            accepted(bob.submit(edit));
            Event reaction = Events.react(conversation, message, "👍");
            accepted(bob.submit(reaction));
            accepted(bob.submit(Events.delete(conversation, message)));

            for (Event resend : List.of(sending, edit, reaction)) {
                EventResult result = bob.submit(resend);
                assertThat(result.getAccepted().getDuplicate()).as("resend of %s", resend.getContentCase()).isTrue();
            }
            assertThat(bob.submit(sending).getAccepted().getMessageUuid()).isEqualTo(message);
            rejected(alice.submit(sending), Reason.UUID_CONFLICT); // another user's resend is still a conflict
            assertThat(rowsHolding(marker)).isZero();
        }

        @Test
        void aReactionAndADeleteInOneCallStoreTheReactionAlreadyRedacted() {
            String message = send(bob, Events.send(conversation, marker));
            Event reaction = Events.react(conversation, message, reactionMarker);
            Event delete = Events.delete(conversation, message);

            List<EventResult> results = alice.sync(reaction, delete).getResultsList();

            assertThat(results).allSatisfy(r -> assertThat(r.hasAccepted()).isTrue());
            assertThat(rowsHolding(reactionMarker)).isZero();
            assertThat(rowsHolding(marker)).isZero();
            Event stored = alice.feed().stream().filter(e -> e.getUuid().equals(reaction.getUuid())).findFirst().orElseThrow();
            assertThat(stored.getReactionsChanged().getReactionsList()).isEmpty();
        }

        @Test
        void theLogStillRefusesEveryOtherChange() {
            String message = send(bob, Events.send(conversation, marker));
            String event = jdbc.queryForObject("select event_uuid::text from messages where message_uuid = ?::uuid", String.class, message);
            List<String> refused = List.of(
                    "update events set body = '\\x01' where event_uuid = '" + event + "'",
                    "update events set redacted = true, author_uuid = gen_random_uuid() where event_uuid = '" + event + "'",
                    "update events set redacted = true where kind = 'conversation_created'",
                    "update event_ids set content_hash = content_hash where event_uuid = '" + event + "'",
                    "update event_ids set redacted = true, author_uuid = gen_random_uuid() where event_uuid = '" + event + "'");
            for (String sql : refused) {
                assertThatThrownBy(() -> jdbc.update(sql)).as(sql).isInstanceOf(DataAccessException.class)
                        .hasMessageContaining("append-only");
            }
            accepted(bob.submit(Events.delete(conversation, message)));
            assertThatThrownBy(() -> jdbc.update("update events set redacted = false where event_uuid = '" + event + "'"))
                    .hasMessageContaining("append-only");
        }
    }

    @Nested
    class Audiences {

        @Test
        void editsReactionsAndDeletesReachTheCurrentMembersOnly() {
            String message = send(bob, Events.send(conversation, "hello"));
            accepted(alice.submit(Events.removeMember(conversation, carol.uuid())));
            Event edit = Events.edit(conversation, message, "hello!");
            Event react = Events.react(conversation, message, "👍", "👍");
            accepted(bob.submit(edit));
            accepted(alice.submit(react));

            for (Api.User member : List.of(alice, bob)) {
                assertThat(uuids(member.feed())).contains(edit.getUuid(), react.getUuid());
            }
            assertThat(uuids(carol.feed())).doesNotContain(edit.getUuid(), react.getUuid());
            Event delivered = alice.feed().stream().filter(Event::hasReactionsChanged).findFirst().orElseThrow();
            assertThat(delivered.getReactionsChanged().getReactionsList()).containsExactly("👍");
            assertThat(delivered.getReactionsChanged().getUserUuid()).isEqualTo(alice.uuid());
        }

        @Test
        void aDeliveredMarkerReachesTheCallerAndTheAuthorsItNewlyCoversNobodyElse() {
            String alices = send(alice, Events.send(conversation, "from alice"));
            Event marker = Events.delivered(conversation, alices);
            accepted(bob.submit(marker));
            Event again = Events.delivered(conversation, alices);
            accepted(bob.submit(again)); // covers nothing new: bob's devices only

            assertThat(uuids(alice.feed())).contains(marker.getUuid()).doesNotContain(again.getUuid());
            assertThat(uuids(bob.feed())).contains(marker.getUuid(), again.getUuid());
            assertThat(uuids(carol.feed())).doesNotContain(marker.getUuid(), again.getUuid());
        }

        @Test
        void aReadMarkerMovesOnlyForwardAndCountsAsDelivered() {
            String first = send(alice, Events.send(conversation, "one"));
            String second = send(alice, Events.send(conversation, "two"));
            accepted(bob.submit(Events.read(conversation, second)));
            accepted(bob.submit(Events.read(conversation, first))); // older: changes nothing, still stored

            assertThat(jdbc.queryForObject("select read_message_uuid::text from markers where user_uuid = ?::uuid",
                    String.class, bob.uuid())).isEqualTo(second);
            Event delivered = Events.delivered(conversation, second);
            accepted(bob.submit(delivered));
            assertThat(uuids(alice.feed())).doesNotContain(delivered.getUuid()); // the read already covered it
        }

        @Test
        void settingsAndBlocksReachOnlyTheCallersOwnFeed() {
            Event settings = Events.settings(conversation, true, true);
            Event block = Events.block(carol.uuid(), true);
            accepted(bob.submit(settings));
            accepted(bob.submit(block));

            assertThat(uuids(bob.feed())).contains(settings.getUuid(), block.getUuid());
            for (Api.User other : List.of(alice, carol)) {
                assertThat(uuids(other.feed())).doesNotContain(settings.getUuid(), block.getUuid());
            }
            assertThat(jdbc.queryForObject("select archived and pinned from conversation_settings where user_uuid = ?::uuid",
                    Boolean.class, bob.uuid())).isTrue();
        }

        @Test
        void aBlockForbidsAddingTheBlockerAndUnblockingLiftsIt() {
            Api.User dave = api.newUser();
            accepted(dave.submit(Events.block(bob.uuid(), true)));
            rejected(bob.submit(Events.addMember(conversation, dave.uuid())), Reason.FORBIDDEN);
            rejected(bob.submit(Events.createConversation(Events.newUuid(), "with dave", dave.uuid())), Reason.FORBIDDEN);
            accepted(alice.submit(Events.addMember(conversation, dave.uuid())));
            accepted(alice.submit(Events.removeMember(conversation, dave.uuid())));
            accepted(dave.submit(Events.block(bob.uuid(), false)));
            accepted(bob.submit(Events.addMember(conversation, dave.uuid())));
        }
    }

    @Nested
    class Admins {

        @Test
        void theLastAdminLeavingPromotesTheEarliestJoinedAndLaterJoinsListTheAdmins() {
            Event leave = Events.leave(conversation);
            accepted(alice.submit(leave));
            Event left = bob.feed().stream().filter(e -> e.getUuid().equals(leave.getUuid())).findFirst().orElseThrow();
            String promoted = left.getMemberLeft().getPromotedAdminUuid();
            // bob and carol joined at once, with the conversation: the smaller uuid wins the tie
            assertThat(promoted).isEqualTo(bob.uuid().compareTo(carol.uuid()) < 0 ? bob.uuid() : carol.uuid());

            Api.User dave = api.newUser();
            Event join = Events.addMember(conversation, dave.uuid());
            accepted(bob.submit(join));
            Event joined = dave.feed().stream().filter(e -> e.getUuid().equals(join.getUuid())).findFirst().orElseThrow();
            assertThat(joined.getMemberJoined().getAdminUuidsList()).containsExactly(promoted);
        }

        @Test
        void onlyAdminsRemoveOthersAndChangeRoles() {
            rejected(bob.submit(Events.removeMember(conversation, carol.uuid())), Reason.FORBIDDEN);
            rejected(bob.submit(Events.role(conversation, carol.uuid(), true)), Reason.FORBIDDEN);
            accepted(alice.submit(Events.role(conversation, bob.uuid(), true)));
            accepted(bob.submit(Events.removeMember(conversation, carol.uuid())));
            rejected(alice.submit(Events.role(conversation, bob.uuid(), true)), Reason.INVALID); // already admin
        }
    }

    /**
     * The unread counts (history.UnreadCounts) rest on each message's author_seq being its rank
     * among its author's messages of the conversation: across calls, authors, and several
     * messages of one author in one call (one insert statement).
     */
    @Test
    void eachMessageIsRankedAmongItsAuthorsMessagesOfTheConversation() {
        send(alice, Events.send(conversation, "a1"));
        for (EventResult result : alice.sync(Events.send(conversation, "a2"), Events.send(conversation, "a3"),
                Events.send(conversation, "a4")).getResultsList()) {
            accepted(result);
        }
        send(bob, Events.send(conversation, "b1"));
        send(alice, Events.send(conversation, "a5"));
        assertThat(jdbc.queryForList("""
                select author_uuid::text || ' ' || author_seq from messages where conversation_uuid = ?::uuid order by seq""",
                String.class, conversation)).containsExactly(
                alice.uuid() + " 1", alice.uuid() + " 2", alice.uuid() + " 3", alice.uuid() + " 4", bob.uuid() + " 1",
                alice.uuid() + " 5");
    }
}
