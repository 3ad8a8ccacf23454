package dev.eventsync.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The conversations and memberships of one batch: loaded under the conversations' row locks,
 * changed in memory by each accepted event, written back as differences by
 * {@link Conversations#write}.
 */
final class ConversationState {

    /** One membership: when the member joined (and the conversation's last seq then), and their role. */
    record Member(Instant joinedAt, long joinedSeq, boolean admin) {
        Member withAdmin(boolean admin) {
            return new Member(joinedAt, joinedSeq, admin);
        }
    }

    /** A membership that ended in this batch: the member saw the messages with from &lt; seq &lt;= to. */
    record EndedMembership(UUID conversation, UUID user, long fromSeq, long toSeq, String name) {}

    private static final Comparator<Map.Entry<UUID, Member>> BY_JOIN =
            Comparator.<Map.Entry<UUID, Member>, Instant>comparing(e -> e.getValue().joinedAt())
                    .thenComparing(e -> e.getKey().toString()); // uuid order as PostgreSQL's; UUID.compareTo is signed

    private final Map<UUID, String> names;
    private final Map<UUID, Map<UUID, Member>> initialMembers;
    private final Map<UUID, Map<UUID, Member>> members = new HashMap<>();

    final Set<UUID> createdConversations = new LinkedHashSet<>();
    final Set<UUID> renamedConversations = new HashSet<>();
    final Map<UUID, UUID> creators = new HashMap<>();
    final List<EndedMembership> ended = new ArrayList<>();

    ConversationState(Map<UUID, String> names, Map<UUID, Map<UUID, Member>> initialMembers) {
        this.names = names;
        this.initialMembers = initialMembers;
        initialMembers.forEach((conversation, map) -> members.put(conversation, new HashMap<>(map)));
    }

    boolean exists(UUID conversation) {
        return names.containsKey(conversation);
    }

    String name(UUID conversation) {
        return names.get(conversation);
    }

    Set<UUID> members(UUID conversation) {
        Map<UUID, Member> current = members.get(conversation);
        return current == null ? Set.of() : current.keySet();
    }

    Member member(UUID conversation, UUID user) {
        Map<UUID, Member> current = members.get(conversation);
        return current == null ? null : current.get(user);
    }

    Set<UUID> admins(UUID conversation) {
        Set<UUID> admins = new LinkedHashSet<>();
        members.getOrDefault(conversation, Map.of()).forEach((user, member) -> {
            if (member.admin()) {
                admins.add(user);
            }
        });
        return admins;
    }

    List<UUID> membersByJoin(UUID conversation) {
        List<Map.Entry<UUID, Member>> entries = new ArrayList<>(members.getOrDefault(conversation, Map.of()).entrySet());
        entries.sort(BY_JOIN);
        return entries.stream().map(Map.Entry::getKey).toList();
    }

    /** The user and every user sharing a loaded conversation with them (all of theirs are loaded for profile events). */
    Set<UUID> contactsOf(UUID user) {
        Set<UUID> contacts = new HashSet<>();
        contacts.add(user);
        for (Map<UUID, Member> map : members.values()) {
            if (map.containsKey(user)) {
                contacts.addAll(map.keySet());
            }
        }
        return contacts;
    }

    /** The creator is the first admin. */
    void create(UUID conversation, String name, UUID creator, Set<UUID> initial, Instant at) {
        names.put(conversation, name);
        Map<UUID, Member> map = new LinkedHashMap<>();
        for (UUID user : initial) {
            map.put(user, new Member(at, 0, user.equals(creator)));
        }
        members.put(conversation, map);
        createdConversations.add(conversation);
        creators.put(conversation, creator);
    }

    void rename(UUID conversation, String name) {
        names.put(conversation, name);
        renamedConversations.add(conversation);
    }

    void join(UUID conversation, UUID user, Instant at, long joinedSeq) {
        members.get(conversation).put(user, new Member(at, joinedSeq, false));
    }

    void leave(UUID conversation, UUID user, UUID promoted, long lastSeq) {
        Member member = members.get(conversation).remove(user);
        ended.add(new EndedMembership(conversation, user, member.joinedSeq(), lastSeq, names.get(conversation)));
        if (promoted != null) {
            setAdmin(conversation, promoted, true);
        }
    }

    void setAdmin(UUID conversation, UUID user, boolean admin) {
        Map<UUID, Member> map = members.get(conversation);
        map.put(user, map.get(user).withAdmin(admin));
    }

    Map<UUID, Map<UUID, Member>> initialMembers() {
        return initialMembers;
    }

    Map<UUID, Map<UUID, Member>> currentMembers() {
        return members;
    }
}
