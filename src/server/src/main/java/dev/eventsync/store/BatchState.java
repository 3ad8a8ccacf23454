package dev.eventsync.store;

import dev.eventsync.events.Command;
import dev.eventsync.events.Delivery;
import dev.eventsync.events.KnownEvent;
import dev.eventsync.events.State;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The state one batch is decided against: rows loaded (and conversation rows locked) at the
 * start of the batch transaction, then changed in memory by each accepted event, so a later
 * event of the batch sees the earlier ones. At the end, the differences become the projection
 * writes. Not thread-safe: one writer owns it for one transaction.
 */
final class BatchState implements State {

    private final Map<UUID, KnownEvent> knownEvents;
    private final Map<UUID, String> names;
    private final Map<UUID, Set<UUID>> initialMembers;
    private final Map<UUID, Set<UUID>> members = new HashMap<>();
    private final Set<MessageKey> messages;

    final Set<UUID> createdConversations = new LinkedHashSet<>();
    final Set<UUID> renamedConversations = new HashSet<>();
    final Map<UUID, String> displayNames = new LinkedHashMap<>();
    final Map<MessageKey, NewMessageRow> newMessages = new LinkedHashMap<>();
    final Set<UUID> authors = new HashSet<>();
    final Map<UUID, UUID> creators = new HashMap<>();

    record MessageKey(UUID conversation, UUID message) {}

    record NewMessageRow(UUID author, UUID localUuid, UUID eventUuid) {}

    BatchState(Map<UUID, KnownEvent> knownEvents, Map<UUID, String> names, Map<UUID, Set<UUID>> initialMembers,
               Set<MessageKey> messages) {
        this.knownEvents = knownEvents;
        this.names = names;
        this.initialMembers = initialMembers;
        this.messages = messages;
        initialMembers.forEach((conversation, set) -> members.put(conversation, new HashSet<>(set)));
    }

    @Override
    public KnownEvent storedEvent(UUID eventUuid) {
        return knownEvents.get(eventUuid);
    }

    @Override
    public boolean conversationExists(UUID conversation) {
        return names.containsKey(conversation);
    }

    @Override
    public String conversationName(UUID conversation) {
        return names.get(conversation);
    }

    @Override
    public Set<UUID> members(UUID conversation) {
        Set<UUID> current = members.get(conversation);
        return current == null ? Set.of() : current;
    }

    @Override
    public boolean messageExists(UUID conversation, UUID message) {
        return messages.contains(new MessageKey(conversation, message));
    }

    @Override
    public Set<UUID> contactsOf(UUID user) {
        // Every conversation the user is in was loaded for this batch (see Batches.load).
        Set<UUID> contacts = new HashSet<>();
        contacts.add(user);
        for (Set<UUID> set : members.values()) {
            if (set.contains(user)) {
                contacts.addAll(set);
            }
        }
        return contacts;
    }

    /** Applies an accepted command, so the rest of the batch sees it. */
    void apply(UUID caller, Command command, Delivery.Stored stored, byte[] contentHash, Instant at) {
        knownEvents.put(stored.eventUuid(), new KnownEvent(stored.eventUuid(), caller, contentHash, at, stored.messageUuid()));
        authors.add(caller);
        if (command instanceof Command.CreateConversation c) {
            names.put(c.conversation(), c.name());
            members.put(c.conversation(), new HashSet<>(stored.recipients()));
            createdConversations.add(c.conversation());
            creators.put(c.conversation(), caller);
        } else if (command instanceof Command.RenameConversation c) {
            names.put(c.conversation(), c.newName());
            renamedConversations.add(c.conversation());
        } else if (command instanceof Command.AddMember c) {
            members.get(c.conversation()).add(c.user());
        } else if (command instanceof Command.RemoveMember c) {
            members.get(c.conversation()).remove(c.user() == null ? caller : c.user());
        } else if (command instanceof Command.SendMessage c) {
            MessageKey key = new MessageKey(c.conversation(), stored.messageUuid());
            messages.add(key);
            newMessages.put(key, new NewMessageRow(caller, c.localUuid(), stored.eventUuid()));
        } else if (command instanceof Command.ChangeDisplayName c) {
            displayNames.put(caller, c.displayName());
        }
    }

    /** Conversations whose membership may have changed, with their members before and after. */
    Map<UUID, Set<UUID>> initialMembers() {
        return initialMembers;
    }

    Map<UUID, Set<UUID>> currentMembers() {
        return members;
    }
}
