package dev.eventsync.client;

import dev.eventsync.client.LocalModel.LocalMessage;
import java.util.List;

/**
 * A conversation's unread counts as API.md defines them: the messages of others, not deleted,
 * after the user's read marker; those mentioning the user counted apart too.
 */
record Unread(int messages, int mentions) {

    static final Unread NONE = new Unread(0, 0);

    /** {@code messages} in feed order; {@code readMarker} empty, or not among them: nothing read yet. */
    static Unread of(List<LocalMessage> messages, String readMarker, String me) {
        return of(messages, readMarker, me, NONE);
    }

    /**
     * As above, for a model that holds only the conversation's latest messages: when the read
     * marker is older than all of them, the {@code older} unread ones (as the server counted them)
     * are unread too; a marker among them means everything before it is read.
     */
    static Unread of(List<LocalMessage> messages, String readMarker, String me, Unread older) {
        int marker = Overlay.indexOf(messages, readMarker);
        int count = marker < 0 ? older.messages() : 0;
        int mentions = marker < 0 ? older.mentions() : 0;
        for (int i = marker + 1; i < messages.size(); i++) {
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

    /** What is left of {@code older} once {@code loaded} (all after the read marker) are counted by themselves. */
    Unread minus(Unread loaded) {
        return new Unread(Math.max(0, messages - loaded.messages), Math.max(0, mentions - loaded.mentions));
    }
}
