package dev.eventsync.client;

import dev.eventsync.client.ConversationTable.Member;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.MemberView;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.ProfileView;
import dev.eventsync.proto.v1.ReactionView;
import dev.eventsync.proto.v1.ReactionsChanged;
import dev.eventsync.proto.v1.SnapshotEnd;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.proto.v1.SendingNewMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The chat model an app shows: conversations (members, admins, settings, unread counts),
 * messages (current text, edit mark, tombstone, reactions, reply, mentions, pending / sent /
 * delivered / read / failed), every member's markers, blocks and display names, in the client's
 * SQLite file.
 *
 * <p>Invariant: the tables change only inside the transaction that also moves the feed cursor
 * (stored events), writes the outbox (optimistic changes) or removes an outbox entry (results).
 * So they never apply a feed event twice, never lose one. They hold the server's state, applied
 * in feed order; our own changes not confirmed by the feed yet are laid over it when read
 * ({@link PendingChanges}, {@link Overlay}), so a rejection restores the server's state by
 * dropping the change. Every feed change is an idempotent upsert or a forward-only marker. A
 * snapshot (first sync, or resync after FAILED_PRECONDITION) replaces the server's state whole, in
 * the transaction that sets its cursor, and leaves our pending sends and changes laid over it.
 * Two devices that have read the same feed and have nothing pending show the same model.
 */
public final class LocalModel {

    /** A conversation as this device knows it; unread counts are this user's. */
    public record Conversation(String uuid, String name, List<String> members, boolean joined, boolean confirmed,
            List<String> admins, Settings settings, int unreadCount, int unreadMentionCount) {}

    /** This user's own settings of a conversation; {@code mutedUntil} null: not muted. */
    public record Settings(Instant mutedUntil, boolean archived, boolean pinned) {
        public static final Settings DEFAULT = new Settings(null, false, false);

        public boolean mutedAt(Instant now) {
            return mutedUntil != null && mutedUntil.isAfter(now);
        }
    }

    /**
     * A message; {@code uuid} is empty and {@code sentAt} null while it is pending.
     * {@code replyToUuid} is empty when it replies to nothing; {@code editedAt} is null when never
     * edited; a deleted message keeps its place with empty text, no mentions, no reactions.
     * {@code reactions}: user → that user's whole set. {@code delivered}: another member's
     * delivered (or read) marker has reached it. {@code attachments}: in the sender's order (none
     * on a deleted message).
     */
    public record LocalMessage(String localUuid, String uuid, String conversationUuid, String authorUuid, String text,
            Instant sentAt, State state, String failure, String replyToUuid, List<String> mentions, Instant editedAt,
            boolean deleted, Map<String, List<String>> reactions, boolean delivered, List<LocalAttachment> attachments) {

        LocalMessage edited(String newText, List<String> newMentions, Instant at) {
            return new LocalMessage(localUuid, uuid, conversationUuid, authorUuid, newText, sentAt, state, failure,
                    replyToUuid, List.copyOf(newMentions), at, false, reactions, delivered, attachments);
        }

        LocalMessage erased() {
            return new LocalMessage(localUuid, uuid, conversationUuid, authorUuid, "", sentAt, state, failure, "",
                    List.of(), null, true, Map.of(), delivered, List.of());
        }

        LocalMessage reacted(String user, List<String> set) {
            Map<String, List<String>> changed = new TreeMap<>(reactions);
            if (set.isEmpty()) {
                changed.remove(user);
            } else {
                changed.put(user, set);
            }
            return new LocalMessage(localUuid, uuid, conversationUuid, authorUuid, text, sentAt, state, failure,
                    replyToUuid, mentions, editedAt, deleted, Map.copyOf(changed), delivered, attachments);
        }
    }

    /** What {@code loadOlder} added to a conversation, oldest first; {@code complete}: the server has nothing older. */
    public record OlderMessages(List<LocalMessage> messages, boolean complete) {}

    /** What the app shows next to a message (delivered is {@link LocalMessage#delivered()}, beside SENT). */
    public enum State { PENDING, SENT, READ, FAILED }

    /** A member's read and delivered markers in a conversation: message uuids, empty when none. */
    public record Marker(String userUuid, String readUuid, String deliveredUuid) {}

    private final ClientStore store;
    private final String me;

    LocalModel(ClientStore store, String me) {
        this.store = store;
        this.me = me;
    }

    /** The user this device belongs to. */
    public String me() {
        return me;
    }

    // ---- reads: the server's state with our pending changes over it ----------------------------

    static final String DISPLAY_NAME = "select display_name from users where uuid = ?";

    /** Every conversation, by name. Counts unread messages of each, so it reads them all. */
    public List<Conversation> conversations() {
        return store.read(c -> {
            List<Conversation> conversations = new ArrayList<>();
            for (ConversationTable.Row row : ConversationTable.all(c)) {
                conversations.add(conversation(c, row));
            }
            return conversations;
        });
    }

    public Conversation conversation(String uuid) {
        return store.read(c -> {
            ConversationTable.Row row = ConversationTable.one(c, uuid);
            return row == null ? null : conversation(c, row);
        });
    }

    private Conversation conversation(Connection c, ConversationTable.Row row) throws SQLException {
        Overlay overlay = overlay(c, row.uuid());
        List<Member> members = overlay.members(ConversationTable.members(c, row.uuid()));
        List<LocalMessage> messages = overlay.messages(confirmedMessages(c, row.uuid()));
        boolean joined = overlay.joined(row.joined());
        // A conversation we left counts nothing unread (as Snapshot lists it): it is no longer ours to read.
        Unread unread = !joined ? Unread.NONE : Unread.of(messages,
                overlay.readMarker(MarkerTable.of(c, row.uuid(), me).readUuid(), messages), me,
                HistoryTable.get(c, row.uuid()).unread());
        return new Conversation(row.uuid(), row.name(), members.stream().map(Member::user).toList(),
                joined, row.confirmed(),
                members.stream().filter(Member::admin).map(Member::user).toList(),
                overlay.settings(SettingsTable.get(c, row.uuid())), unread.messages(), unread.mentions());
    }

    /** The conversation's messages in feed order, pending ones last (in send order). */
    public List<LocalMessage> messages(String conversation) {
        return store.read(c -> overlay(c, conversation).messages(confirmedMessages(c, conversation)));
    }

    private static List<LocalMessage> confirmedMessages(Connection c, String conversation) throws SQLException {
        return MessageTable.list(c, conversation, ReactionTable.ofConversation(c, conversation));
    }

    /** Every member's markers that the feed has shown us (ours with our pending read), by user. */
    public List<Marker> markers(String conversation) {
        return store.read(c -> {
            List<Marker> markers = new ArrayList<>(MarkerTable.ofConversation(c, conversation));
            Overlay overlay = overlay(c, conversation);
            List<LocalMessage> messages = overlay.messages(confirmedMessages(c, conversation));
            Marker mine = MarkerTable.of(c, conversation, me);
            String read = overlay.readMarker(mine.readUuid(), messages);
            if (!read.equals(mine.readUuid())) {
                markers.removeIf(m -> m.userUuid().equals(me));
                // A read marker is a delivered marker too.
                markers.add(new Marker(me, read, Overlay.indexOf(messages, read) > Overlay.indexOf(messages, mine.deliveredUuid())
                        ? read : mine.deliveredUuid()));
                markers.sort(Comparator.comparing(Marker::userUuid));
            }
            return markers;
        });
    }

    /** The users this user has blocked (their messages stay in the model: the app hides them). */
    public Set<String> blocked() {
        return store.read(c -> new Overlay(PendingChanges.withoutConversation(c), me).blocked(BlockTable.all(c)));
    }

    /** This user's settings of the conversation as shown (pending changes included). */
    Settings settings(Connection c, String conversation) throws SQLException {
        return overlay(c, conversation).settings(SettingsTable.get(c, conversation));
    }

    private Overlay overlay(Connection c, String conversation) throws SQLException {
        return new Overlay(PendingChanges.ofConversation(c, conversation), me);
    }

    /**
     * Whether the model holds the conversation's whole visible history (the server said so in a
     * snapshot or a page of History); false when unknown.
     */
    public boolean historyComplete(String conversation) {
        return store.read(c -> historyComplete(c, conversation));
    }

    boolean historyComplete(Connection c, String conversation) throws SQLException {
        return HistoryTable.get(c, conversation).complete();
    }

    /** The server uuid of the conversation's oldest message we hold; empty when none. */
    String oldestMessage(Connection c, String conversation) throws SQLException {
        Object[] oldest = MessageTable.oldest(c, conversation);
        return oldest == null ? "" : (String) oldest[0];
    }

    /** The user's display name as last seen in the feed, or null. */
    public String displayName(String user) {
        return store.read(c -> Sql.first(c, DISPLAY_NAME, row -> row.getString(1), user));
    }

    // ---- a snapshot, in the transaction that sets the cursor it reflects -----------------------

    /**
     * Replaces the server's state in the model by the snapshot's: conversations, members,
     * messages, reactions, markers, settings, blocks. Our pending sends and conversations (the
     * outbox owns them) stay, and so do the pending changes the server has not answered yet.
     */
    void replaceWith(Connection c, List<ProfileView> profiles, List<ConversationView> conversations, SnapshotEnd end)
            throws SQLException {
        PendingChanges.settleAnswered(c);
        MessageTable.clearFed(c);
        ReactionTable.clear(c);
        MarkerTable.clear(c);
        SettingsTable.clear(c);
        BlockTable.clear(c);
        HistoryTable.clear(c);
        ConversationTable.clearConfirmed(c);
        DeliveryReceipts.forgive(c);
        for (ProfileView profile : profiles) {
            if (!profile.getDisplayName().isEmpty()) {
                Sql.update(c, UPSERT_NAME, profile.getUserUuid(), profile.getDisplayName());
            }
        }
        for (ConversationView view : conversations) {
            conversation(c, view);
        }
        for (String blocked : end.getBlockedUserUuidsList()) {
            BlockTable.put(c, blocked, true);
        }
    }

    private void conversation(Connection c, ConversationView view) throws SQLException {
        String uuid = view.getConversationUuid();
        ConversationTable.joinedWith(c, uuid, view.getName());
        ConversationTable.replaceMembers(c, uuid, view.getMembersList().stream().map(MemberView::getUserUuid).toList(),
                view.getMembersList().stream().filter(MemberView::getAdmin).map(MemberView::getUserUuid).toList());
        if (view.getIsMember()) {
            SettingsTable.put(c, view.getSettings().toBuilder().setConversationUuid(uuid).build());
        } else {
            ConversationTable.removeMember(c, uuid, me, me);
        }
        for (MessageView message : view.getLastMessagesList()) {
            put(c, message, MessageTable.nextFeedOrder(c));
        }
        Map<String, String[]> markers = new TreeMap<>(); // user → {read, delivered}
        view.getReadMarkersList().forEach(m -> markers.computeIfAbsent(m.getUserUuid(), u -> new String[] {"", ""})[0] = m.getMessageUuid());
        view.getDeliveredMarkersList().forEach(m -> markers.computeIfAbsent(m.getUserUuid(), u -> new String[] {"", ""})[1] = m.getMessageUuid());
        for (Map.Entry<String, String[]> marker : markers.entrySet()) {
            MarkerTable.put(c, uuid, marker.getKey(), marker.getValue()[0], marker.getValue()[1]);
        }
        // The server counted every unread message; we hold the last ones. The rest lies before them.
        List<LocalMessage> held = confirmedMessages(c, uuid);
        String read = markers.getOrDefault(me, new String[] {"", ""})[0];
        Unread older = !view.getIsMember() || Overlay.indexOf(held, read) >= 0 ? Unread.NONE
                : new Unread((int) view.getUnreadCount(), (int) view.getUnreadMentionCount()).minus(Unread.of(held, read, me));
        HistoryTable.put(c, uuid, new HistoryTable.Older(view.getHistoryComplete(), older));
    }

    /** A message as the server shows it now (current text, edit mark, tombstone, reactions), at this place in the order. */
    private void put(Connection c, MessageView view, long order) throws SQLException {
        Message message = view.getMessage();
        String local = view.getLocalUuid().isEmpty() ? message.getUuid() : view.getLocalUuid();
        MessageTable.stored(c, NewMessage.newBuilder().setUuid(message.getUuid()).setLocalUuid(local).setMessage(message)
                .build(), me, order);
        if (message.hasEditedAt() && !message.getDeleted()) {
            MessageTable.editedAt(c, message.getUuid(), message.getEditedAt());
        }
        // The view holds the whole current reactions: whatever the feed put on a message we did not hold yet goes.
        ReactionTable.erase(c, message.getUuid());
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (ReactionView reaction : view.getReactionsList()) {
            for (String user : reaction.getUserUuidsList()) {
                byUser.computeIfAbsent(user, u -> new ArrayList<>()).add(reaction.getReaction());
            }
        }
        for (Map.Entry<String, List<String>> set : byUser.entrySet()) {
            ReactionTable.changed(c, ReactionsChanged.newBuilder().setConversationUuid(message.getConversationUuid())
                    .setMessageUuid(message.getUuid()).setUserUuid(set.getKey()).addAllReactions(set.getValue()).build());
        }
    }

    // ---- a page of History, in one transaction ---------------------------------------------------

    /**
     * Adds a page of older messages below the oldest we hold, leaving every newer message as it is
     * (one the feed brought meanwhile is not overwritten); returns those it added, oldest first.
     */
    OlderMessages older(Connection c, String conversation, HistoryPage page) throws SQLException {
        List<MessageView> fresh = new ArrayList<>();
        Set<String> added = new HashSet<>();
        for (MessageView view : page.getMessagesList()) {
            if (!MessageTable.held(c, view.getMessage().getUuid()) && added.add(view.getMessage().getUuid())) {
                fresh.add(view);
            }
        }
        Object[] oldest = MessageTable.oldest(c, conversation);
        long first;
        if (oldest == null) {
            first = MessageTable.nextFeedOrder(c);
        } else {
            long below = (Long) oldest[1];
            if (below <= fresh.size()) {
                // Orders stay positive (0 is a marker's "nowhere"): the conversation moves up to make room.
                long by = fresh.size() - below + 1;
                MessageTable.shift(c, conversation, by);
                MarkerTable.shift(c, conversation, by);
                DeliveryReceipts.shift(c, conversation, by);
                below += by;
            }
            first = below - fresh.size();
        }
        for (int i = 0; i < fresh.size(); i++) {
            put(c, fresh.get(i), first + i);
        }
        MarkerTable.place(c, conversation);
        List<LocalMessage> all = confirmedMessages(c, conversation);
        List<LocalMessage> loaded = all.stream().filter(m -> added.contains(m.uuid())).toList();
        Unread before = HistoryTable.get(c, conversation).unread();
        Unread rest = Overlay.indexOf(all, MarkerTable.of(c, conversation, me).readUuid()) >= 0 ? Unread.NONE
                : before.minus(Unread.of(loaded, "", me));
        HistoryTable.put(c, conversation, new HistoryTable.Older(page.getComplete(), rest));
        return new OlderMessages(loaded, page.getComplete());
    }

    // ---- optimistic changes, in the transaction that queues the event -------------------------

    void queued(Connection c, Event event) throws SQLException {
        if (event.hasConversationCreated()) {
            ConversationCreated created = event.getConversationCreated();
            ConversationTable.pending(c, created.getConversationUuid(), created.getName(), me, created.getMemberUuidsList());
        } else if (event.hasSendingNewMessage()) {
            SendingNewMessage sending = event.getSendingNewMessage();
            MessageTable.pending(c, sending.getLocalUuid(), me, sending.getMessage());
        } else {
            PendingChanges.add(c, event);
        }
    }

    // ---- results, in the transaction that removes the outbox entry -----------------------------

    void accepted(Connection c, Event event, Accepted accepted) throws SQLException {
        if (event.hasSendingNewMessage() && !accepted.getMessageUuid().isEmpty()) {
            long storedAt = accepted.hasStoredAt() ? MessageTable.millis(accepted.getStoredAt()) : System.currentTimeMillis();
            MessageTable.sent(c, event.getSendingNewMessage().getLocalUuid(), me, accepted.getMessageUuid(), storedAt);
        }
        // Other pending changes stay shown until the feed brings them (PendingChanges).
    }

    /** Rolls back the optimistic change the rejected event made: the server's state shows again. */
    void rejected(Connection c, Event event, Rejected rejected) throws SQLException {
        if (event.hasSendingNewMessage()) {
            MessageTable.failed(c, event.getSendingNewMessage().getLocalUuid(), me,
                    rejected.getReason() + ": " + rejected.getDetail());
        } else if (event.hasConversationCreated()) {
            ConversationTable.rejected(c, event.getConversationCreated().getConversationUuid());
        } else {
            PendingChanges.settled(c, event.getUuid());
        }
    }

    // ---- stored feed events, in the transaction that moves the cursor ---------------------------

    static final String UPSERT_NAME = """
            insert into users (uuid, display_name) values (?, ?)
            on conflict (uuid) do update set display_name = excluded.display_name""";

    void stored(Connection c, Event event) throws SQLException {
        PendingChanges.settled(c, event.getUuid());
        switch (event.getContentCase()) {
            case CONVERSATION_CREATED -> {
                ConversationCreated created = event.getConversationCreated();
                ConversationTable.joinedWith(c, created.getConversationUuid(), created.getName());
                ConversationTable.replaceMembers(c, created.getConversationUuid(), created.getMemberUuidsList(),
                        List.of(event.getAuthorUuid())); // the creator is the first admin
            }
            case CONVERSATION_NAME_CHANGED -> ConversationTable.rename(c, event.getConversationNameChanged().getConversationUuid(),
                    event.getConversationNameChanged().getNewName());
            case MEMBER_JOINED -> {
                MemberJoined joined = event.getMemberJoined();
                if (joined.getUserUuid().equals(me)) {
                    ConversationTable.joinedWith(c, joined.getConversationUuid(), joined.getConversationName());
                }
                // The snapshots are authoritative: the membership and admins right after this event.
                ConversationTable.replaceMembers(c, joined.getConversationUuid(), joined.getMemberUuidsList(),
                        joined.getAdminUuidsList());
            }
            case MEMBER_LEFT -> {
                MemberLeft left = event.getMemberLeft();
                ConversationTable.removeMember(c, left.getConversationUuid(), left.getUserUuid(), me);
                if (!left.getPromotedAdminUuid().isEmpty()) {
                    ConversationTable.setAdmin(c, left.getConversationUuid(), left.getPromotedAdminUuid(), true);
                }
            }
            case MEMBER_ROLE_CHANGED -> {
                MemberRoleChanged role = event.getMemberRoleChanged();
                ConversationTable.setAdmin(c, role.getConversationUuid(), role.getUserUuid(), role.getAdmin());
            }
            case NEW_MESSAGE -> MessageTable.stored(c, event.getNewMessage(), me);
            case MESSAGE_EDITED -> MessageTable.edited(c, event.getMessageEdited());
            case MESSAGE_DELETED -> {
                MessageTable.deleted(c, event.getMessageDeleted().getMessageUuid());
                ReactionTable.erase(c, event.getMessageDeleted().getMessageUuid());
            }
            case REACTIONS_CHANGED -> ReactionTable.changed(c, event.getReactionsChanged());
            case READ_NEW_MESSAGE -> MarkerTable.read(c, event.getReadNewMessage().getConversationUuid(),
                    event.getReadNewMessage().getReaderUuid(), event.getReadNewMessage().getUuid());
            case MESSAGES_DELIVERED -> MarkerTable.delivered(c, event.getMessagesDelivered().getConversationUuid(),
                    event.getMessagesDelivered().getUserUuid(), event.getMessagesDelivered().getUpToMessageUuid());
            case CONVERSATION_SETTINGS_CHANGED -> SettingsTable.put(c, event.getConversationSettingsChanged());
            case USER_BLOCKED -> BlockTable.put(c, event.getUserBlocked().getUserUuid(), event.getUserBlocked().getBlocked());
            case DISPLAY_NAME_CHANGED -> Sql.update(c, UPSERT_NAME, event.getDisplayNameChanged().getUserUuid(),
                    event.getDisplayNameChanged().getDisplayName());
            default -> {
                // Profile pictures and kinds this version does not know: the cursor still moves past them.
            }
        }
    }
}
