package dev.eventsync.snapshot;

import dev.eventsync.events.Delivery;
import dev.eventsync.history.UnreadCounts;
import dev.eventsync.history.VisibleMessages;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.Marker;
import dev.eventsync.proto.v1.MemberView;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.proto.v1.ProfileView;
import dev.eventsync.proto.v1.ReactionView;
import dev.eventsync.proto.v1.SnapshotEnd;
import dev.eventsync.proto.v1.SnapshotItem;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One user's snapshot (API.md v1.1), read on a connection in one REPEATABLE READ transaction and
 * handed out an item at a time, so the server holds one group's views at most ({@link #GROUP}
 * conversations, read with a few queries per group), however many conversations there are: the caller's profile, then each conversation (newest activity first)
 * preceded by the profiles it names that were not sent yet, then {@link SnapshotEnd}. The cost
 * grows with the conversations and the messages per conversation, not with the history.
 */
final class SnapshotReader {

    /** The newest event of the caller's feed: the snapshot's cursor. */
    static final String CURSOR = """
            select event_uuid from feed where user_uuid = ? order by position desc limit 1""";

    /** Each range's newest visible message's time (null: none). */
    static final String NEWEST = """
            select r.c, (select m.sent_at from messages m
                         where m.conversation_uuid = r.c and m.seq > r.f and m.seq <= r.t order by m.seq desc limit 1)
            from unnest(?::uuid[], ?::bigint[], ?::bigint[]) as r(c, f, t)""";

    static final String CURRENT = """
            select m.conversation_uuid, c.name, m.joined_at from memberships m join conversations c using (conversation_uuid)
            where m.user_uuid = ?""";

    /** A former conversation's name and time as of the latest leaving. */
    static final String FORMER = """
            select distinct on (conversation_uuid) conversation_uuid, name, left_at from membership_periods
            where user_uuid = ? order by conversation_uuid, to_seq desc, left_at desc""";

    // A group's members, settings, markers and unread counts: one query each for the whole group.

    static final String MEMBERS = """
            select conversation_uuid, user_uuid, admin, joined_at from memberships where conversation_uuid = any(?)
            order by conversation_uuid, user_uuid""";

    static final String SETTINGS = """
            select conversation_uuid, muted_until, archived, pinned from conversation_settings
            where conversation_uuid = any(?) and user_uuid = ?""";

    static final String MARKERS = """
            select k.conversation_uuid, k.user_uuid, k.read_message_uuid, k.read_seq, k.delivered_message_uuid, k.delivered_seq
            from markers k join memberships m on m.conversation_uuid = k.conversation_uuid and m.user_uuid = k.user_uuid
            where k.conversation_uuid = any(?)
            order by k.conversation_uuid, k.user_uuid""";


    /**
     * Conversations read per group: a few queries per group instead of several per conversation,
     * and the server holds one group's views at most (flow control takes them an item at a time).
     */
    static final int GROUP = 50;

    static final String PROFILES = """
            select user_uuid, display_name, picture_media_uuid from users where user_uuid = any(?)""";

    static final String BLOCKED = """
            select blocked_uuid from blocks where user_uuid = ? order by blocked_uuid""";

    /** A conversation of the snapshot, in the order they are sent. */
    private record Entry(UUID conversation, String name, boolean member, Instant activity) {}

    private final Connection connection;
    private final UUID caller;
    private final int messages;
    private final Deque<Entry> conversations;
    private final Map<UUID, List<VisibleMessages.Range>> ranges;
    private final Set<UUID> profilesSent = new HashSet<>();
    private final Deque<SnapshotItem> ready = new ArrayDeque<>();
    private boolean ended;

    private SnapshotReader(Connection connection, UUID caller, int messages, Deque<Entry> conversations,
                           Map<UUID, List<VisibleMessages.Range>> ranges) {
        this.connection = connection;
        this.caller = caller;
        this.messages = messages;
        this.conversations = conversations;
        this.ranges = ranges;
    }

    /** Reads the list of conversations (small: one entry each); views are read as they are asked for. */
    static SnapshotReader open(Connection connection, UUID caller, SnapshotQuery query) throws SQLException {
        Map<UUID, List<VisibleMessages.Range>> ranges = new HashMap<>();
        for (VisibleMessages.Range range : VisibleMessages.ranges(connection, caller, null)) {
            ranges.computeIfAbsent(range.conversation(), c -> new ArrayList<>()).add(range);
        }
        Map<UUID, Entry> entries = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(CURRENT)) {
            select.setObject(1, caller);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID c = rows.getObject(1, UUID.class);
                    entries.put(c, new Entry(c, rows.getString(2), true, rows.getTimestamp(3).toInstant()));
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement(FORMER)) {
            select.setObject(1, caller);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID c = rows.getObject(1, UUID.class);
                    entries.putIfAbsent(c, new Entry(c, rows.getString(2), false, rows.getTimestamp(3).toInstant()));
                }
            }
        }
        Map<UUID, Instant> newest = newestMessages(connection, ranges);
        List<Entry> ordered = new ArrayList<>();
        for (Entry entry : entries.values()) {
            Instant activity = newest.getOrDefault(entry.conversation(), entry.activity()); // none: when the caller joined
            ordered.add(new Entry(entry.conversation(), entry.name(), entry.member(), activity));
        }
        ordered.sort(Comparator.comparing(Entry::activity).reversed().thenComparing(e -> e.conversation().toString()));
        SnapshotReader reader = new SnapshotReader(connection, caller, query.messagesPerConversation(),
                new ArrayDeque<>(ordered), ranges);
        reader.profiles(List.of(caller));
        return reader;
    }

    private static Map<UUID, Instant> newestMessages(Connection connection, Map<UUID, List<VisibleMessages.Range>> ranges)
            throws SQLException {
        List<VisibleMessages.Range> all = ranges.values().stream().flatMap(List::stream).toList();
        Map<UUID, Instant> newest = new HashMap<>();
        if (all.isEmpty()) {
            return newest;
        }
        try (PreparedStatement select = connection.prepareStatement(NEWEST)) {
            VisibleMessages.bindRanges(select, 1, all);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Timestamp at = rows.getTimestamp(2);
                    if (at != null) {
                        newest.merge(rows.getObject(1, UUID.class), at.toInstant(), (a, b) -> a.isAfter(b) ? a : b);
                    }
                }
            }
        }
        return newest;
    }

    /** The next item, or null after {@link SnapshotEnd}. */
    SnapshotItem next() throws SQLException {
        while (ready.isEmpty()) {
            if (ended) {
                return null;
            }
            if (conversations.isEmpty()) {
                ready.add(SnapshotItem.newBuilder().setEnd(end()).build());
                ended = true;
            } else {
                List<Entry> group = new ArrayList<>(GROUP);
                while (group.size() < GROUP && !conversations.isEmpty()) {
                    group.add(conversations.poll());
                }
                List<ConversationView> views = views(group);
                Map<UUID, ProfileView> profiles = readProfiles(views.stream().flatMap(v -> named(v).stream()).toList());
                for (ConversationView view : views) {
                    queueProfiles(named(view), profiles);
                    ready.add(SnapshotItem.newBuilder().setConversation(view).build());
                }
            }
        }
        return ready.poll();
    }

    /** The group's views, in the group's order. */
    private List<ConversationView> views(List<Entry> group) throws SQLException {
        Map<UUID, List<VisibleMessages.Range>> visible = new LinkedHashMap<>();
        List<UUID> current = new ArrayList<>();
        for (Entry entry : group) {
            visible.put(entry.conversation(), ranges.getOrDefault(entry.conversation(), List.of()));
            if (entry.member()) {
                current.add(entry.conversation());
            }
        }
        Map<UUID, VisibleMessages.Page> pages = VisibleMessages.pages(connection, caller, visible, Long.MAX_VALUE, messages);
        Map<UUID, ConversationView.Builder> views = new LinkedHashMap<>();
        for (Entry entry : group) {
            VisibleMessages.Page page = pages.get(entry.conversation());
            views.put(entry.conversation(), ConversationView.newBuilder()
                    .setConversationUuid(entry.conversation().toString())
                    .setName(entry.name())
                    .setIsMember(entry.member())
                    .setLastActivityAt(Delivery.timestamp(entry.activity()))
                    .addAllLastMessages(page.views())
                    .setHistoryComplete(page.complete()));
        }
        // a former conversation: no members, no settings, unread 0
        if (!current.isEmpty()) {
            Array conversationArray = connection.createArrayOf("uuid", current.toArray());
            members(conversationArray, views);
            settings(conversationArray, current, views);
            Map<UUID, Long> readSeqs = markers(conversationArray, views);
            unread(current, visible, readSeqs, views);
        }
        return views.values().stream().map(ConversationView.Builder::build).toList();
    }

    private void members(Array conversations, Map<UUID, ConversationView.Builder> views) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(MEMBERS)) {
            select.setArray(1, conversations);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    views.get(rows.getObject(1, UUID.class)).addMembers(MemberView.newBuilder().setUserUuid(rows.getString(2))
                            .setAdmin(rows.getBoolean(3)).setJoinedAt(Delivery.timestamp(rows.getTimestamp(4).toInstant())));
                }
            }
        }
    }

    private void settings(Array conversations, List<UUID> current, Map<UUID, ConversationView.Builder> views)
            throws SQLException {
        Map<UUID, ConversationSettingsChanged.Builder> settings = new HashMap<>();
        for (UUID conversation : current) {
            settings.put(conversation, ConversationSettingsChanged.newBuilder().setConversationUuid(conversation.toString()));
        }
        try (PreparedStatement select = connection.prepareStatement(SETTINGS)) {
            select.setArray(1, conversations);
            select.setObject(2, caller);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ConversationSettingsChanged.Builder one = settings.get(row.getObject(1, UUID.class));
                    Timestamp muted = row.getTimestamp(2);
                    if (muted != null) {
                        one.setMutedUntil(Delivery.timestamp(muted.toInstant()));
                    }
                    one.setArchived(row.getBoolean(3)).setPinned(row.getBoolean(4));
                }
            }
        }
        settings.forEach((conversation, one) -> views.get(conversation).setSettings(one));
    }

    /** Adds the markers; returns the caller's read seq per conversation, for the unread counts. */
    private Map<UUID, Long> markers(Array conversations, Map<UUID, ConversationView.Builder> views) throws SQLException {
        Map<UUID, Long> readSeqs = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(MARKERS)) {
            select.setArray(1, conversations);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID conversation = rows.getObject(1, UUID.class);
                    ConversationView.Builder view = views.get(conversation);
                    String user = rows.getString(2);
                    if (user.equals(caller.toString())) {
                        readSeqs.put(conversation, rows.getLong(4));
                    }
                    String read = rows.getString(3);
                    if (read != null) {
                        view.addReadMarkers(Marker.newBuilder().setUserUuid(user).setMessageUuid(read));
                    }
                    // a read counts as delivered: the furthest of the two
                    String delivered = rows.getLong(6) > rows.getLong(4) ? rows.getString(5) : read;
                    if (delivered != null) {
                        view.addDeliveredMarkers(Marker.newBuilder().setUserUuid(user).setMessageUuid(delivered));
                    }
                }
            }
        }
        return readSeqs;
    }

    /** The unread counts ({@link UnreadCounts}): over each visible range, after the read marker. */
    private void unread(List<UUID> current, Map<UUID, List<VisibleMessages.Range>> visible, Map<UUID, Long> readSeqs,
                        Map<UUID, ConversationView.Builder> views) throws SQLException {
        List<UUID> conversations = new ArrayList<>();
        List<Long> from = new ArrayList<>();
        List<Long> to = new ArrayList<>();
        for (UUID conversation : current) {
            long readSeq = readSeqs.getOrDefault(conversation, 0L);
            for (VisibleMessages.Range range : visible.get(conversation)) {
                if (range.to() > readSeq) {
                    conversations.add(conversation);
                    from.add(Math.max(range.from(), readSeq));
                    to.add(range.to());
                }
            }
        }
        Map<UUID, long[]> counts = new HashMap<>();
        if (!conversations.isEmpty()) {
            try (PreparedStatement select = connection.prepareStatement(UnreadCounts.PER_RANGE)) {
                select.setArray(1, connection.createArrayOf("uuid", conversations.toArray()));
                select.setArray(2, connection.createArrayOf("bigint", from.toArray()));
                select.setArray(3, connection.createArrayOf("bigint", to.toArray()));
                for (int i = 4; i <= 8; i++) {
                    select.setObject(i, caller);
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long[] sum = counts.computeIfAbsent(rows.getObject(1, UUID.class), c -> new long[2]);
                        sum[0] += rows.getLong(2);
                        sum[1] += rows.getLong(3);
                    }
                }
            }
        }
        for (UUID conversation : current) {
            long[] sum = counts.getOrDefault(conversation, new long[2]);
            views.get(conversation).setUnreadCount(sum[0]).setUnreadMentionCount(sum[1]);
        }
    }

    /** The users a conversation item names: members, authors, reactors and marker holders (not mentioned users). */
    private static List<UUID> named(ConversationView view) {
        Set<String> users = new LinkedHashSet<>();
        view.getMembersList().forEach(m -> users.add(m.getUserUuid()));
        for (MessageView message : view.getLastMessagesList()) {
            users.add(message.getMessage().getAuthorUuid());
            for (ReactionView reaction : message.getReactionsList()) {
                users.addAll(reaction.getUserUuidsList());
            }
        }
        view.getReadMarkersList().forEach(m -> users.add(m.getUserUuid()));
        view.getDeliveredMarkersList().forEach(m -> users.add(m.getUserUuid()));
        return users.stream().map(UUID::fromString).toList();
    }

    /** Queues the profiles of these users not sent yet, before the item that names them. */
    private void profiles(List<UUID> users) throws SQLException {
        queueProfiles(users, readProfiles(users));
    }

    /** The stored profiles of those of these users not sent yet. */
    private Map<UUID, ProfileView> readProfiles(List<UUID> users) throws SQLException {
        List<UUID> missing = users.stream().filter(u -> !profilesSent.contains(u)).distinct().toList();
        Map<UUID, ProfileView> found = new HashMap<>();
        if (missing.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = connection.prepareStatement(PROFILES)) {
            select.setArray(1, connection.createArrayOf("uuid", missing.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID user = rows.getObject(1, UUID.class);
                    ProfileView.Builder profile = ProfileView.newBuilder().setUserUuid(user.toString());
                    if (rows.getString(2) != null) {
                        profile.setDisplayName(rows.getString(2));
                    }
                    if (rows.getString(3) != null) {
                        profile.setPictureMediaUuid(rows.getString(3));
                    }
                    found.put(user, profile.build());
                }
            }
        }
        return found;
    }

    /** Queues the profiles of these users not sent yet (a user without a row: the uuid alone). */
    private void queueProfiles(List<UUID> users, Map<UUID, ProfileView> found) {
        for (UUID user : users) {
            if (profilesSent.add(user)) {
                ready.add(SnapshotItem.newBuilder().setProfile(found.getOrDefault(user,
                        ProfileView.newBuilder().setUserUuid(user.toString()).build())).build());
            }
        }
    }

    private SnapshotEnd end() throws SQLException {
        SnapshotEnd.Builder end = SnapshotEnd.newBuilder();
        try (PreparedStatement select = connection.prepareStatement(CURSOR)) {
            select.setObject(1, caller);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    end.setCursor(row.getString(1));
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement(BLOCKED)) {
            select.setObject(1, caller);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    end.addBlockedUserUuids(rows.getString(1));
                }
            }
        }
        return end.build();
    }
}
