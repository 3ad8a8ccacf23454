package dev.eventsync.client;

import dev.eventsync.client.ConversationTable.Member;
import dev.eventsync.client.LocalModel.LocalMessage;
import dev.eventsync.client.LocalModel.Settings;
import dev.eventsync.client.PendingChanges.Change;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.MessageEdited;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Our pending changes laid over the server's state, in queue order, as the server will apply
 * them if it accepts them: each carries the whole new state of what it changes, so the latest
 * wins; a delete wins over everything, and nothing changes a deleted message. Pure: it reads
 * nothing and writes nothing.
 */
final class Overlay {

    private final List<Change> changes;
    private final String me;

    Overlay(List<Change> changes, String me) {
        this.changes = changes;
        this.me = me;
    }

    List<LocalMessage> messages(List<LocalMessage> confirmed) {
        List<LocalMessage> messages = new ArrayList<>(confirmed);
        for (Change change : changes) {
            Event event = change.event();
            switch (event.getContentCase()) {
                case MESSAGE_EDITED -> {
                    MessageEdited edit = event.getMessageEdited();
                    replace(messages, edit.getMessageUuid(),
                            m -> m.edited(edit.getText(), edit.getMentionedUserUuidsList(), change.queuedAt()));
                }
                case MESSAGE_DELETED -> replace(messages, event.getMessageDeleted().getMessageUuid(), LocalMessage::erased);
                case REACTIONS_CHANGED -> replace(messages, event.getReactionsChanged().getMessageUuid(),
                        m -> m.reacted(me, List.copyOf(new LinkedHashSet<>(event.getReactionsChanged().getReactionsList()))));
                default -> {
                    // not about a message's content
                }
            }
        }
        return messages;
    }

    private static void replace(List<LocalMessage> messages, String uuid, UnaryOperator<LocalMessage> change) {
        for (int i = 0; i < messages.size(); i++) {
            LocalMessage m = messages.get(i);
            if (m.uuid().equals(uuid) && !m.deleted()) {
                messages.set(i, change.apply(m));
            }
        }
    }

    /** The members and their roles; a removal or a role change shows at once. */
    List<Member> members(List<Member> confirmed) {
        List<Member> members = new ArrayList<>(confirmed);
        for (Change change : changes) {
            Event event = change.event();
            if (event.hasMemberLeft()) {
                String user = leaver(event.getMemberLeft());
                members.removeIf(m -> m.user().equals(user));
            } else if (event.hasMemberRoleChanged()) {
                MemberRoleChanged role = event.getMemberRoleChanged();
                members.replaceAll(m -> m.user().equals(role.getUserUuid()) ? new Member(m.user(), role.getAdmin()) : m);
            }
        }
        return members;
    }

    boolean joined(boolean confirmed) {
        return confirmed && changes.stream().noneMatch(c -> c.event().hasMemberLeft() && leaver(c.event().getMemberLeft()).equals(me));
    }

    private String leaver(MemberLeft left) {
        return left.getUserUuid().isEmpty() ? me : left.getUserUuid();
    }

    Settings settings(Settings confirmed) {
        Settings settings = confirmed;
        for (Change change : changes) {
            if (change.event().hasConversationSettingsChanged()) {
                ConversationSettingsChanged s = change.event().getConversationSettingsChanged();
                settings = new Settings(s.hasMutedUntil()
                        ? Instant.ofEpochMilli(MessageTable.millis(s.getMutedUntil())) : null, s.getArchived(), s.getPinned());
            }
        }
        return settings;
    }

    /** Our read marker: the furthest (in the list's feed order) of the confirmed one and our pending reads. */
    String readMarker(String confirmed, List<LocalMessage> messages) {
        String marker = confirmed;
        int furthest = indexOf(messages, confirmed);
        for (Change change : changes) {
            if (change.event().hasReadNewMessage()) {
                String read = change.event().getReadNewMessage().getUuid();
                int at = indexOf(messages, read);
                if (at > furthest) {
                    furthest = at;
                    marker = read;
                }
            }
        }
        return marker;
    }

    static int indexOf(List<LocalMessage> messages, String uuid) {
        for (int i = 0; i < messages.size(); i++) {
            if (!uuid.isEmpty() && messages.get(i).uuid().equals(uuid)) {
                return i;
            }
        }
        return -1;
    }

    Set<String> blocked(Set<String> confirmed) {
        Set<String> blocked = new LinkedHashSet<>(confirmed);
        for (Change change : changes) {
            if (change.event().hasUserBlocked()) {
                if (change.event().getUserBlocked().getBlocked()) {
                    blocked.add(change.event().getUserBlocked().getUserUuid());
                } else {
                    blocked.remove(change.event().getUserBlocked().getUserUuid());
                }
            }
        }
        return blocked;
    }
}
