package dev.eventsync.events;

import java.util.Collection;
import java.util.UUID;

/** The checks several rules share, each returning its rejection or null. */
final class Checks {

    private Checks() {}

    /** UNKNOWN_CONVERSATION, then FORBIDDEN: the two checks every conversation-scoped event starts with. */
    static Rejection member(UUID caller, UUID conversation, State state) {
        if (!state.conversationExists(conversation)) {
            return new Rejection(Reason.UNKNOWN_CONVERSATION, "conversation " + conversation + " does not exist");
        }
        return state.members(conversation).contains(caller)
                ? null
                : Rejection.forbidden("you are not a member of conversation " + conversation);
    }

    static Rejection name(String name, int limit, String what) {
        if (name.isEmpty()) {
            return Rejection.invalid(what + " is empty");
        }
        Rejection nul = nul(name, what);
        if (nul != null) {
            return nul;
        }
        int length = codePoints(name);
        return length > limit ? Rejection.invalid(what + " has " + length + " code points; the limit is " + limit) : null;
    }

    /**
     * U+0000 is INVALID in every text field (API.md v1.1): PostgreSQL cannot store it in text, so
     * without this rule the value would fail in SQL, and failing there again on every retry.
     */
    static Rejection nul(String text, String what) {
        return text.indexOf('\u0000') >= 0 ? Rejection.invalid(what + " holds U+0000, which no text field may hold") : null;
    }

    /** Mentions must name current members (the author may mention themself). */
    static Rejection mentions(Collection<UUID> mentioned, UUID conversation, State state) {
        for (UUID user : mentioned) {
            if (!state.members(conversation).contains(user)) {
                return Rejection.invalid("mentioned user " + user + " is not a member of conversation " + conversation);
            }
        }
        return null;
    }

    static Rejection firstOf(Rejection... rejections) {
        for (Rejection rejection : rejections) {
            if (rejection != null) {
                return rejection;
            }
        }
        return null;
    }

    static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }
}
