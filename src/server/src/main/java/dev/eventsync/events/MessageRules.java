package dev.eventsync.events;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * The rules of events aimed at messages: send (replies, mentions, attachments), edit, delete,
 * reactions and the read and delivered markers. For an event aimed at a message the order is:
 * member of the conversation; the message visible to the caller (UNKNOWN_MESSAGE); allowed on
 * that message (FORBIDDEN, checked only once it is visible, so nobody learns who wrote a message
 * they cannot see); not deleted (MESSAGE_DELETED); then the content.
 */
final class MessageRules {

    /** Fixed by API.md v1.1. */
    static final int MAX_REACTIONS = 20;
    static final int MAX_REACTION_CODE_POINTS = 16;
    static final int MAX_ATTACHMENTS = 10;
    static final int MAX_THUMBNAIL_BYTES = 16 * 1024;
    /** API.md is silent: a file name as long as the common file systems allow. */
    static final int MAX_FILE_NAME_CODE_POINTS = 255;

    private final Limits limits;

    MessageRules(Limits limits) {
        this.limits = limits;
    }

    /**
     * Attachments must each name a complete upload of the sender (UNKNOWN_MEDIA, which comes
     * before every other INVALID); one media may appear in several messages.
     */
    Rejection send(UUID caller, Command.SendMessage c, State state) {
        Rejection membership = Checks.member(caller, c.conversation(), state);
        if (membership != null) {
            return membership;
        }
        if (c.replyTo() != null && !visibleMessage(caller, c.conversation(), c.replyTo(), state)) {
            return unknownMessage(c.replyTo(), c.conversation());
        }
        for (Command.Attach attachment : c.attachments()) {
            Rejection unknown = ownCompleteUpload(caller, attachment.media(), state);
            if (unknown != null) {
                return unknown;
            }
        }
        return Checks.firstOf(
                c.text().isEmpty() && c.attachments().isEmpty() ? Rejection.invalid("message text is empty") : null,
                Checks.nul(c.text(), "message text"),
                Checks.mentions(c.mentions(), c.conversation(), state),
                attachmentCount(c.attachments().size()),
                attachmentFields(c.attachments()),
                textLength(c.text()),
                thumbnails(c.attachments()));
    }

    /** The media is a complete upload of the caller, else UNKNOWN_MEDIA (another user's upload looks unknown too). */
    static Rejection ownCompleteUpload(UUID caller, UUID media, State state) {
        MediaFacts upload = state.completeMedia(media);
        return upload != null && upload.owner().equals(caller) ? null
                : new Rejection(Reason.UNKNOWN_MEDIA, "media " + media + " is not a complete upload of yours");
    }

    private static Rejection attachmentCount(int count) {
        return count > MAX_ATTACHMENTS
                ? Rejection.invalid("a message may have at most " + MAX_ATTACHMENTS + " attachments; this one has " + count)
                : null;
    }

    private static Rejection attachmentFields(List<Command.Attach> attachments) {
        for (Command.Attach a : attachments) {
            Rejection nul = Checks.nul(a.fileName(), "attachment file_name");
            if (nul != null) {
                return nul;
            }
            int length = Checks.codePoints(a.fileName());
            if (length > MAX_FILE_NAME_CODE_POINTS) {
                return Rejection.invalid("attachment file_name has " + length + " code points; the limit is " + MAX_FILE_NAME_CODE_POINTS);
            }
            if (a.width() < 0 || a.height() < 0 || a.durationMs() < 0) {
                return Rejection.invalid("attachment width, height and duration_ms may not be negative");
            }
        }
        return null;
    }

    private static Rejection thumbnails(List<Command.Attach> attachments) {
        for (Command.Attach a : attachments) {
            if (a.thumbnail().size() > MAX_THUMBNAIL_BYTES) {
                return Rejection.tooLarge("an attachment thumbnail has " + a.thumbnail().size() + " bytes; the limit is "
                        + MAX_THUMBNAIL_BYTES + " (16 KiB)");
            }
        }
        return null;
    }

    Rejection edit(UUID caller, Command.EditMessage c, State state) {
        Rejection target = target(caller, c.conversation(), c.message(), state);
        if (target != null) {
            return target;
        }
        MessageFacts message = state.message(c.conversation(), c.message());
        if (!message.author().equals(caller)) {
            return Rejection.forbidden("only its author may edit message " + c.message());
        }
        if (message.deleted()) {
            return deleted(c.message());
        }
        return Checks.firstOf(
                c.text().isEmpty() && message.attachments() == 0
                        ? Rejection.invalid("the text of a message without attachments may not be empty") : null,
                Checks.nul(c.text(), "message text"),
                Checks.mentions(c.mentions(), c.conversation(), state),
                textLength(c.text()));
    }

    /** The author deletes their message, an admin anyone's. */
    Rejection delete(UUID caller, Command.DeleteMessage c, State state) {
        Rejection target = target(caller, c.conversation(), c.message(), state);
        if (target != null) {
            return target;
        }
        MessageFacts message = state.message(c.conversation(), c.message());
        if (!message.author().equals(caller) && !state.admins(c.conversation()).contains(caller)) {
            return Rejection.forbidden("only its author or an admin may delete message " + c.message());
        }
        return message.deleted() ? deleted(c.message()) : null;
    }

    Rejection react(UUID caller, Command.ChangeReactions c, State state) {
        Rejection target = target(caller, c.conversation(), c.message(), state);
        if (target != null) {
            return target;
        }
        if (state.message(c.conversation(), c.message()).deleted()) {
            return deleted(c.message());
        }
        for (String reaction : c.reactions()) {
            Rejection invalid = reaction(reaction);
            if (invalid != null) {
                return invalid;
            }
        }
        int distinct = distinct(c.reactions()).size();
        return distinct > MAX_REACTIONS
                ? Rejection.invalid("a reaction set may hold at most " + MAX_REACTIONS + " reactions; this one holds " + distinct)
                : null;
    }

    /** Read and delivered markers may name any visible message, a deleted one too. */
    Rejection marker(UUID caller, UUID conversation, UUID message, State state) {
        return target(caller, conversation, message, state);
    }

    /** The reaction set as stored: each reaction once, at its first place. */
    static List<String> distinct(List<String> reactions) {
        return List.copyOf(new LinkedHashSet<>(reactions));
    }

    /** Mentions as stored: each user once, at their first place. */
    static List<UUID> distinctUsers(List<UUID> users) {
        return List.copyOf(new LinkedHashSet<>(users));
    }

    /**
     * One reaction: 1 to 16 code points, no White_Space and no control (Cc) character. Format
     * characters (ZWJ, variation selectors, tags) are allowed, so every emoji sequence is.
     */
    private static Rejection reaction(String reaction) {
        if (reaction.isEmpty()) {
            return Rejection.invalid("a reaction is empty");
        }
        int length = Checks.codePoints(reaction);
        if (length > MAX_REACTION_CODE_POINTS) {
            return Rejection.invalid("a reaction has " + length + " code points; the limit is " + MAX_REACTION_CODE_POINTS);
        }
        boolean bad = reaction.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.getType(cp) == Character.CONTROL);
        return bad ? Rejection.invalid("a reaction may not hold white space or control characters") : null;
    }

    /** Member, then the message visible to the caller. */
    private static Rejection target(UUID caller, UUID conversation, UUID message, State state) {
        Rejection membership = Checks.member(caller, conversation, state);
        if (membership != null) {
            return membership;
        }
        return visibleMessage(caller, conversation, message, state) ? null : unknownMessage(message, conversation);
    }

    private static boolean visibleMessage(UUID caller, UUID conversation, UUID message, State state) {
        return state.message(conversation, message) != null && state.visible(conversation, message, caller);
    }

    private static Rejection unknownMessage(UUID message, UUID conversation) {
        return new Rejection(Reason.UNKNOWN_MESSAGE, "message " + message + " is not a message of conversation "
                + conversation + " that you can see");
    }

    private static Rejection deleted(UUID message) {
        return new Rejection(Reason.MESSAGE_DELETED, "message " + message + " was deleted");
    }

    private Rejection textLength(String text) {
        int length = Checks.codePoints(text);
        return length > limits.maxMessageLength()
                ? Rejection.tooLarge("message text has " + length + " code points; the limit is " + limits.maxMessageLength())
                : null;
    }
}
