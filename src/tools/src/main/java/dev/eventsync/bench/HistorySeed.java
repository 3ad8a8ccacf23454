package dev.eventsync.bench;

import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.SendingNewMessage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The W5/W6 datasets, written straight into PostgreSQL (a million events through the server would
 * take most of an hour): one user in {@code conversations} two-member conversations they created,
 * then {@code messagesPerConversation} messages in each, sent alternately by the peer and by the
 * user, round-robin over the conversations. Row for row what the server writes for those events
 * (store/Conversations, Messages, EventLog; db/migration V1..V6): users, conversations,
 * memberships (creator admin, joined_seq 0), events with the delivered bodies, one feed row per
 * member, event_ids, messages with their seq. No markers, reactions, settings or blocks: these
 * events set none. One deviation: event_ids.content_hash is the pre-v1.1 hash (SHA-256 of the
 * submitted event with server fields cleared), which the server still accepts for a resend
 * (Decider); the v2 canonical encoding lives only in the server.
 */
public final class HistorySeed {

    /** What was seeded; conversation k's peer is {@code peers.get(k % peers.size())}. */
    public record Seeded(UUID user, List<UUID> peers, List<UUID> conversations, int messagesPerConversation, long events) {

        public UUID peerOf(int conversation) {
            return peers.get(conversation % peers.size());
        }

        /** The author of a conversation's message {@code seq}: the peer first, then alternately. */
        UUID authorOf(int conversation, long seq) {
            return seq % 2 == 1 ? peerOf(conversation) : user;
        }
    }

    static final int MAX_PEERS = 20;
    private static final int CHUNK = 10_000;
    static final String TEXT = "seeded message %09d, of a realistic length for one line of chat";

    private static final String TAKE_POSITIONS = """
            update log_head set last_position = last_position + ? returning last_position - ?""";
    private static final String USERS = """
            insert into users (user_uuid) select * from unnest(?::uuid[]) order by 1 on conflict do nothing""";
    private static final String CONVERSATIONS = """
            insert into conversations (conversation_uuid, name, created_by, created_at)
            select c, n, ?, t from unnest(?::uuid[], ?::text[], ?::timestamptz[]) as x(c, n, t)""";
    private static final String MEMBERSHIPS = """
            insert into memberships (conversation_uuid, user_uuid, joined_at, joined_seq, admin)
            select c, u, t, 0, a from unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::boolean[]) as m(c, u, t, a)""";
    private static final String EVENTS = """
            insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body, redacted)
            select p, e, a, k, c, t, b, false
            from unnest(?::bigint[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::timestamptz[], ?::bytea[]) as x(p, e, a, k, c, t, b)""";
    private static final String FEED = """
            insert into feed (user_uuid, position, event_uuid) select * from unnest(?::uuid[], ?::bigint[], ?::uuid[])""";
    private static final String EVENT_IDS = """
            insert into event_ids (event_uuid, author_uuid, content_hash, stored_at, message_uuid, redacted)
            select e, a, h, t, m, false from unnest(?::uuid[], ?::uuid[], ?::bytea[], ?::timestamptz[], ?::uuid[]) as i(e, a, h, t, m)""";
    private static final String MESSAGES = """
            insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at, seq, author_seq)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::timestamptz[], ?::bigint[], ?::bigint[])""";

    private HistorySeed() {}

    /** Seeds one new user's dataset in one transaction (holding the position lock, as a batch does) and analyzes. */
    public static Seeded seed(Connection connection, int conversations, int messagesPerConversation) throws SQLException {
        UUID user = UUID.randomUUID();
        List<UUID> peers = new ArrayList<>();
        for (int i = 0; i < Math.min(MAX_PEERS, conversations); i++) {
            peers.add(UUID.randomUUID());
        }
        List<UUID> ids = new ArrayList<>();
        for (int k = 0; k < conversations; k++) {
            ids.add(UUID.randomUUID());
        }
        Seeded seeded = new Seeded(user, List.copyOf(peers), List.copyOf(ids), messagesPerConversation,
                conversations + (long) conversations * messagesPerConversation);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            long base;
            try (PreparedStatement take = connection.prepareStatement(TAKE_POSITIONS)) {
                take.setLong(1, seeded.events());
                take.setLong(2, seeded.events());
                try (ResultSet row = take.executeQuery()) {
                    row.next();
                    base = row.getLong(1);
                }
            }
            // One millisecond apart, ending now: the server's times are microseconds, the newest last.
            Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusMillis(seeded.events());
            List<UUID> everyone = new ArrayList<>(peers);
            everyone.add(user);
            try (PreparedStatement insert = connection.prepareStatement(USERS)) {
                insert.setArray(1, connection.createArrayOf("uuid", everyone.toArray()));
                insert.executeUpdate();
            }
            Rows rows = new Rows(connection);
            for (int k = 0; k < conversations; k++) {
                rows.created(seeded, k, base + 1 + k, start.plusMillis(k));
            }
            rows.flush();
            long total = (long) conversations * messagesPerConversation;
            for (long i = 0; i < total; i++) {
                long position = conversations + i + 1;
                rows.message(seeded, (int) (i % conversations), i / conversations + 1, base + position,
                        start.plusMillis(position - 1));
                if (rows.size() >= CHUNK) {
                    rows.flush();
                }
            }
            rows.flush();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        try (var analyze = connection.createStatement()) {
            analyze.execute("analyze users, conversations, memberships, events, feed, event_ids, messages");
        }
        return seeded;
    }

    /** The conversation's name: distinct, so a test can tell conversations apart. */
    static String name(int conversation) {
        return "seeded conversation " + conversation;
    }

    /** A chunk of rows, written with one statement per table. */
    private static final class Rows {
        private final Connection connection;
        private final List<Object> conversationIds = new ArrayList<>();
        private final List<Object> conversationNames = new ArrayList<>();
        private final List<Object> conversationTimes = new ArrayList<>();
        private final List<Object> memberConversations = new ArrayList<>();
        private final List<Object> memberUsers = new ArrayList<>();
        private final List<Object> memberTimes = new ArrayList<>();
        private final List<Object> memberAdmins = new ArrayList<>();
        private final List<Object> positions = new ArrayList<>();
        private final List<Object> eventIds = new ArrayList<>();
        private final List<Object> authors = new ArrayList<>();
        private final List<Object> kinds = new ArrayList<>();
        private final List<Object> eventConversations = new ArrayList<>();
        private final List<Object> times = new ArrayList<>();
        private final List<byte[]> bodies = new ArrayList<>();
        private final List<byte[]> hashes = new ArrayList<>();
        private final List<Object> messageIdsOfEvents = new ArrayList<>();
        private final List<Object> feedUsers = new ArrayList<>();
        private final List<Object> feedPositions = new ArrayList<>();
        private final List<Object> feedEvents = new ArrayList<>();
        private final List<Object> messageConversations = new ArrayList<>();
        private final List<Object> messageIds = new ArrayList<>();
        private final List<Object> messageAuthors = new ArrayList<>();
        private final List<Object> localIds = new ArrayList<>();
        private final List<Object> messageEvents = new ArrayList<>();
        private final List<Object> sentAt = new ArrayList<>();
        private final List<Object> seqs = new ArrayList<>();
        private final List<Object> authorSeqs = new ArrayList<>();
        private UUID creator;

        Rows(Connection connection) {
            this.connection = connection;
        }

        int size() {
            return positions.size();
        }

        void created(Seeded seeded, int k, long position, Instant at) {
            UUID conversation = seeded.conversations().get(k);
            UUID peer = seeded.peerOf(k);
            UUID eventUuid = UUID.randomUUID();
            creator = seeded.user();
            Event submitted = Event.newBuilder().setUuid(eventUuid.toString())
                    .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(conversation.toString())
                            .setName(name(k)).addMemberUuids(peer.toString()))
                    .build();
            // as Delivery.of: the creator first, then the members named
            Event delivered = submitted.toBuilder().setAuthorUuid(seeded.user().toString()).setOccurredAt(timestamp(at))
                    .setConversationCreated(submitted.getConversationCreated().toBuilder().clearMemberUuids()
                            .addMemberUuids(seeded.user().toString()).addMemberUuids(peer.toString()))
                    .build();
            conversationIds.add(conversation);
            conversationNames.add(name(k));
            conversationTimes.add(at.toString());
            for (UUID member : List.of(seeded.user(), peer)) {
                memberConversations.add(conversation);
                memberUsers.add(member);
                memberTimes.add(at.toString());
                memberAdmins.add(member.equals(seeded.user()));
            }
            event(position, eventUuid, seeded.user(), "conversation_created", conversation, at, delivered, submitted, null,
                    List.of(seeded.user(), peer));
        }

        void message(Seeded seeded, int k, long seq, long position, Instant at) {
            UUID conversation = seeded.conversations().get(k);
            UUID author = seeded.authorOf(k, seq);
            UUID eventUuid = UUID.randomUUID();
            UUID messageUuid = UUID.randomUUID();
            UUID localUuid = UUID.randomUUID();
            String text = String.format(TEXT, seq);
            Event submitted = Event.newBuilder().setUuid(eventUuid.toString())
                    .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(localUuid.toString())
                            .setMessage(Message.newBuilder().setConversationUuid(conversation.toString()).setText(text)))
                    .build();
            Timestamp time = timestamp(at);
            Event delivered = Event.newBuilder().setUuid(eventUuid.toString()).setAuthorUuid(author.toString())
                    .setOccurredAt(time)
                    .setNewMessage(NewMessage.newBuilder().setLocalUuid(localUuid.toString()).setUuid(messageUuid.toString())
                            .setMessage(Message.newBuilder().setUuid(messageUuid.toString())
                                    .setConversationUuid(conversation.toString()).setAuthorUuid(author.toString())
                                    .setText(text).setSentAt(time)))
                    .build();
            messageConversations.add(conversation);
            messageIds.add(messageUuid);
            messageAuthors.add(author);
            localIds.add(localUuid);
            messageEvents.add(eventUuid);
            sentAt.add(at.toString());
            seqs.add(seq);
            authorSeqs.add((seq + 1) / 2); // the authors alternate (Seeded.authorOf): each one's rank among their own
            event(position, eventUuid, author, "new_message", conversation, at, delivered, submitted, messageUuid,
                    List.of(seeded.user(), seeded.peerOf(k)));
        }

        private void event(long position, UUID eventUuid, UUID author, String kind, UUID conversation, Instant at,
                           Event delivered, Event submitted, UUID messageUuid, List<UUID> recipients) {
            positions.add(position);
            eventIds.add(eventUuid);
            authors.add(author);
            kinds.add(kind);
            eventConversations.add(conversation);
            times.add(at.toString());
            bodies.add(delivered.toByteArray());
            hashes.add(sha256(submitted.toByteArray()));
            messageIdsOfEvents.add(messageUuid);
            for (UUID recipient : recipients) {
                feedUsers.add(recipient);
                feedPositions.add(position);
                feedEvents.add(eventUuid);
            }
        }

        void flush() throws SQLException {
            if (!conversationIds.isEmpty()) {
                insert(CONVERSATIONS, creator, array("uuid", conversationIds), array("text", conversationNames),
                        array("text", conversationTimes));
                insert(MEMBERSHIPS, array("uuid", memberConversations), array("uuid", memberUsers),
                        array("text", memberTimes), array("boolean", memberAdmins));
            }
            if (!messageIds.isEmpty()) {
                insert(MESSAGES, array("uuid", messageConversations), array("uuid", messageIds), array("uuid", messageAuthors),
                        array("uuid", localIds), array("uuid", messageEvents), array("text", sentAt), array("bigint", seqs),
                        array("bigint", authorSeqs));
            }
            if (!positions.isEmpty()) {
                insert(EVENT_IDS, array("uuid", eventIds), array("uuid", authors),
                        connection.createArrayOf("bytea", hashes.toArray(new byte[0][])), array("text", times),
                        array("uuid", messageIdsOfEvents));
                insert(EVENTS, array("bigint", positions), array("uuid", eventIds), array("uuid", authors),
                        array("text", kinds), array("uuid", eventConversations), array("text", times),
                        connection.createArrayOf("bytea", bodies.toArray(new byte[0][])));
                insert(FEED, array("uuid", feedUsers), array("bigint", feedPositions), array("uuid", feedEvents));
            }
            for (List<?> list : List.of(conversationIds, conversationNames, conversationTimes, memberConversations,
                    memberUsers, memberTimes, memberAdmins, positions, eventIds, authors, kinds, eventConversations, times,
                    bodies, hashes, messageIdsOfEvents, feedUsers, feedPositions, feedEvents, messageConversations,
                    messageIds, messageAuthors, localIds, messageEvents, sentAt, seqs, authorSeqs)) {
                list.clear();
            }
        }

        private void insert(String sql, Object... values) throws SQLException {
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    insert.setObject(i + 1, values[i]);
                }
                insert.executeUpdate();
            }
        }

        private java.sql.Array array(String type, List<Object> values) throws SQLException {
            return connection.createArrayOf(type, values.toArray());
        }
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
