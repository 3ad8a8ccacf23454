package dev.eventsync.store;

import dev.eventsync.events.MessageFacts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The messages, markers and reactions one batch reads and changes: the referenced messages
 * (with their visibility to the users referring to them), the conversations' last seqs, the
 * callers' markers; then the batch's new messages, edits, deletes, reaction sets and marker
 * moves, written back by {@link Messages#write}. Rows are read after the conversations are
 * locked, and every writer of a conversation holds its lock, so they stay current to commit.
 */
final class MessageState {

    record MessageKey(UUID conversation, UUID message) {}

    record ReactionKey(UUID conversation, UUID message, UUID user) {}

    /** A stored message as loaded. */
    record Row(UUID author, long seq, boolean deleted, int attachments, UUID eventUuid) {}

    /** A message sent in this batch; {@code recipients} are the feeds it reaches. */
    record NewMessage(UUID author, UUID localUuid, UUID eventUuid, long seq, Set<UUID> recipients, int attachments) {}

    record Marker(long readSeq, UUID readMessage, long deliveredSeq, UUID deliveredMessage) {
        static final Marker NONE = new Marker(0, null, 0, null);
    }

    record Edit(Instant at, UUID eventUuid) {}

    record MessageEvent(MessageKey message, UUID eventUuid) {}

    /** The authors of a stored range of a conversation's messages, asked only when a delivered marker needs them. */
    interface AuthorLookup {
        Set<UUID> authorsBetween(UUID conversation, long after, long upTo);
    }

    private final Map<MessageKey, Row> rows;
    private final Set<Needs.MessageRef> visible;
    private final Map<UUID, Long> storedLastSeqs;
    private final Map<UUID, Long> lastSeqs;
    private final Map<Needs.MemberKey, Marker> markers;
    private final Map<MessageKey, List<UUID>> storedMessageEvents;
    private final AuthorLookup lookup;

    final Map<MessageKey, NewMessage> newMessages = new LinkedHashMap<>();
    /** Current mentions of the messages this batch sent or edited. */
    final Map<MessageKey, List<UUID>> mentions = new HashMap<>();
    final Map<MessageKey, Edit> edits = new LinkedHashMap<>();
    final Map<MessageKey, UUID> deletions = new LinkedHashMap<>();
    /** The new reaction sets; an empty list removes the user's reactions. */
    final Map<ReactionKey, List<String>> reactions = new LinkedHashMap<>();
    final List<MessageEvent> messageEvents = new ArrayList<>();
    final Set<Needs.MemberKey> movedMarkers = new LinkedHashSet<>();
    /** Events whose bodies a delete redacts: stored ones and ones of this batch. */
    final Set<UUID> erasedEvents = new LinkedHashSet<>();

    MessageState(Map<MessageKey, Row> rows, Set<Needs.MessageRef> visible, Map<UUID, Long> lastSeqs,
                 Map<Needs.MemberKey, Marker> markers, Map<MessageKey, List<UUID>> storedMessageEvents, AuthorLookup lookup) {
        this.rows = rows;
        this.visible = visible;
        this.storedLastSeqs = Map.copyOf(lastSeqs);
        this.lastSeqs = new HashMap<>(lastSeqs);
        this.markers = markers;
        this.storedMessageEvents = storedMessageEvents;
        this.lookup = lookup;
    }

    MessageFacts message(UUID conversation, UUID message) {
        MessageKey key = new MessageKey(conversation, message);
        NewMessage sent = newMessages.get(key);
        if (sent != null) {
            return new MessageFacts(sent.author(), sent.seq(), deletions.containsKey(key), sent.attachments());
        }
        Row row = rows.get(key);
        return row == null ? null
                : new MessageFacts(row.author(), row.seq(), row.deleted() || deletions.containsKey(key), row.attachments());
    }

    boolean visible(UUID conversation, UUID message, UUID user) {
        NewMessage sent = newMessages.get(new MessageKey(conversation, message));
        return sent != null ? sent.recipients().contains(user)
                : visible.contains(new Needs.MessageRef(conversation, message, user));
    }

    long lastSeq(UUID conversation) {
        return lastSeqs.getOrDefault(conversation, 0L);
    }

    Marker marker(UUID conversation, UUID user) {
        return markers.getOrDefault(new Needs.MemberKey(conversation, user), Marker.NONE);
    }

    Set<UUID> authorsBetween(UUID conversation, long after, long upTo) {
        Set<UUID> authors = new HashSet<>();
        long stored = storedLastSeqs.getOrDefault(conversation, Long.MAX_VALUE); // not loaded: nothing sent here in this batch
        if (after < stored) {
            authors.addAll(lookup.authorsBetween(conversation, after, Math.min(upTo, stored)));
        }
        newMessages.forEach((key, sent) -> {
            if (key.conversation().equals(conversation) && sent.seq() > after && sent.seq() <= upTo) {
                authors.add(sent.author());
            }
        });
        return authors;
    }

    /** Sends a message: it takes the conversation's next seq. */
    void send(UUID conversation, UUID message, NewMessage partial, List<UUID> mentioned) {
        long seq = lastSeq(conversation) + 1;
        lastSeqs.put(conversation, seq);
        MessageKey key = new MessageKey(conversation, message);
        newMessages.put(key, new NewMessage(partial.author(), partial.localUuid(), partial.eventUuid(), seq, partial.recipients(),
                partial.attachments()));
        mentions.put(key, mentioned);
    }

    void edit(UUID conversation, UUID message, List<UUID> mentioned, Instant at, UUID eventUuid) {
        MessageKey key = new MessageKey(conversation, message);
        mentions.put(key, mentioned);
        edits.put(key, new Edit(at, eventUuid));
        messageEvents.add(new MessageEvent(key, eventUuid));
    }

    void react(UUID conversation, UUID message, UUID user, List<String> set, UUID eventUuid) {
        MessageKey key = new MessageKey(conversation, message);
        reactions.put(new ReactionKey(conversation, message, user), set);
        messageEvents.add(new MessageEvent(key, eventUuid));
    }

    /** Deletes a message: every event carrying its content is to be redacted, its reactions and mentions go. */
    void delete(UUID conversation, UUID message, UUID deletedBy) {
        MessageKey key = new MessageKey(conversation, message);
        deletions.put(key, deletedBy);
        NewMessage sent = newMessages.get(key);
        erasedEvents.add(sent != null ? sent.eventUuid() : rows.get(key).eventUuid());
        erasedEvents.addAll(storedMessageEvents.getOrDefault(key, List.of()));
        for (MessageEvent event : messageEvents) {
            if (event.message().equals(key)) {
                erasedEvents.add(event.eventUuid());
            }
        }
        reactions.keySet().removeIf(k -> k.conversation().equals(conversation) && k.message().equals(message));
        mentions.put(key, List.of());
    }

    void read(UUID conversation, UUID user, UUID message, long seq) {
        Marker now = marker(conversation, user);
        if (seq > now.readSeq()) {
            move(conversation, user, new Marker(seq, message, now.deliveredSeq(), now.deliveredMessage()));
        }
    }

    void delivered(UUID conversation, UUID user, UUID message, long seq) {
        Marker now = marker(conversation, user);
        if (seq > now.deliveredSeq()) {
            move(conversation, user, new Marker(now.readSeq(), now.readMessage(), seq, message));
        }
    }

    private void move(UUID conversation, UUID user, Marker marker) {
        Needs.MemberKey key = new Needs.MemberKey(conversation, user);
        markers.put(key, marker);
        movedMarkers.add(key);
    }

    Map<Needs.MemberKey, Marker> markers() {
        return markers;
    }
}
