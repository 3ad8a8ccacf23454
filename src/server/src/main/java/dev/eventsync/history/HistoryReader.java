package dev.eventsync.history;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.HistoryPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * History (API.md v1.1): one conversation's messages visible to the caller, paged back by
 * {@code before_message_uuid}, read in one REPEATABLE READ transaction. Visible means sent
 * during one of the caller's memberships (the current one in {@code memberships}, ended ones in
 * {@code membership_periods}); a page is one backward range scan of {@code messages_by_seq} per
 * membership, each stopped by the limit, so its cost does not grow with the depth of history.
 */
@Component
public class HistoryReader {

    /** The caller's memberships of the conversation as ranges of seqs: (from, to], and whether current. */
    static final String MEMBERSHIPS = """
            select joined_seq, 9223372036854775807, true from memberships where conversation_uuid = ? and user_uuid = ?
            union all
            select from_seq, to_seq, false from membership_periods where conversation_uuid = ? and user_uuid = ?""";

    static final String SEQ_OF = """
            select seq from messages where conversation_uuid = ? and message_uuid = ?""";

    /** Up to limit rows per membership, newest first, then the newest limit of them all. */
    static final String PAGE = """
            select m.message_uuid, m.event_uuid
            from unnest(?::bigint[], ?::bigint[]) as p(from_seq, to_seq)
            cross join lateral (
                select message_uuid, seq, event_uuid from messages
                where conversation_uuid = ? and seq > p.from_seq and seq <= least(p.to_seq, ?)
                order by seq desc limit ?) m
            order by m.seq desc limit ?""";

    static final String BODIES = """
            select event_uuid, body from events where event_uuid = any(?)""";

    /** The edits and reaction events of these messages that are in the caller's feed, in feed order. */
    static final String SEEN_CHANGES = """
            select me.message_uuid, e.kind, e.body
            from message_events me join events e on e.event_uuid = me.event_uuid
            where me.conversation_uuid = ? and me.message_uuid = any(?)
              and exists (select 1 from feed f where f.user_uuid = ? and f.position = e.position)
            order by e.position""";

    static final String CURRENT_REACTIONS = """
            select message_uuid, user_uuid, reactions from reactions where conversation_uuid = ? and message_uuid = any(?)""";

    private record Range(long from, long to) {}

    private record Row(UUID message, UUID event) {}

    private final DataSource dataSource;

    public HistoryReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public HistoryPage page(UUID caller, HistoryQuery query) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                HistoryPage page = read(connection, caller, query);
                connection.commit();
                return page;
            } finally {
                connection.rollback(); // nothing was written; ends the transaction if read failed
                connection.setReadOnly(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                connection.setAutoCommit(true);
            }
        }
    }

    private HistoryPage read(Connection connection, UUID caller, HistoryQuery query) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        boolean member = false;
        try (PreparedStatement select = connection.prepareStatement(MEMBERSHIPS)) {
            select.setObject(1, query.conversation());
            select.setObject(2, caller);
            select.setObject(3, query.conversation());
            select.setObject(4, caller);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ranges.add(new Range(rows.getLong(1), rows.getLong(2)));
                    member |= rows.getBoolean(3);
                }
            }
        }
        long upTo = Long.MAX_VALUE;
        if (query.before() != null) {
            long before = seqOf(connection, query.conversation(), query.before());
            if (ranges.stream().noneMatch(r -> before > r.from() && before <= r.to())) {
                throw notFound();
            }
            upTo = before - 1;
        }
        if (ranges.isEmpty()) {
            throw notFound();
        }
        List<Row> rows = pageRows(connection, query, ranges, upTo);
        boolean complete = rows.size() <= query.limit();
        List<Row> page = new ArrayList<>(rows.subList(0, Math.min(rows.size(), query.limit())));
        java.util.Collections.reverse(page); // oldest first
        return HistoryPage.newBuilder().addAllMessages(views(connection, caller, query.conversation(), page, member))
                .setComplete(complete).build();
    }

    private static long seqOf(Connection connection, UUID conversation, UUID message) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SEQ_OF)) {
            select.setObject(1, conversation);
            select.setObject(2, message);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw notFound();
                }
                return row.getLong(1);
            }
        }
    }

    /** limit + 1 rows at most: one more than the page says whether anything older is visible. */
    private static List<Row> pageRows(Connection connection, HistoryQuery query, List<Range> ranges, long upTo)
            throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(PAGE)) {
            select.setArray(1, connection.createArrayOf("bigint", ranges.stream().map(Range::from).toArray()));
            select.setArray(2, connection.createArrayOf("bigint", ranges.stream().map(Range::to).toArray()));
            select.setObject(3, query.conversation());
            select.setLong(4, upTo);
            select.setInt(5, query.limit() + 1);
            select.setInt(6, query.limit() + 1);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.add(new Row(result.getObject(1, UUID.class), result.getObject(2, UUID.class)));
                }
            }
        }
        return rows;
    }

    /**
     * Each message with the latest edit the caller saw; reactions as they are now for a current
     * member, and for a former member as the reaction events in their feed left them.
     */
    private static List<dev.eventsync.proto.v1.MessageView> views(Connection connection, UUID caller, UUID conversation,
                                                                  List<Row> page, boolean member) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        Object[] messages = page.stream().map(Row::message).toArray();
        Map<UUID, Event> bodies = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(BODIES)) {
            select.setArray(1, connection.createArrayOf("uuid", page.stream().map(Row::event).toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    bodies.put(rows.getObject(1, UUID.class), parse(rows.getBytes(2)));
                }
            }
        }
        Map<UUID, Event> latestEdits = new HashMap<>();
        Map<UUID, Map<UUID, List<String>>> reactions = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(SEEN_CHANGES)) {
            select.setObject(1, conversation);
            select.setArray(2, connection.createArrayOf("uuid", messages));
            select.setObject(3, caller);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID message = rows.getObject(1, UUID.class);
                    Event event = parse(rows.getBytes(3));
                    if (rows.getString(2).equals("message_edited")) {
                        latestEdits.put(message, event); // feed order: the last one wins
                    } else if (!member) {
                        var changed = event.getReactionsChanged();
                        reactions.computeIfAbsent(message, m -> new HashMap<>())
                                .put(UUID.fromString(changed.getUserUuid()), changed.getReactionsList());
                    }
                }
            }
        }
        if (member) {
            try (PreparedStatement select = connection.prepareStatement(CURRENT_REACTIONS)) {
                select.setObject(1, conversation);
                select.setArray(2, connection.createArrayOf("uuid", messages));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        reactions.computeIfAbsent(rows.getObject(1, UUID.class), m -> new HashMap<>())
                                .put(rows.getObject(2, UUID.class), Arrays.asList((String[]) rows.getArray(3).getArray()));
                    }
                }
            }
        }
        List<dev.eventsync.proto.v1.MessageView> views = new ArrayList<>(page.size());
        for (Row row : page) {
            Map<UUID, List<String>> sets = new HashMap<>(reactions.getOrDefault(row.message(), Map.of()));
            sets.values().removeIf(List::isEmpty);
            views.add(MessageViews.view(bodies.get(row.event()), latestEdits.get(row.message()), sets));
        }
        return views;
    }

    private static Event parse(byte[] body) {
        try {
            return Event.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored event body does not parse", e);
        }
    }

    private static CallRejected notFound() {
        return new CallRejected(CallRejected.Problem.NOT_FOUND,
                "no such conversation, or you were never a member, or no such message of it that you can see");
    }
}
