package dev.eventsync.client.cli;

import dev.eventsync.client.LocalModel;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.ReactionsChanged;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How the terminal chat names things: people ("me", a display name or a uuid prefix),
 * conversations, messages, and the events the server confirmed or refused. Reads the local model
 * only, so it works offline.
 */
final class ChatLines {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final int FIRST_WORDS = 6;
    private static final int FIRST_CHARACTERS = 40;
    /** Where a message's short id goes while it is pending: it has none until the server stores it. */
    private static final String NO_ID = "--------";
    static final String DELETED = "(message deleted)";

    private final LocalModel model;

    ChatLines(LocalModel model) {
        this.model = model;
    }

    String person(String user) {
        if (user.equals(model.me())) {
            return "me";
        }
        String name = model.displayName(user);
        return name != null ? name : prefix(user);
    }

    /** The conversation's name as this device knows it, else its uuid prefix. */
    String conversationName(String uuid) {
        LocalModel.Conversation c = model.conversation(uuid);
        return c != null ? c.name() : prefix(uuid);
    }

    /**
     * One line of {@code list}: a conversation left is only "left", its members no longer ours to
     * count; else the unread counts and this user's settings that are on.
     */
    String listLine(LocalModel.Conversation c) {
        List<String> state = new ArrayList<>();
        if (!c.joined()) {
            state.add("left");
        } else {
            state.add(c.members().size() + " members" + (c.confirmed() ? "" : ", pending"));
            if (c.unreadCount() > 0) {
                state.add(c.unreadCount() + " unread");
            }
            if (c.unreadMentionCount() > 0) {
                state.add(c.unreadMentionCount() + " mentioning me");
            }
            if (c.settings().pinned()) {
                state.add("pinned");
            }
            if (c.settings().mutedAt(Instant.now())) {
                state.add("muted");
            }
            if (c.settings().archived()) {
                state.add("archived");
            }
        }
        return c.uuid() + "  " + c.name() + "  (" + String.join(", ", state) + ")";
    }

    /** The order of {@code list}: pinned first, archived last, by name within each (as the model gives them). */
    static List<LocalModel.Conversation> listOrder(List<LocalModel.Conversation> conversations) {
        return conversations.stream().sorted(Comparator.comparingInt(ChatLines::listRank)).toList();
    }

    private static int listRank(LocalModel.Conversation c) {
        return c.settings().pinned() ? 0 : c.settings().archived() ? 2 : 1;
    }

    /** A candidate of an ambiguous conversation argument: uuid prefix, name, members. */
    String candidate(LocalModel.Conversation c) {
        return prefix(c.uuid()) + "  " + c.name() + "  (" + members(c, false) + ")";
    }

    /** A candidate of an ambiguous message argument: uuid prefix, author, first words. */
    String candidate(LocalModel.LocalMessage m) {
        return prefix(m.uuid()) + "  " + person(m.authorUuid()) + ": " + (m.deleted() ? DELETED : firstWords(m.text()));
    }

    /** The conversation and its members, admins and the users I blocked marked. */
    String header(LocalModel.Conversation c) {
        return "# " + c.name() + "  (" + members(c, true) + ")";
    }

    /** The members, me first; with {@code roles}, "[admin]" and "[blocked]" after whom they apply to. */
    private String members(LocalModel.Conversation c, boolean roles) {
        Set<String> blocked = roles ? model.blocked() : Set.of();
        Function<String, String> shown = m -> person(m) + (roles && c.admins().contains(m) ? " [admin]" : "")
                + (blocked.contains(m) ? " [blocked]" : "");
        List<String> others = c.members().stream().filter(m -> !m.equals(model.me())).map(shown).toList();
        return String.join(", ", c.members().contains(model.me())
                ? Stream.concat(Stream.of(shown.apply(model.me())), others.stream()).toList() : others);
    }

    /**
     * The lines of {@code read} and {@code watch} for a conversation's messages, in order: each
     * reply quotes a message of the same list, so they are shown together.
     */
    List<String> messages(List<LocalModel.LocalMessage> messages) {
        Map<String, LocalModel.LocalMessage> byUuid = new HashMap<>();
        messages.stream().filter(m -> !m.uuid().isEmpty()).forEach(m -> byUuid.put(m.uuid(), m));
        Set<String> blocked = model.blocked();
        return messages.stream().map(m -> message(m, byUuid, blocked)).toList();
    }

    /**
     * A message: its short id (what {@code edit}, {@code reply}… take), time, author, then a
     * tombstone or the reply quote, text, edit mark, mentions and reactions; only my own
     * messages carry a receipt mark.
     */
    private String message(LocalModel.LocalMessage m, Map<String, LocalModel.LocalMessage> byUuid, Set<String> blocked) {
        String line = (m.uuid().isEmpty() ? NO_ID : prefix(m.uuid())) + " " + time(m.sentAt()) + " " + person(m.authorUuid()) + ": ";
        if (m.deleted()) {
            return line + DELETED;
        }
        if (blocked.contains(m.authorUuid())) {
            // API.md: a blocked user's messages still arrive; the app hides them.
            return line + "(hidden: from a user you blocked)";
        }
        line += quote(m.replyToUuid(), byUuid) + m.text() + (m.editedAt() != null ? " (edited)" : "")
                + m.attachments().stream().map(a -> " " + MediaCommands.attachment(a.fileName(), a.contentType(),
                        a.sizeBytes(), a.mediaUuid())).collect(Collectors.joining())
                + m.mentions().stream().map(u -> " @" + person(u)).collect(Collectors.joining()) + reactions(m);
        if (!m.authorUuid().equals(model.me())) {
            return line;
        }
        String state = switch (m.state()) {
            case PENDING -> "…";
            case SENT -> m.delivered() ? "✓✓" : "✓";
            case READ -> "✓✓ read";
            case FAILED -> "✗ " + m.failure();
        };
        return line + "  " + state;
    }

    /** What a reply starts with: the replied-to message's author and first line, or why it cannot be shown. */
    private String quote(String replyTo, Map<String, LocalModel.LocalMessage> byUuid) {
        if (replyTo.isEmpty()) {
            return "";
        }
        LocalModel.LocalMessage quoted = byUuid.get(replyTo);
        if (quoted == null) {
            return "(re an older message) ";
        }
        if (quoted.deleted()) {
            return "(re a deleted message) ";
        }
        String firstLine = quoted.text().lines().findFirst().orElse("");
        String shown = firstLine.length() > FIRST_CHARACTERS ? firstLine.substring(0, FIRST_CHARACTERS) + "…"
                : firstLine.length() < quoted.text().strip().length() ? firstLine + "…" : firstLine;
        return "(re " + person(quoted.authorUuid()) + ": \"" + shown + "\") ";
    }

    /** Each reaction with how many members gave it, the most given first: {@code  👍 2 ❤ 1}. */
    private static String reactions(LocalModel.LocalMessage m) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        m.reactions().values().forEach(set -> set.forEach(r -> counts.merge(r, 1, Integer::sum)));
        if (counts.isEmpty()) {
            return "";
        }
        return "  " + counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(" "));
    }

    /** Someone's message as the feed delivers it (watch). */
    String message(Message m) {
        Instant sentAt = Instant.ofEpochSecond(m.getSentAt().getSeconds(), m.getSentAt().getNanos());
        return time(sentAt) + " " + person(m.getAuthorUuid()) + ": " + m.getText() + m.getAttachmentsList().stream()
                .map(a -> " " + MediaCommands.attachment(a.getFileName(), a.getContentType(), a.getSizeBytes(), a.getMediaUuid()))
                .collect(Collectors.joining());
    }

    /**
     * What a queued event is, in the user's words: {@code message "Noon? Shall we…" in Lunch},
     * {@code new conversation Lunch}. A ✓ or a rejection line names it so.
     */
    String describe(Event event) {
        switch (event.getContentCase()) {
            case SENDING_NEW_MESSAGE: {
                Message m = event.getSendingNewMessage().getMessage();
                String files = m.getAttachmentsCount() == 0 ? "" : " with " + m.getAttachmentsCount() + " file(s)";
                return "message \"" + firstWords(m.getText()) + "\"" + files + " in " + conversationName(m.getConversationUuid());
            }
            case CONVERSATION_CREATED:
                return "new conversation " + event.getConversationCreated().getName();
            case MEMBER_JOINED:
                return "new member " + person(event.getMemberJoined().getUserUuid()) + " in "
                        + conversationName(event.getMemberJoined().getConversationUuid());
            case MEMBER_LEFT:
                String leaving = event.getMemberLeft().getUserUuid();
                return (leaving.isEmpty() ? "me" : person(leaving)) + " leaving "
                        + conversationName(event.getMemberLeft().getConversationUuid());
            case CONVERSATION_NAME_CHANGED:
                return "new name " + event.getConversationNameChanged().getNewName() + " for "
                        + conversationName(event.getConversationNameChanged().getConversationUuid());
            case READ_NEW_MESSAGE:
                return "read receipt in " + conversationName(event.getReadNewMessage().getConversationUuid());
            case DISPLAY_NAME_CHANGED:
                return "display name " + event.getDisplayNameChanged().getDisplayName();
            case MESSAGE_EDITED:
                return "edit of message " + prefix(event.getMessageEdited().getMessageUuid()) + " in "
                        + conversationName(event.getMessageEdited().getConversationUuid());
            case MESSAGE_DELETED:
                return "delete of message " + prefix(event.getMessageDeleted().getMessageUuid()) + " in "
                        + conversationName(event.getMessageDeleted().getConversationUuid());
            case REACTIONS_CHANGED: {
                ReactionsChanged r = event.getReactionsChanged();
                return (r.getReactionsCount() == 0 ? "no reactions" : "reactions " + String.join(" ", r.getReactionsList()))
                        + " on message " + prefix(r.getMessageUuid()) + " in " + conversationName(r.getConversationUuid());
            }
            case MESSAGES_DELIVERED:
                return "delivery receipt in " + conversationName(event.getMessagesDelivered().getConversationUuid());
            case CONVERSATION_SETTINGS_CHANGED: {
                ConversationSettingsChanged settings = event.getConversationSettingsChanged();
                List<String> on = new ArrayList<>();
                if (settings.hasMutedUntil()) {
                    on.add("muted");
                }
                if (settings.getArchived()) {
                    on.add("archived");
                }
                if (settings.getPinned()) {
                    on.add("pinned");
                }
                return "settings of " + conversationName(settings.getConversationUuid()) + " ("
                        + (on.isEmpty() ? "none" : String.join(", ", on)) + ")";
            }
            case USER_BLOCKED:
                return (event.getUserBlocked().getBlocked() ? "block of " : "unblock of ") + person(event.getUserBlocked().getUserUuid());
            case MEMBER_ROLE_CHANGED: {
                MemberRoleChanged role = event.getMemberRoleChanged();
                return person(role.getUserUuid()) + (role.getAdmin() ? " admin" : " no longer admin") + " in "
                        + conversationName(role.getConversationUuid());
            }
            default:
                return event.getContentCase().name().toLowerCase().replace('_', ' ');
        }
    }

    static String firstWords(String text) {
        List<String> words = List.of(text.strip().split("\\s+"));
        String first = String.join(" ", words.subList(0, Math.min(words.size(), FIRST_WORDS)));
        if (first.length() > FIRST_CHARACTERS) {
            first = first.substring(0, FIRST_CHARACTERS);
        }
        return first.length() < text.strip().length() ? first + "…" : first;
    }

    static String prefix(String uuid) {
        return uuid.length() > 8 ? uuid.substring(0, 8) : uuid;
    }

    private static String time(Instant at) {
        return at == null ? "  --:--    " : TIME.format(at);
    }
}
