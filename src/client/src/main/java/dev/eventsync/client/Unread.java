package dev.eventsync.client;

import dev.eventsync.client.LocalModel.LocalMessage;
import java.util.List;

/**
 * A conversation's unread counts as API.md defines them: the messages of others, not deleted,
 * after the user's read marker; those mentioning the user counted apart too.
 */
record Unread(int messages, int mentions) {

    /** {@code messages} in feed order; {@code readMarker} empty, or not among them: nothing read yet. */
    static Unread of(List<LocalMessage> messages, String readMarker, String me) {
        int count = 0;
        int mentions = 0;
        for (int i = Overlay.indexOf(messages, readMarker) + 1; i < messages.size(); i++) {
            LocalMessage m = messages.get(i);
            if (!m.uuid().isEmpty() && !m.deleted() && !m.authorUuid().equals(me)) {
                count++;
                if (m.mentions().contains(me)) {
                    mentions++;
                }
            }
        }
        return new Unread(count, mentions);
    }
}
