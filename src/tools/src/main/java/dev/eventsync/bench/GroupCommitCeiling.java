package dev.eventsync.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * BASE jdbc_group_commit: the rows W1 writes for its messages, inserted by hand with the best
 * group commit this process can do, as the ceiling W1 is compared with. Each transaction is a
 * batch of messages, written as the server's append path writes a batch: the conversations'
 * row locks, their members read after the locks, the messages (seq and author_seq, so every
 * index of {@code messages}), the idempotency rows, then under the position lock, last, the
 * events, their feed rows and one wake-up notification. Several connections pipeline: while one
 * holds the position lock through its commit, the others write everything before it. Each
 * connection writes the messages of its own conversations, so their row locks never make the
 * connections wait for each other; only the position lock orders them, which keeps position
 * order commit order.
 *
 * <p>The statements are copied here: the server's store classes are package-private and not on
 * this jar's classpath, and its append path is not this benchmark's to change. Four are the
 * server's text (ServerStatementCopiesTest fails when they drift); the message insert numbers
 * seq in the statement instead of reading the last seqs first, one round trip fewer than the
 * server, as a hand-written ceiling may.
 */
final class GroupCommitCeiling {

    /** The configurations tried; the best is the ceiling. */
    static final int[] BATCHES = {16, 64, 128};
    /** One connection is the ceiling of a single writer such as the server's; more pipeline. */
    static final int[] CONNECTIONS = {1, 2, 4};

    interface Jdbc {
        Connection open() throws SQLException;
    }

    /** One configuration's rate. */
    record Run(double eventsPerSecond, int batch, int connections) {}

    /** A W1 client: its user and the conversation it writes in. */
    record Author(UUID user, UUID conversation) {}

    /** Conversations.LOCK_CONVERSATIONS (ServerStatementCopiesTest keeps these copies equal to the server's). */
    static final String LOCK_CONVERSATIONS = """
            select conversation_uuid, name from conversations
            where conversation_uuid = any(?)
            order by conversation_uuid
            for no key update""";

    /** Conversations.MEMBERS. */
    static final String MEMBERS = """
            select conversation_uuid, user_uuid, joined_at, joined_seq, admin from memberships
            where conversation_uuid = any(?)""";

    /** Seq follows the conversation's last (its row lock is held), author_seq the author's last there. */
    static final String INSERT_MESSAGES = """
            insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at, seq,
                                  mentioned_user_uuids, attachment_count, author_seq)
            select c, m, a, l, e, ?,
                   coalesce((select max(p.seq) from messages p where p.conversation_uuid = x.c), 0)
                   + row_number() over (partition by c order by o),
                   '{}', 0,
                   coalesce((select p.author_seq from messages p where p.conversation_uuid = x.c and p.author_uuid = x.a
                             order by p.seq desc limit 1), 0)
                   + row_number() over (partition by c, a order by o)
            from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[]) with ordinality as x(c, m, a, l, e, o)""";

    /** EventLog.CLAIM_EVENT_IDS. */
    static final String CLAIM_EVENT_IDS = """
            insert into event_ids (event_uuid, author_uuid, content_hash, stored_at, message_uuid, redacted)
            select e, a, h, ?, m, r from unnest(?::uuid[], ?::uuid[], ?::bytea[], ?::uuid[], ?::boolean[]) as i(e, a, h, m, r)
            order by e
            on conflict do nothing""";

    /** EventLog.APPEND: the only statement under the position lock. */
    static final String APPEND = """
            with head as (
                update log_head set last_position = last_position + ? returning last_position - ? as base, last_position
            ), appended as (
                insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body, redacted)
                select head.base + e.ord, e.event_uuid, e.author_uuid, e.kind, e.conversation_uuid, ?, e.body, e.redacted
                from head, unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::bytea[], ?::boolean[])
                     with ordinality as e(event_uuid, author_uuid, kind, conversation_uuid, body, redacted, ord)
                returning position, event_uuid
            )
            , fed as (
                insert into feed (user_uuid, position, event_uuid)
                select f.user_uuid, appended.position, appended.event_uuid
                from head cross join unnest(?::uuid[], ?::bigint[]) as f(user_uuid, ord)
                join appended on appended.position = head.base + f.ord
            )
            select count(pg_notify(?, p)) from (
                select ? || head.last_position || ? from head
                union all
                select * from unnest(?::text[])
            ) as notifications(p)""";

    /** The server's Notifications.CHANNEL: a listening server wakes its followers as for W1. */
    static final String CHANNEL = "eventsync";

    private final Jdbc jdbc;
    private final List<Author> authors;

    GroupCommitCeiling(Jdbc jdbc, List<Author> authors) {
        this.jdbc = jdbc;
        this.authors = List.copyOf(authors);
    }

    /**
     * Measures {@code connections} connections writing batches of {@code batch} messages for the
     * window; counts the messages of batches started in its measured part.
     */
    Run run(int batch, int connections, LoadGenerator.Window window) throws Exception {
        List<List<Author>> shares = shares(connections);
        AtomicLong events = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Author> share : shares) {
                done.add(pool.submit(() -> {
                    try (Connection connection = jdbc.open(); Writer writer = new Writer(connection, share)) {
                        long start;
                        while ((start = System.nanoTime()) < window.end()) {
                            writer.write(batch);
                            if (window.measures(start)) {
                                events.addAndGet(batch);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return new Run(window.perSecond(events.get()), batch, connections);
    }

    /** The authors of conversation k go to connection k mod connections (never an empty share). */
    private List<List<Author>> shares(int connections) {
        List<UUID> conversations = authors.stream().map(Author::conversation).distinct().toList();
        List<List<Author>> shares = new ArrayList<>();
        for (int i = 0; i < Math.min(connections, conversations.size()); i++) {
            shares.add(new ArrayList<>());
        }
        for (Author author : authors) {
            shares.get(conversations.indexOf(author.conversation()) % shares.size()).add(author);
        }
        return shares;
    }

    /** One connection's transactions; its statements are prepared once. */
    private static final class Writer implements AutoCloseable {
        private final Connection connection;
        private final List<Author> authors;
        private final PreparedStatement lock;
        private final PreparedStatement members;
        private final PreparedStatement messages;
        private final PreparedStatement claim;
        private final PreparedStatement append;
        private int next;

        Writer(Connection connection, List<Author> authors) throws SQLException {
            this.connection = connection;
            this.authors = authors;
            connection.setAutoCommit(false);
            lock = connection.prepareStatement(LOCK_CONVERSATIONS);
            members = connection.prepareStatement(MEMBERS);
            messages = connection.prepareStatement(INSERT_MESSAGES);
            claim = connection.prepareStatement(CLAIM_EVENT_IDS);
            append = connection.prepareStatement(APPEND);
        }

        /** One transaction of {@code size} messages, its authors taken in turn. */
        void write(int size) throws SQLException {
            Timestamp now = Timestamp.from(Instant.now());
            List<Author> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(authors.get(next++ % authors.size()));
            }
            Set<UUID> conversations = new TreeSet<>();
            batch.forEach(a -> conversations.add(a.conversation()));
            Array conversationArray = uuids(conversations);
            lock.setArray(1, conversationArray);
            try (ResultSet rows = lock.executeQuery()) {
                while (rows.next()) {
                    // locked: the members read next are the ones this batch is ordered after
                }
            }
            Map<UUID, List<UUID>> membersOf = new HashMap<>();
            members.setArray(1, conversationArray);
            try (ResultSet rows = members.executeQuery()) {
                while (rows.next()) {
                    membersOf.computeIfAbsent(rows.getObject(1, UUID.class), c -> new ArrayList<>()).add(rows.getObject(2, UUID.class));
                }
            }
            Object[] eventUuids = new Object[size];
            Object[] messageUuids = new Object[size];
            Object[] authorUuids = new Object[size];
            Object[] localUuids = new Object[size];
            Object[] conversationUuids = new Object[size];
            String[] kinds = new String[size];
            byte[][] bodies = new byte[size][];
            byte[][] hashes = new byte[size][];
            Boolean[] redacted = new Boolean[size];
            List<UUID> feedUsers = new ArrayList<>();
            List<Long> feedOrdinals = new ArrayList<>();
            Set<UUID> recipients = new LinkedHashSet<>();
            for (int i = 0; i < size; i++) {
                Author author = batch.get(i);
                UUID event = UUID.randomUUID();
                UUID message = UUID.randomUUID();
                eventUuids[i] = event;
                messageUuids[i] = message;
                authorUuids[i] = author.user();
                localUuids[i] = UUID.randomUUID();
                conversationUuids[i] = author.conversation();
                kinds[i] = "new_message";
                bodies[i] = LoadGenerator.messageEvent(event, message, author.user(), author.conversation()).toByteArray();
                hashes[i] = new byte[32];
                redacted[i] = false;
                for (UUID member : membersOf.getOrDefault(author.conversation(), List.of())) {
                    feedUsers.add(member);
                    feedOrdinals.add((long) i + 1);
                    recipients.add(member);
                }
            }
            messages.setTimestamp(1, now);
            messages.setArray(2, connection.createArrayOf("uuid", conversationUuids));
            messages.setArray(3, connection.createArrayOf("uuid", messageUuids));
            messages.setArray(4, connection.createArrayOf("uuid", authorUuids));
            messages.setArray(5, connection.createArrayOf("uuid", localUuids));
            messages.setArray(6, connection.createArrayOf("uuid", eventUuids));
            messages.executeUpdate();
            claim.setTimestamp(1, now);
            claim.setArray(2, connection.createArrayOf("uuid", eventUuids));
            claim.setArray(3, connection.createArrayOf("uuid", authorUuids));
            claim.setArray(4, connection.createArrayOf("bytea", hashes));
            claim.setArray(5, connection.createArrayOf("uuid", messageUuids));
            claim.setArray(6, connection.createArrayOf("boolean", redacted));
            if (claim.executeUpdate() != size) {
                throw new IllegalStateException("BASE group commit: fresh event uuids were claimed already");
            }
            append.setInt(1, size);
            append.setInt(2, size);
            append.setTimestamp(3, now);
            append.setArray(4, connection.createArrayOf("uuid", eventUuids));
            append.setArray(5, connection.createArrayOf("uuid", authorUuids));
            append.setArray(6, connection.createArrayOf("text", kinds));
            append.setArray(7, connection.createArrayOf("uuid", conversationUuids));
            append.setArray(8, connection.createArrayOf("bytea", bodies));
            append.setArray(9, connection.createArrayOf("boolean", redacted));
            append.setArray(10, uuids(feedUsers));
            append.setArray(11, connection.createArrayOf("bigint", feedOrdinals.toArray()));
            append.setString(12, CHANNEL);
            String[] wake = wake(recipients, System.currentTimeMillis());
            append.setString(13, wake[0]);
            append.setString(14, wake[1]);
            append.setArray(15, connection.createArrayOf("text", new Object[0])); // no transitory events
            append.executeQuery().close();
            connection.commit();
        }

        private Array uuids(Collection<UUID> values) throws SQLException {
            return connection.createArrayOf("uuid", values.toArray());
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement statement : List.of(lock, members, messages, claim, append)) {
                statement.close();
            }
        }
    }

    /**
     * The server's wake-up payload (Notifications.wake): the batch's recipients, one notification;
     * the text before and after the batch's last position, which the statement puts between.
     */
    static String[] wake(Set<UUID> users, long sentAtMillis) {
        String before = "W " + sentAtMillis + " ";
        StringBuilder after = new StringBuilder(" ");
        for (UUID user : users) {
            if (after.length() > 1) {
                after.append(',');
            }
            after.append(user);
        }
        return new String[] {before, before.length() + 20 + after.length() > 7900 ? " *" : after.toString()};
    }
}
