package dev.eventsync.store;

import dev.eventsync.events.Command;
import dev.eventsync.events.Delivery;
import dev.eventsync.events.KnownEvent;
import dev.eventsync.events.MediaFacts;
import dev.eventsync.events.MessageFacts;
import dev.eventsync.events.State;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    final ConversationState conversations;
    final MessageState messages;
    final PreferenceState preferences;
    final MediaState media;
    final Set<UUID> authors = new HashSet<>();
    final Map<UUID, String> displayNames = new LinkedHashMap<>();
    /** The latest picture of each user who changed it: the event's uuid, or empty when removed. */
    final Map<UUID, Optional<UUID>> pictures = new LinkedHashMap<>();

    BatchState(Map<UUID, KnownEvent> knownEvents, ConversationState conversations, MessageState messages,
               PreferenceState preferences, MediaState media) {
        this.knownEvents = knownEvents;
        this.conversations = conversations;
        this.messages = messages;
        this.preferences = preferences;
        this.media = media;
    }

    @Override
    public KnownEvent storedEvent(UUID eventUuid) {
        return knownEvents.get(eventUuid);
    }

    @Override
    public boolean conversationExists(UUID conversation) {
        return conversations.exists(conversation);
    }

    @Override
    public String conversationName(UUID conversation) {
        return conversations.name(conversation);
    }

    @Override
    public Set<UUID> members(UUID conversation) {
        return conversations.members(conversation);
    }

    @Override
    public Set<UUID> admins(UUID conversation) {
        return conversations.admins(conversation);
    }

    @Override
    public List<UUID> membersByJoin(UUID conversation) {
        return conversations.membersByJoin(conversation);
    }

    @Override
    public MessageFacts message(UUID conversation, UUID message) {
        return messages.message(conversation, message);
    }

    @Override
    public boolean visible(UUID conversation, UUID message, UUID user) {
        return messages.visible(conversation, message, user);
    }

    @Override
    public long readSeq(UUID conversation, UUID user) {
        return messages.marker(conversation, user).readSeq();
    }

    @Override
    public long deliveredSeq(UUID conversation, UUID user) {
        MessageState.Marker marker = messages.marker(conversation, user);
        return Math.max(marker.readSeq(), marker.deliveredSeq());
    }

    @Override
    public long joinedSeq(UUID conversation, UUID user) {
        return conversations.member(conversation, user).joinedSeq();
    }

    @Override
    public Set<UUID> authorsBetween(UUID conversation, long after, long upTo) {
        return messages.authorsBetween(conversation, after, upTo);
    }

    @Override
    public MediaFacts completeMedia(UUID media) {
        return this.media.complete(media);
    }

    @Override
    public boolean blockedBetween(UUID one, UUID other) {
        return preferences.blockedBetween(one, other);
    }

    @Override
    public Set<UUID> contactsOf(UUID user) {
        return conversations.contactsOf(user);
    }

    /** Applies an accepted command, so the rest of the batch sees it. */
    void apply(UUID caller, Command command, Delivery.Stored stored, byte[] contentHash, Instant at) {
        knownEvents.put(stored.eventUuid(), new KnownEvent(stored.eventUuid(), caller, contentHash, at, stored.messageUuid(), false));
        authors.add(caller);
        if (command instanceof Command.CreateConversation c) {
            conversations.create(c.conversation(), c.name(), caller, stored.recipients(), at);
        } else if (command instanceof Command.RenameConversation c) {
            conversations.rename(c.conversation(), c.newName());
        } else if (command instanceof Command.AddMember c) {
            conversations.join(c.conversation(), c.user(), at, messages.lastSeq(c.conversation()));
        } else if (command instanceof Command.RemoveMember c) {
            String promoted = stored.delivered().getMemberLeft().getPromotedAdminUuid();
            conversations.leave(c.conversation(), c.user() == null ? caller : c.user(),
                    promoted.isEmpty() ? null : UUID.fromString(promoted), messages.lastSeq(c.conversation()));
        } else if (command instanceof Command.ChangeRole c) {
            conversations.setAdmin(c.conversation(), c.user(), c.admin());
        } else if (command instanceof Command.SendMessage c) {
            messages.send(c.conversation(), stored.messageUuid(),
                    new MessageState.NewMessage(caller, c.localUuid(), stored.eventUuid(), 0, stored.recipients(),
                            c.attachments().size()),
                    uuids(stored.delivered().getNewMessage().getMessage().getMentionedUserUuidsList()));
            c.attachments().forEach(a -> media.reference(a.media(), stored.eventUuid(), c.conversation(), stored.messageUuid()));
        } else if (command instanceof Command.EditMessage c) {
            messages.edit(c.conversation(), c.message(),
                    uuids(stored.delivered().getMessageEdited().getMentionedUserUuidsList()), at, stored.eventUuid());
        } else if (command instanceof Command.DeleteMessage c) {
            messages.delete(c.conversation(), c.message(), caller);
            media.forgetMessage(c.conversation(), c.message());
        } else if (command instanceof Command.ChangeReactions c) {
            messages.react(c.conversation(), c.message(), caller,
                    stored.delivered().getReactionsChanged().getReactionsList(), stored.eventUuid());
        } else if (command instanceof Command.ReadMessage c) {
            messages.read(c.conversation(), caller, c.message(), messages.message(c.conversation(), c.message()).seq());
        } else if (command instanceof Command.MarkDelivered c) {
            messages.delivered(c.conversation(), caller, c.message(), messages.message(c.conversation(), c.message()).seq());
        } else if (command instanceof Command.ChangeSettings c) {
            preferences.settings(c.conversation(), caller, new PreferenceState.Settings(c.mutedUntil(), c.archived(), c.pinned()));
        } else if (command instanceof Command.BlockUser c) {
            preferences.block(caller, c.user(), c.blocked());
        } else if (command instanceof Command.ChangeDisplayName c) {
            displayNames.put(caller, c.displayName());
        } else if (command instanceof Command.ChangeProfilePicture c) {
            if (c.media() != null) {
                pictures.put(caller, Optional.of(c.media()));
                media.reference(c.media(), stored.eventUuid(), null, null);
            } else {
                pictures.put(caller, c.png().length == 0 ? Optional.empty() : Optional.of(stored.eventUuid()));
            }
        }
    }

    private static List<UUID> uuids(List<String> texts) {
        return texts.stream().map(UUID::fromString).toList();
    }
}
