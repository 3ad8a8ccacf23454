package dev.eventsync.history;

import dev.eventsync.events.StoredBodies;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MessageView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The messages of a conversation one user can see, read on a connection the caller holds in a
 * REPEATABLE READ transaction (History and Snapshot). Visible means sent during one of the
 * user's memberships: the current one ({@code memberships.joined_seq} onwards) and the ended ones
 * ({@code membership_periods}), each a range of seqs. A page is one backward range scan of
 * {@code messages_by_seq} per range, each stopped by the limit, so its cost does not grow with
 * the depth of history.
 */
public final class VisibleMessages {

    /** A user's memberships as ranges of seqs (from, to] per conversation; {@code current}: the open one. */
    public record Range(UUID conversation, long from, long to, boolean current) {}

    /** A page, newest last; {@code complete}: nothing older is visible. */
    public record Page(List<MessageView> views, boolean complete, Timestamp newest) {}

    static final String MEMBERSHIPS = """
            select conversation_uuid, joined_seq, 9223372036854775807, true from memberships
            where user_uuid = ? and (?::uuid is null or conversation_uuid = ?)
            union all
            select conversation_uuid, from_seq, to_seq, false from membership_periods
            where user_uuid = ? and (?::uuid is null or conversation_uuid = ?)""";

    static final String SEQ_OF = """
            select seq from messages where conversation_uuid = ? and message_uuid = ?""";

    /** Up to limit rows per membership, of several conversations (the newest limit of each are taken in Java). */
    static final String PAGE = """
            select p.c, m.message_uuid, m.event_uuid, m.sent_at, m.seq
            from unnest(?::uuid[], ?::bigint[], ?::bigint[]) as p(c, from_seq, to_seq)
            cross join lateral (
                select message_uuid, seq, event_uuid, sent_at from messages
                where conversation_uuid = p.c and seq > p.from_seq and seq <= least(p.to_seq, ?)
                order by seq desc limit ?) m""";

    static final String BODIES = """
            select event_uuid, body from events where event_uuid = any(?)""";

    /** The edits and reaction events of these messages that are in the user's feed, in feed order. */
    static final String SEEN_CHANGES = """
            select me.message_uuid, e.kind, e.body
            from message_events me join events e on e.event_uuid = me.event_uuid
            where (me.conversation_uuid, me.message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))
              and exists (select 1 from feed f where f.user_uuid = ? and f.position = e.position)
            order by e.position""";

    static final String CURRENT_REACTIONS = """
            select message_uuid, user_uuid, reactions from reactions
            where (conversation_uuid, message_uuid) in (select * from unnest(?::uuid[], ?::uuid[]))""";

    private record Row(UUID conversation, UUID message, UUID event, Timestamp sentAt, long seq) {}

    private VisibleMessages() {}

    /** The user's memberships, of one conversation or (null) of all. */
    public static List<Range> ranges(Connection connection, UUID user, UUID conversation) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(MEMBERSHIPS)) {
            select.setObject(1, user);
            select.setObject(2, conversation);
            select.setObject(3, conversation);
            select.setObject(4, user);
            select.setObject(5, conversation);
            select.setObject(6, conversation);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ranges.add(new Range(rows.getObject(1, UUID.class), rows.getLong(2), rows.getLong(3), rows.getBoolean(4)));
                }
            }
        }
        return ranges;
    }

    /** Binds the ranges as three parallel arrays (conversation uuid[], from bigint[], to bigint[]) from {@code first}. */
    public static void bindRanges(PreparedStatement statement, int first, List<Range> ranges) throws SQLException {
        Connection connection = statement.getConnection();
        statement.setArray(first, connection.createArrayOf("uuid", ranges.stream().map(Range::conversation).toArray()));
        statement.setArray(first + 1, connection.createArrayOf("bigint", ranges.stream().map(Range::from).toArray()));
        statement.setArray(first + 2, connection.createArrayOf("bigint", ranges.stream().map(Range::to).toArray()));
    }

    /** The message's seq, or -1 when the conversation holds no such message. */
    public static long seqOf(Connection connection, UUID conversation, UUID message) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SEQ_OF)) {
            select.setObject(1, conversation);
            select.setObject(2, message);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : -1;
            }
        }
    }

    /**
     * The newest {@code limit} visible messages with a seq up to {@code upTo}, oldest first, each
     * as the user's feed shows it: the latest edit they saw; reactions as they are now for a
     * current member, and for a former member as the reaction events in their feed left them.
     */
    public static Page page(Connection connection, UUID user, UUID conversation, List<Range> ranges, long upTo, int limit)
            throws SQLException {
        return pages(connection, user, Map.of(conversation, ranges), upTo, limit).get(conversation);
    }

    /**
     * {@link #page} of several conversations (each with its user's ranges) at once: a fixed
     * number of queries however many conversations, so a snapshot reads a group of them in a
     * few round trips.
     */
    public static Map<UUID, Page> pages(Connection connection, UUID user, Map<UUID, List<Range>> ranges, long upTo, int limit)
            throws SQLException {
        Map<UUID, List<Row>> rows = new HashMap<>();
        ranges.keySet().forEach(c -> rows.put(c, new ArrayList<>()));
        try (PreparedStatement select = connection.prepareStatement(PAGE)) {
            bindRanges(select, 1, ranges.values().stream().flatMap(List::stream).toList());
            select.setLong(4, upTo);
            select.setInt(5, limit + 1); // one more than the page says whether anything older is visible
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    UUID conversation = result.getObject(1, UUID.class);
                    rows.get(conversation).add(new Row(conversation, result.getObject(2, UUID.class),
                            result.getObject(3, UUID.class), result.getTimestamp(4), result.getLong(5)));
                }
            }
        }
        Map<UUID, Boolean> complete = new HashMap<>();
        List<Row> all = new ArrayList<>();
        Map<UUID, List<Row>> pages = new HashMap<>();
        rows.forEach((conversation, found) -> {
            found.sort(Comparator.comparingLong(Row::seq).reversed()); // newest limit + 1 over all ranges
            complete.put(conversation, found.size() <= limit);
            List<Row> page = new ArrayList<>(found.subList(0, Math.min(found.size(), limit)));
            pages.put(conversation, page);
            all.addAll(page);
        });
        Set<UUID> member = new HashSet<>();
        ranges.forEach((conversation, list) -> {
            if (list.stream().anyMatch(Range::current)) {
                member.add(conversation);
            }
        });
        Map<UUID, MessageView> views = views(connection, user, all, member);
        Map<UUID, Page> result = new HashMap<>();
        pages.forEach((conversation, page) -> {
            Timestamp newest = page.isEmpty() ? null : page.get(0).sentAt();
            List<MessageView> oldestFirst = new ArrayList<>(page.size());
            for (int i = page.size() - 1; i >= 0; i--) {
                oldestFirst.add(views.get(page.get(i).message()));
            }
            result.put(conversation, new Page(oldestFirst, complete.get(conversation), newest));
        });
        return result;
    }

    /** Each row's view by message uuid; {@code member}: the conversations the user is in now. */
    private static Map<UUID, MessageView> views(Connection connection, UUID user, List<Row> page, Set<UUID> member)
            throws SQLException {
        if (page.isEmpty()) {
            return Map.of();
        }
        Map<UUID, UUID> conversationOf = new HashMap<>();
        page.forEach(row -> conversationOf.put(row.message(), row.conversation()));
        Object[] conversations = page.stream().map(Row::conversation).toArray();
        Object[] messages = page.stream().map(Row::message).toArray();
        Map<UUID, Event> bodies = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(BODIES)) {
            select.setArray(1, connection.createArrayOf("uuid", page.stream().map(Row::event).toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    bodies.put(rows.getObject(1, UUID.class), StoredBodies.parse(rows.getBytes(2)));
                }
            }
        }
        Map<UUID, Event> latestEdits = new HashMap<>();
        Map<UUID, Map<UUID, List<String>>> reactions = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(SEEN_CHANGES)) {
            select.setArray(1, connection.createArrayOf("uuid", conversations));
            select.setArray(2, connection.createArrayOf("uuid", messages));
            select.setObject(3, user);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID message = rows.getObject(1, UUID.class);
                    Event event = StoredBodies.parse(rows.getBytes(3));
                    if (rows.getString(2).equals("message_edited")) {
                        latestEdits.put(message, event); // feed order: the last one wins
                    } else if (!member.contains(conversationOf.get(message))) {
                        var changed = event.getReactionsChanged();
                        reactions.computeIfAbsent(message, m -> new HashMap<>())
                                .put(UUID.fromString(changed.getUserUuid()), changed.getReactionsList());
                    }
                }
            }
        }
        List<Row> current = page.stream().filter(row -> member.contains(row.conversation())).toList();
        if (!current.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(CURRENT_REACTIONS)) {
                select.setArray(1, connection.createArrayOf("uuid", current.stream().map(Row::conversation).toArray()));
                select.setArray(2, connection.createArrayOf("uuid", current.stream().map(Row::message).toArray()));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        reactions.computeIfAbsent(rows.getObject(1, UUID.class), m -> new HashMap<>())
                                .put(rows.getObject(2, UUID.class), Arrays.asList((String[]) rows.getArray(3).getArray()));
                    }
                }
            }
        }
        Map<UUID, MessageView> views = new HashMap<>();
        for (Row row : page) {
            Map<UUID, List<String>> sets = new HashMap<>(reactions.getOrDefault(row.message(), Map.of()));
            sets.values().removeIf(List::isEmpty);
            views.put(row.message(), MessageViews.view(bodies.get(row.event()), latestEdits.get(row.message()), sets));
        }
        return views;
    }
}
