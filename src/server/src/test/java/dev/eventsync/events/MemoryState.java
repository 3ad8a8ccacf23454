package dev.eventsync.events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the store would load, kept in memory for the rule tests: stored events, conversations
 * with names, members (in join order) and admins, messages with their author, seq, deletion and
 * the users who can see them, markers and blocks. Tests change it in place.
 */
final class MemoryState implements State {

    private final Map<UUID, KnownEvent> events = new HashMap<>();
    private final Map<UUID, String> names = new HashMap<>();
    private final Map<UUID, Set<UUID>> members = new HashMap<>();
    private final Map<UUID, Set<UUID>> admins = new HashMap<>();
    private final Map<UUID, Map<UUID, Long>> joinedSeqs = new HashMap<>();
    private final Map<UUID, Map<UUID, Stored>> messages = new HashMap<>();
    private final Map<List<UUID>, long[]> markers = new HashMap<>();
    private final Set<List<UUID>> blocks = new HashSet<>();

    private final Map<UUID, MediaFacts> media = new HashMap<>();

    private record Stored(MessageFacts facts, Set<UUID> visibleTo) {}

    /** A complete upload of {@code owner}. */
    void upload(UUID mediaUuid, UUID owner, String contentType, long sizeBytes, com.google.protobuf.ByteString sha256) {
        media.put(mediaUuid, new MediaFacts(owner, contentType, sizeBytes, sha256));
    }

    @Override
    public MediaFacts completeMedia(UUID mediaUuid) {
        return media.get(mediaUuid);
    }

    void store(KnownEvent event) {
        events.put(event.eventUuid(), event);
    }

    /** A conversation whose first member is its admin. */
    void conversation(UUID conversation, String name, UUID... memberUuids) {
        names.put(conversation, name);
        members.put(conversation, new LinkedHashSet<>(Arrays.asList(memberUuids)));
        admins.put(conversation, new LinkedHashSet<>(memberUuids.length > 0 ? List.of(memberUuids[0]) : List.of()));
    }

    /** A message by {@code author}, seen by the current members; returns its seq. */
    long message(UUID conversation, UUID message, UUID author) {
        Map<UUID, Stored> ofConversation = messages.computeIfAbsent(conversation, c -> new LinkedHashMap<>());
        long seq = ofConversation.size() + 1;
        ofConversation.put(message, new Stored(new MessageFacts(author, seq, false, 0), new HashSet<>(members(conversation))));
        return seq;
    }

    void delete(UUID conversation, UUID message) {
        Stored stored = messages.get(conversation).get(message);
        MessageFacts f = stored.facts();
        messages.get(conversation).put(message, new Stored(new MessageFacts(f.author(), f.seq(), true, f.attachments()),
                stored.visibleTo()));
    }

    void withAttachments(UUID conversation, UUID message, int count) {
        Stored stored = messages.get(conversation).get(message);
        MessageFacts f = stored.facts();
        messages.get(conversation).put(message, new Stored(new MessageFacts(f.author(), f.seq(), f.deleted(), count),
                stored.visibleTo()));
    }

    void join(UUID conversation, UUID user) {
        members(conversation).add(user);
        joinedSeqs.computeIfAbsent(conversation, c -> new HashMap<>())
                .put(user, (long) messages.getOrDefault(conversation, Map.of()).size());
    }

    void block(UUID user, UUID blocked) {
        blocks.add(List.of(user, blocked));
    }

    void marker(UUID conversation, UUID user, long readSeq, long deliveredSeq) {
        markers.put(List.of(conversation, user), new long[] {readSeq, deliveredSeq});
    }

    @Override
    public KnownEvent storedEvent(UUID eventUuid) {
        return events.get(eventUuid);
    }

    @Override
    public boolean conversationExists(UUID conversation) {
        return names.containsKey(conversation);
    }

    @Override
    public String conversationName(UUID conversation) {
        return names.get(conversation);
    }

    /** The live member set (tests change it in place); an empty set for an unknown conversation. */
    @Override
    public Set<UUID> members(UUID conversation) {
        return members.computeIfAbsent(conversation, c -> new LinkedHashSet<>());
    }

    /** The live admin set (tests change it in place). */
    @Override
    public Set<UUID> admins(UUID conversation) {
        return admins.computeIfAbsent(conversation, c -> new LinkedHashSet<>());
    }

    @Override
    public List<UUID> membersByJoin(UUID conversation) {
        return new ArrayList<>(members(conversation));
    }

    @Override
    public MessageFacts message(UUID conversation, UUID message) {
        Stored stored = messages.getOrDefault(conversation, Map.of()).get(message);
        return stored == null ? null : stored.facts();
    }

    @Override
    public boolean visible(UUID conversation, UUID message, UUID user) {
        Stored stored = messages.getOrDefault(conversation, Map.of()).get(message);
        return stored != null && stored.visibleTo().contains(user);
    }

    @Override
    public long readSeq(UUID conversation, UUID user) {
        return markers.getOrDefault(List.of(conversation, user), new long[2])[0];
    }

    @Override
    public long deliveredSeq(UUID conversation, UUID user) {
        long[] marker = markers.getOrDefault(List.of(conversation, user), new long[2]);
        return Math.max(marker[0], marker[1]);
    }

    @Override
    public long joinedSeq(UUID conversation, UUID user) {
        return joinedSeqs.getOrDefault(conversation, Map.of()).getOrDefault(user, 0L);
    }

    @Override
    public Set<UUID> authorsBetween(UUID conversation, long after, long upTo) {
        Set<UUID> authors = new HashSet<>();
        messages.getOrDefault(conversation, Map.of()).values().forEach(stored -> {
            if (stored.facts().seq() > after && stored.facts().seq() <= upTo) {
                authors.add(stored.facts().author());
            }
        });
        return authors;
    }

    @Override
    public boolean blockedBetween(UUID one, UUID other) {
        return blocks.contains(List.of(one, other)) || blocks.contains(List.of(other, one));
    }

    @Override
    public Set<UUID> contactsOf(UUID user) {
        Set<UUID> contacts = new HashSet<>();
        contacts.add(user);
        members.values().stream().filter(m -> m.contains(user)).forEach(contacts::addAll);
        return contacts;
    }
}
