package dev.eventsync.store;

import dev.eventsync.events.MediaFacts;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The media one batch refers to: the complete uploads its attachments and pictures name (their
 * rows share-locked until commit, so nothing erases them meanwhile), the references its events
 * add and the messages whose references a delete removes; written by {@link MediaRefs#write}.
 */
final class MediaState {

    /** One referencing event; {@code conversation} and {@code message} are null for a profile picture. */
    record Ref(UUID media, UUID eventUuid, UUID conversation, UUID message) {}

    private final Map<UUID, MediaFacts> complete;
    final List<Ref> added = new ArrayList<>();
    final Set<MessageState.MessageKey> deletedMessages = new LinkedHashSet<>();

    MediaState(Map<UUID, MediaFacts> complete) {
        this.complete = complete;
    }

    MediaFacts complete(UUID media) {
        return complete.get(media);
    }

    void reference(UUID media, UUID eventUuid, UUID conversation, UUID message) {
        added.add(new Ref(media, eventUuid, conversation, message));
    }

    /** A deleted message no longer references its media (written after the batch's new references). */
    void forgetMessage(UUID conversation, UUID message) {
        deletedMessages.add(new MessageState.MessageKey(conversation, message));
    }
}
