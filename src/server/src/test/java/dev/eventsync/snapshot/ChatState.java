package dev.eventsync.snapshot;

import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Marker;
import dev.eventsync.proto.v1.MemberView;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.proto.v1.ProfileView;
import dev.eventsync.proto.v1.ReactionView;
import dev.eventsync.proto.v1.SnapshotItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One user's chat state folded from their feed, starting either from nothing (a full replay) or
 * from a Snapshot; {@link #comparable} is what guarantee 5 of API.md says both starts reach. One
 * fold for both, so a difference can only come from the server, not from two models.
 *
 * <p>The client's {@code LocalModel} folds the same events but lives in SQLite with the outbox and
 * has no snapshot start, so it cannot be the second half of this comparison.
 *
 * <p>What is compared, and what is left out because API.md lets a snapshot hold current facts the
 * feed never carried: the caller's own read and delivered markers exactly; of other members, who
 * has read each of the last N messages, and who has had each of the caller's own messages among
 * them delivered (another member's delivered marker reaches the caller only when it newly covers
 * one of the caller's messages, and markers set before the caller joined never reach them), both
 * counted only for members who received that message: a marker covers older messages by their
 * order, but a member's delivered marker reaches the authors of the messages sent since that
 * member joined only (Delivery), so ticks on a message sent before they joined are not in the feed.
 * Profiles are compared for every user with a name or picture: the scenarios keep every user in
 * a conversation with every other, so each profile change reaches each feed. A message the fold
 * does not hold (older than the snapshot's last N, or sent before the caller joined) counts as
 * older than every message it holds: the scenarios aim edits, deletes, reactions and markers at a
 * conversation's last 5 messages and ask for at least 5 per conversation, so that holds.
 */
final class ChatState {

    /** The comparable state: conversations by uuid, profiles by user, the users blocked. */
    record State(Map<String, Conversation> conversations, Map<String, Profile> profiles, Set<String> blocked) {

        /**
         * This state with the messages of former conversations that {@code replayed} shows deleted
         * shown deleted too. A delete made after the caller left never reaches their feed
         * (message_deleted goes to current members), yet it redacts the bodies a later replay
         * delivers: a device that held the message keeps it, however it started.
         */
        State withDeletesAfterLeaving(State replayed) {
            Map<String, Conversation> changed = new TreeMap<>(conversations);
            changed.replaceAll((uuid, c) -> {
                Conversation other = replayed.conversations().get(uuid);
                if (c.member() || other == null) {
                    return c;
                }
                Set<String> deleted = new HashSet<>();
                other.lastMessages().stream().filter(ShownMessage::deleted).forEach(m -> deleted.add(m.uuid()));
                List<ShownMessage> messages = c.lastMessages().stream()
                        .map(m -> deleted.contains(m.uuid()) && !m.deleted() ? m.erased() : m).toList();
                return new Conversation(c.name(), false, c.members(), c.admins(), c.settings(), c.unread(),
                        c.unreadMentions(), c.readMarker(), c.deliveredMarker(), messages);
            });
            return new State(changed, profiles, blocked);
        }
    }

    /** {@code settings} null, no members and unread 0 for a former conversation, as the snapshot lists it. */
    record Conversation(String name, boolean member, Set<String> members, Set<String> admins, Settings settings,
                        long unread, long unreadMentions, String readMarker, String deliveredMarker,
                        List<ShownMessage> lastMessages) {}

    record Settings(Instant mutedUntil, boolean archived, boolean pinned) {
        static final Settings DEFAULT = new Settings(null, false, false);
    }

    /** {@code reactions}: reaction → users; {@code readBy}, {@code deliveredTo}: other members (see the class comment). */
    record ShownMessage(String uuid, String author, Instant sentAt, String text, Instant editedAt, boolean deleted,
                        String replyTo, Set<String> mentions, Map<String, Set<String>> reactions, Set<String> readBy,
                        Set<String> deliveredTo) {

        ShownMessage erased() {
            return new ShownMessage(uuid, author, sentAt, "", null, true, "", Set.of(), Map.of(), readBy, deliveredTo);
        }
    }

    record Profile(String displayName, String picture) {}

    /** A message as the fold holds it; {@code reactions}: user → that user's set. */
    /** {@code receivers}: the members when it was sent; null for a snapshot's message (then their joined_at tells). */
    private record Held(String uuid, String author, Instant sentAt, String text, Instant editedAt, boolean deleted,
                        String replyTo, List<String> mentions, Map<String, List<String>> reactions, Set<String> receivers) {

        Held edited(String newText, List<String> newMentions, Instant at) {
            return new Held(uuid, author, sentAt, newText, at, false, replyTo, newMentions, reactions, receivers);
        }

        Held erased() {
            return new Held(uuid, author, sentAt, "", null, true, "", List.of(), Map.of(), receivers);
        }

        Held reacted(String user, List<String> set) {
            Map<String, List<String>> changed = new HashMap<>(reactions);
            if (set.isEmpty()) {
                changed.remove(user);
            } else {
                changed.put(user, List.copyOf(set));
            }
            return new Held(uuid, author, sentAt, text, editedAt, deleted, replyTo, mentions, changed, receivers);
        }
    }

    /** A conversation as the fold holds it; messages oldest first. */
    private static final class HeldConversation {
        String name = "";
        boolean member;
        final Set<String> members = new HashSet<>();
        final Set<String> admins = new HashSet<>();
        /** The members' joined_at as a snapshot lists them. */
        final Map<String, Instant> joinedAt = new HashMap<>();
        Settings settings = Settings.DEFAULT;
        final List<Held> messages = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, String> read = new HashMap<>();
        final Map<String, String> delivered = new HashMap<>();
        /** Unread messages older than the first held one (a snapshot's count beyond its last N; 0 in a replay). */
        long unreadBefore;
        long mentionsBefore;

        int indexOf(String message) {
            return message == null ? -1 : index.getOrDefault(message, -1);
        }

        void add(Held message) {
            index.put(message.uuid(), messages.size());
            messages.add(message);
        }

        void replace(String uuid, java.util.function.UnaryOperator<Held> change) {
            Integer at = index.get(uuid);
            if (at != null) {
                messages.set(at, change.apply(messages.get(at)));
            }
        }

        /** The marker after one naming {@code message}: markers only move forward. */
        String furthest(String current, String message) {
            return current == null || indexOf(message) > indexOf(current) ? message : current;
        }

        boolean received(Held message, String user) {
            if (message.receivers() != null) {
                return message.receivers().contains(user);
            }
            Instant joined = joinedAt.get(user);
            return joined != null && !joined.isAfter(message.sentAt());
        }

        String deliveredOf(String user) {
            String read = this.read.get(user);
            String delivered = this.delivered.get(user);
            return delivered == null || indexOf(read) > indexOf(delivered) ? read : delivered;
        }

        /** {unread, mentions} of {@code me} over the held messages after their read marker, plus those before. */
        long[] unread(String me) {
            int marker = indexOf(read.get(me));
            long[] counts = marker < 0 ? new long[] {unreadBefore, mentionsBefore} : new long[2];
            for (int i = marker + 1; i < messages.size(); i++) {
                Held m = messages.get(i);
                if (!m.deleted() && !m.author().equals(me)) {
                    counts[0]++;
                    if (m.mentions().contains(me)) {
                        counts[1]++;
                    }
                }
            }
            return counts;
        }
    }

    private final String me;
    private final Map<String, HeldConversation> conversations = new LinkedHashMap<>();
    private final Map<String, Profile> profiles = new HashMap<>();
    private final Set<String> blocked = new HashSet<>();
    private String cursor = "";

    private ChatState(String me) {
        this.me = me;
    }

    /** Before the first event of {@code me}'s feed: fold the whole feed onto it. */
    static ChatState empty(String me) {
        return new ChatState(me);
    }

    /** The state a snapshot describes; {@link #cursor()} is its end's cursor. */
    static ChatState fromSnapshot(String me, List<SnapshotItem> items) {
        ChatState state = new ChatState(me);
        for (SnapshotItem item : items) {
            if (item.hasProfile()) {
                ProfileView profile = item.getProfile();
                state.profiles.put(profile.getUserUuid(), new Profile(profile.getDisplayName(), profile.getPictureMediaUuid()));
            } else if (item.hasConversation()) {
                state.conversation(item.getConversation());
            } else if (item.hasEnd()) {
                state.cursor = item.getEnd().getCursor();
                state.blocked.addAll(item.getEnd().getBlockedUserUuidsList());
            }
        }
        return state;
    }

    private void conversation(ConversationView view) {
        HeldConversation c = new HeldConversation();
        conversations.put(view.getConversationUuid(), c);
        c.name = view.getName();
        c.member = view.getIsMember();
        for (MemberView member : view.getMembersList()) {
            c.members.add(member.getUserUuid());
            c.joinedAt.put(member.getUserUuid(), instant(member.getJoinedAt()));
            if (member.getAdmin()) {
                c.admins.add(member.getUserUuid());
            }
        }
        if (view.hasSettings()) {
            c.settings = settings(view.getSettings());
        }
        for (MessageView shown : view.getLastMessagesList()) {
            Map<String, List<String>> reactions = new HashMap<>();
            for (ReactionView reaction : shown.getReactionsList()) {
                reaction.getUserUuidsList().forEach(u -> reactions.computeIfAbsent(u, k -> new ArrayList<>()).add(reaction.getReaction()));
            }
            c.add(held(shown.getMessage(), reactions, null));
        }
        view.getReadMarkersList().forEach((Marker m) -> c.read.put(m.getUserUuid(), m.getMessageUuid()));
        view.getDeliveredMarkersList().forEach((Marker m) -> c.delivered.put(m.getUserUuid(), m.getMessageUuid()));
        long[] held = c.unread(me);
        c.unreadBefore = view.getUnreadCount() - held[0];
        c.mentionsBefore = view.getUnreadMentionCount() - held[1];
    }

    /** The newest stored event folded (a snapshot's cursor, then each event's uuid). */
    String cursor() {
        return cursor;
    }

    /** Folds the stored events of the feed, in feed order; transitory ones (empty uuid) are skipped. */
    ChatState applyAll(List<Event> events) {
        events.forEach(this::apply);
        return this;
    }

    void apply(Event event) {
        if (event.getUuid().isEmpty()) {
            return;
        }
        cursor = event.getUuid();
        switch (event.getContentCase()) {
            case CONVERSATION_CREATED -> {
                var created = event.getConversationCreated();
                HeldConversation c = conversations.computeIfAbsent(created.getConversationUuid(), k -> new HeldConversation());
                c.name = created.getName();
                c.member = true;
                c.members.addAll(created.getMemberUuidsList());
                c.admins.add(event.getAuthorUuid()); // the creator is the first admin
            }
            case CONVERSATION_NAME_CHANGED -> of(event.getConversationNameChanged().getConversationUuid()).name =
                    event.getConversationNameChanged().getNewName();
            case MEMBER_JOINED -> {
                var joined = event.getMemberJoined();
                HeldConversation c = conversations.computeIfAbsent(joined.getConversationUuid(), k -> new HeldConversation());
                if (joined.getUserUuid().equals(me)) {
                    c.member = true;
                    c.name = joined.getConversationName();
                }
                // Membership and admins right after the join: the event carries them whole.
                c.members.clear();
                c.members.addAll(joined.getMemberUuidsList());
                c.admins.clear();
                c.admins.addAll(joined.getAdminUuidsList());
            }
            case MEMBER_LEFT -> {
                var left = event.getMemberLeft();
                HeldConversation c = of(left.getConversationUuid());
                c.members.remove(left.getUserUuid());
                c.admins.remove(left.getUserUuid());
                if (!left.getPromotedAdminUuid().isEmpty()) {
                    c.admins.add(left.getPromotedAdminUuid());
                }
                if (left.getUserUuid().equals(me)) {
                    c.member = false;
                }
            }
            case MEMBER_ROLE_CHANGED -> {
                var role = event.getMemberRoleChanged();
                if (role.getAdmin()) {
                    of(role.getConversationUuid()).admins.add(role.getUserUuid());
                } else {
                    of(role.getConversationUuid()).admins.remove(role.getUserUuid());
                }
            }
            case NEW_MESSAGE -> {
                Message message = event.getNewMessage().getMessage();
                HeldConversation c = of(message.getConversationUuid());
                c.add(held(message, Map.of(), Set.copyOf(c.members)));
            }
            case MESSAGE_EDITED -> {
                var edit = event.getMessageEdited();
                of(edit.getConversationUuid()).replace(edit.getMessageUuid(), m -> m.deleted() ? m
                        : m.edited(edit.getText(), List.copyOf(edit.getMentionedUserUuidsList()), instant(edit.getEditedAt())));
            }
            case MESSAGE_DELETED -> of(event.getMessageDeleted().getConversationUuid())
                    .replace(event.getMessageDeleted().getMessageUuid(), Held::erased);
            case REACTIONS_CHANGED -> {
                var changed = event.getReactionsChanged();
                of(changed.getConversationUuid()).replace(changed.getMessageUuid(), m -> m.deleted() ? m
                        : m.reacted(changed.getUserUuid(), changed.getReactionsList()));
            }
            case READ_NEW_MESSAGE -> {
                var read = event.getReadNewMessage();
                HeldConversation c = of(read.getConversationUuid());
                c.read.put(read.getReaderUuid(), c.furthest(c.read.get(read.getReaderUuid()), read.getUuid()));
            }
            case MESSAGES_DELIVERED -> {
                var delivered = event.getMessagesDelivered();
                HeldConversation c = of(delivered.getConversationUuid());
                c.delivered.put(delivered.getUserUuid(),
                        c.furthest(c.delivered.get(delivered.getUserUuid()), delivered.getUpToMessageUuid()));
            }
            case CONVERSATION_SETTINGS_CHANGED -> of(event.getConversationSettingsChanged().getConversationUuid()).settings =
                    settings(event.getConversationSettingsChanged());
            case USER_BLOCKED -> {
                if (event.getUserBlocked().getBlocked()) {
                    blocked.add(event.getUserBlocked().getUserUuid());
                } else {
                    blocked.remove(event.getUserBlocked().getUserUuid());
                }
            }
            case DISPLAY_NAME_CHANGED -> {
                var changed = event.getDisplayNameChanged();
                profiles.put(changed.getUserUuid(), new Profile(changed.getDisplayName(), profile(changed.getUserUuid()).picture()));
            }
            case PROFILE_PICTURE_CHANGED -> {
                var changed = event.getProfilePictureChanged();
                // A png_image picture is kept as media named by the event's uuid (API.md v1.1).
                String picture = !changed.getMediaUuid().isEmpty() ? changed.getMediaUuid()
                        : changed.getPngImage().isEmpty() ? "" : event.getUuid();
                profiles.put(changed.getUserUuid(), new Profile(profile(changed.getUserUuid()).displayName(), picture));
            }
            default -> {
                // Nothing else is stored in a feed.
            }
        }
    }

    private HeldConversation of(String conversation) {
        HeldConversation c = conversations.get(conversation);
        if (c == null) {
            throw new AssertionError("an event of conversation " + conversation + " before the conversation itself");
        }
        return c;
    }

    private Profile profile(String user) {
        return profiles.getOrDefault(user, new Profile("", ""));
    }

    /** The state to compare, each conversation limited to its last {@code lastN} messages. */
    State comparable(int lastN) {
        Map<String, Conversation> shown = new TreeMap<>();
        conversations.forEach((uuid, c) -> shown.put(uuid, comparable(c, lastN)));
        Map<String, Profile> named = new TreeMap<>();
        profiles.forEach((user, p) -> {
            if (!p.displayName().isEmpty() || !p.picture().isEmpty()) {
                named.put(user, p);
            }
        });
        return new State(shown, named, new TreeSet<>(blocked));
    }

    private Conversation comparable(HeldConversation c, int lastN) {
        List<ShownMessage> last = new ArrayList<>();
        for (int i = Math.max(0, c.messages.size() - lastN); i < c.messages.size(); i++) {
            Held m = c.messages.get(i);
            Set<String> readBy = new TreeSet<>();
            Set<String> deliveredTo = new TreeSet<>();
            if (c.member) {
                for (String other : c.members) {
                    if (other.equals(me) || !c.received(m, other)) {
                        continue;
                    }
                    if (c.indexOf(c.read.get(other)) >= i) {
                        readBy.add(other);
                    }
                    if (m.author().equals(me) && c.indexOf(c.deliveredOf(other)) >= i) {
                        deliveredTo.add(other);
                    }
                }
            }
            Map<String, Set<String>> reactions = new TreeMap<>();
            m.reactions().forEach((user, set) -> set.forEach(r -> reactions.computeIfAbsent(r, k -> new TreeSet<>()).add(user)));
            last.add(new ShownMessage(m.uuid(), m.author(), m.sentAt(), m.text(), m.editedAt(), m.deleted(), m.replyTo(),
                    new TreeSet<>(m.mentions()), reactions, readBy, deliveredTo));
        }
        if (!c.member) {
            return new Conversation(c.name, false, Set.of(), Set.of(), null, 0, 0, null, null, last);
        }
        long[] unread = c.unread(me);
        return new Conversation(c.name, true, new TreeSet<>(c.members), new TreeSet<>(c.admins), c.settings,
                unread[0], unread[1], c.read.get(me), c.deliveredOf(me), last);
    }

    private static Held held(Message message, Map<String, List<String>> reactions, Set<String> receivers) {
        return new Held(message.getUuid(), message.getAuthorUuid(), instant(message.getSentAt()), message.getText(),
                message.hasEditedAt() ? instant(message.getEditedAt()) : null, message.getDeleted(),
                message.getReplyToMessageUuid(), List.copyOf(message.getMentionedUserUuidsList()), reactions, receivers);
    }

    private static Settings settings(ConversationSettingsChanged settings) {
        return new Settings(settings.hasMutedUntil() ? instant(settings.getMutedUntil()) : null, settings.getArchived(),
                settings.getPinned());
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
