package dev.eventsync.history;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessageView;
import dev.eventsync.proto.v1.ReactionView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A message as one user's feed shows it (API.md v1.1), built from stored bodies: its
 * {@code new_message}, the latest of its edits that user saw, and the reaction sets. A deleted
 * message is its tombstone, without edits or reactions. Plain Java: no database.
 */
public final class MessageViews {

    private MessageViews() {}

    /**
     * @param newMessage the stored new_message event (redacted when deleted)
     * @param latestEdit the latest message_edited event the user saw, or null
     * @param reactions  each user's reaction set, users in any order
     */
    public static MessageView view(Event newMessage, Event latestEdit, Map<UUID, List<String>> reactions) {
        Message.Builder message = newMessage.getNewMessage().getMessage().toBuilder();
        MessageView.Builder view = MessageView.newBuilder()
                .setLocalUuid(newMessage.getNewMessage().getLocalUuid())
                .setEventUuid(newMessage.getUuid());
        if (message.getDeleted()) {
            return view.setMessage(message).build();
        }
        if (latestEdit != null) {
            var edit = latestEdit.getMessageEdited();
            message.setText(edit.getText()).clearMentionedUserUuids().addAllMentionedUserUuids(edit.getMentionedUserUuidsList())
                    .setEditedAt(edit.getEditedAt());
        }
        return view.setMessage(message).addAllReactions(reactionViews(reactions)).build();
    }

    /** Reactions grouped by reaction, in the order first seen over the users taken by uuid; each user once. */
    static List<ReactionView> reactionViews(Map<UUID, List<String>> byUser) {
        Map<String, ReactionView.Builder> byReaction = new LinkedHashMap<>();
        new TreeMap<>(byUser).forEach((user, set) -> {
            for (String reaction : set) {
                byReaction.computeIfAbsent(reaction, r -> ReactionView.newBuilder().setReaction(r))
                        .addUserUuids(user.toString());
            }
        });
        return byReaction.values().stream().map(ReactionView.Builder::build).toList();
    }
}
