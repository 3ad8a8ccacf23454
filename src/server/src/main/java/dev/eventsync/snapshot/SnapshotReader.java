package dev.eventsync.snapshot;

import dev.eventsync.events.Delivery;
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
 * handed out an item at a time, so the server holds one conversation's view at most, however many
 * conversations there are: the caller's profile, then each conversation (newest activity first)
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

    static final String MEMBERS = """
            select user_uuid, admin, joined_at from memberships where conversation_uuid = ?""";

    static final String SETTINGS = """
            select muted_until, archived, pinned from conversation_settings where conversation_uuid = ? and user_uuid = ?""";

    static final String MARKERS = """
            select k.user_uuid, k.read_message_uuid, k.read_seq, k.delivered_message_uuid, k.delivered_seq
            from markers k join memberships m on m.conversation_uuid = k.conversation_uuid and m.user_uuid = k.user_uuid
            where k.conversation_uuid = ?""";

    /** The caller's unread messages of one range after their read marker: others', not deleted; mentions apart. */
    static final String UNREAD = """
            select count(*), count(*) filter (where ? = any(mentioned_user_uuids)) from messages
            where conversation_uuid = ? and seq > ? and seq <= ? and author_uuid <> ? and deleted_by is null""";

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
        List<UUID> conversations = new ArrayList<>();
        List<Long> from = new ArrayList<>();
        List<Long> to = new ArrayList<>();
        ranges.values().forEach(list -> list.forEach(r -> {
            conversations.add(r.conversation());
            from.add(r.from());
            to.add(r.to());
        }));
        Map<UUID, Instant> newest = new HashMap<>();
        if (conversations.isEmpty()) {
            return newest;
        }
        try (PreparedStatement select = connection.prepareStatement(NEWEST)) {
            select.setArray(1, connection.createArrayOf("uuid", conversations.toArray()));
            select.setArray(2, connection.createArrayOf("bigint", from.toArray()));
            select.setArray(3, connection.createArrayOf("bigint", to.toArray()));
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
            Entry entry = conversations.poll();
            if (entry == null) {
                ready.add(SnapshotItem.newBuilder().setEnd(end()).build());
                ended = true;
            } else {
                ConversationView view = view(entry);
                profiles(named(view));
                ready.add(SnapshotItem.newBuilder().setConversation(view).build());
            }
        }
        return ready.poll();
    }

    private ConversationView view(Entry entry) throws SQLException {
        UUID conversation = entry.conversation();
        List<VisibleMessages.Range> visible = ranges.getOrDefault(conversation, List.of());
        VisibleMessages.Page page = VisibleMessages.page(connection, caller, conversation, visible, Long.MAX_VALUE, messages);
        ConversationView.Builder view = ConversationView.newBuilder()
                .setConversationUuid(conversation.toString())
                .setName(entry.name())
                .setIsMember(entry.member())
                .setLastActivityAt(Delivery.timestamp(entry.activity()))
                .addAllLastMessages(page.views())
                .setHistoryComplete(page.complete());
        if (!entry.member()) {
            return view.build(); // a former conversation: no members, no settings, unread 0
        }
        try (PreparedStatement select = connection.prepareStatement(MEMBERS)) {
            select.setObject(1, conversation);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    view.addMembers(MemberView.newBuilder().setUserUuid(rows.getString(1)).setAdmin(rows.getBoolean(2))
                            .setJoinedAt(Delivery.timestamp(rows.getTimestamp(3).toInstant())));
                }
            }
        }
        view.setSettings(settings(conversation));
        long readSeq = 0; // the caller's, for the unread counts
        try (PreparedStatement select = connection.prepareStatement(MARKERS)) {
            select.setObject(1, conversation);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String user = rows.getString(1);
                    if (user.equals(caller.toString())) {
                        readSeq = rows.getLong(3);
                    }
                    String read = rows.getString(2);
                    if (read != null) {
                        view.addReadMarkers(Marker.newBuilder().setUserUuid(user).setMessageUuid(read));
                    }
                    // a read counts as delivered: the furthest of the two
                    String delivered = rows.getLong(5) > rows.getLong(3) ? rows.getString(4) : read;
                    if (delivered != null) {
                        view.addDeliveredMarkers(Marker.newBuilder().setUserUuid(user).setMessageUuid(delivered));
                    }
                }
            }
        }
        long[] unread = unread(conversation, visible, readSeq);
        return view.setUnreadCount(unread[0]).setUnreadMentionCount(unread[1]).build();
    }

    private ConversationSettingsChanged settings(UUID conversation) throws SQLException {
        ConversationSettingsChanged.Builder settings = ConversationSettingsChanged.newBuilder()
                .setConversationUuid(conversation.toString());
        try (PreparedStatement select = connection.prepareStatement(SETTINGS)) {
            select.setObject(1, conversation);
            select.setObject(2, caller);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    Timestamp muted = row.getTimestamp(1);
                    if (muted != null) {
                        settings.setMutedUntil(Delivery.timestamp(muted.toInstant()));
                    }
                    settings.setArchived(row.getBoolean(2)).setPinned(row.getBoolean(3));
                }
            }
        }
        return settings.build();
    }

    /** {unread, unread mentions}: over each visible range, after the read marker. */
    private long[] unread(UUID conversation, List<VisibleMessages.Range> visible, long readSeq) throws SQLException {
        long[] counts = new long[2];
        try (PreparedStatement select = connection.prepareStatement(UNREAD)) {
            for (VisibleMessages.Range range : visible) {
                if (range.to() <= readSeq) {
                    continue;
                }
                select.setObject(1, caller);
                select.setObject(2, conversation);
                select.setLong(3, Math.max(range.from(), readSeq));
                select.setLong(4, range.to());
                select.setObject(5, caller);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    counts[0] += row.getLong(1);
                    counts[1] += row.getLong(2);
                }
            }
        }
        return counts;
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
        List<UUID> missing = users.stream().filter(u -> !profilesSent.contains(u)).distinct().toList();
        if (missing.isEmpty()) {
            return;
        }
        Map<UUID, ProfileView> found = new HashMap<>();
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
        for (UUID user : missing) {
            profilesSent.add(user);
            ready.add(SnapshotItem.newBuilder().setProfile(found.getOrDefault(user,
                    ProfileView.newBuilder().setUserUuid(user.toString()).build())).build());
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
