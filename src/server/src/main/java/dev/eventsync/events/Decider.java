package dev.eventsync.events;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;

/**
 * Who may do what and what is valid: every per-event rule of API.md, in its order of
 * precedence (first to last): malformed uuid or no content; not submittable; duplicate or uuid
 * conflict; malformed field; unknown conversation; forbidden; unknown message; any other
 * invalid; too large. Plain Java over a {@link State}: no database, no gRPC.
 *
 * <p>Not final only so that a store test can make it fail for one call and show the append path
 * isolates that call (DESIGN.md decision 10).
 */
public class Decider {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final Limits limits;

    public Decider(Limits limits) {
        this.limits = limits;
    }

    public Outcome decide(UUID caller, Submission submission, State state) {
        if (submission instanceof Submission.Refused refused) {
            return new Outcome.Refuse(refused.rejection());
        }
        if (submission instanceof Submission.Transitory transitory) {
            Rejection rejection = checkMember(caller, transitory.command().conversation(), state);
            return rejection != null ? new Outcome.Refuse(rejection) : new Outcome.Live(transitory.command());
        }
        Submission.Storable storable = (Submission.Storable) submission;
        KnownEvent known = state.storedEvent(storable.eventUuid());
        if (known != null) {
            // The legacy hash is computed only here, and only when the canonical one does not match.
            if (known.author().equals(caller) && (Arrays.equals(known.contentHash(), storable.contentHash())
                    || Arrays.equals(known.contentHash(), storable.legacyContentHash()))) {
                return new Outcome.Duplicate(known);
            }
            return new Outcome.Refuse(new Rejection(Reason.UUID_CONFLICT, known.author().equals(caller)
                    ? "event uuid " + storable.eventUuid() + " was already stored with other content"
                    : "event uuid " + storable.eventUuid() + " is already used"));
        }
        if (storable.createsConversation() != null && state.conversationExists(storable.createsConversation())) {
            return new Outcome.Refuse(new Rejection(Reason.UUID_CONFLICT,
                    "conversation " + storable.createsConversation() + " already exists"));
        }
        if (storable.malformed() != null) {
            return new Outcome.Refuse(storable.malformed());
        }
        Rejection rejection = check(caller, storable.command(), state);
        return rejection != null ? new Outcome.Refuse(rejection) : new Outcome.Accept(storable.command());
    }

    /** The rules after the duplicate step, for a well-formed command; null when it is allowed. */
    Rejection check(UUID caller, Command command, State state) {
        if (command instanceof Command.CreateConversation c) {
            Rejection name = checkName(c.name(), limits.maxConversationNameLength(), "conversation name");
            if (name != null) {
                return name;
            }
            int members = Delivery.initialMembers(caller, c).size();
            return members > limits.maxMembersPerConversation()
                    ? Rejection.invalid("a conversation may have at most " + limits.maxMembersPerConversation()
                            + " members; this one would have " + members)
                    : null;
        }
        if (command instanceof Command.RenameConversation c) {
            return firstOf(checkMember(caller, c.conversation(), state),
                    checkName(c.newName(), limits.maxConversationNameLength(), "conversation name"));
        }
        if (command instanceof Command.AddMember c) {
            Rejection membership = checkMember(caller, c.conversation(), state);
            if (membership != null) {
                return membership;
            }
            Set<UUID> members = state.members(c.conversation());
            if (members.contains(c.user())) {
                return Rejection.invalid("user " + c.user() + " is already a member");
            }
            return members.size() >= limits.maxMembersPerConversation()
                    ? Rejection.invalid("the conversation already has the maximum of "
                            + limits.maxMembersPerConversation() + " members")
                    : null;
        }
        if (command instanceof Command.RemoveMember c) {
            Rejection membership = checkMember(caller, c.conversation(), state);
            if (membership != null) {
                return membership;
            }
            UUID leaving = c.user() == null ? caller : c.user();
            return state.members(c.conversation()).contains(leaving)
                    ? null
                    : Rejection.invalid("user " + leaving + " is not a member");
        }
        if (command instanceof Command.SendMessage c) {
            Rejection membership = checkMember(caller, c.conversation(), state);
            if (membership != null) {
                return membership;
            }
            if (c.text().isEmpty()) {
                return Rejection.invalid("message text is empty");
            }
            if (hasNul(c.text())) {
                return nul("message text");
            }
            int length = codePoints(c.text());
            return length > limits.maxMessageLength()
                    ? Rejection.tooLarge("message text has " + length + " code points; the limit is " + limits.maxMessageLength())
                    : null;
        }
        if (command instanceof Command.ReadMessage c) {
            Rejection membership = checkMember(caller, c.conversation(), state);
            if (membership != null) {
                return membership;
            }
            return state.messageExists(c.conversation(), c.message())
                    ? null
                    : new Rejection(Reason.UNKNOWN_MESSAGE,
                            "message " + c.message() + " is not in conversation " + c.conversation());
        }
        if (command instanceof Command.ChangeDisplayName c) {
            return firstOf(checkSelf(caller, c.user()),
                    checkName(c.displayName(), limits.maxDisplayNameLength(), "display name"));
        }
        if (command instanceof Command.ChangeProfilePicture c) {
            Rejection self = checkSelf(caller, c.user());
            if (self != null) {
                return self;
            }
            if (c.png().length == 0) {
                return Rejection.invalid("profile picture is empty");
            }
            if (!isPng(c.png())) {
                return Rejection.invalid("profile picture is not a PNG image (signature check)");
            }
            return c.png().length > limits.maxPictureSize().toBytes()
                    ? Rejection.tooLarge("profile picture has " + c.png().length + " bytes; the limit is "
                            + limits.maxPictureSize().toBytes())
                    : null;
        }
        throw new IllegalArgumentException("not a storable command: " + command);
    }

    /** UNKNOWN_CONVERSATION, then FORBIDDEN: the two checks every conversation-scoped event starts with. */
    private static Rejection checkMember(UUID caller, UUID conversation, State state) {
        if (!state.conversationExists(conversation)) {
            return new Rejection(Reason.UNKNOWN_CONVERSATION, "conversation " + conversation + " does not exist");
        }
        return state.members(conversation).contains(caller)
                ? null
                : Rejection.forbidden("you are not a member of conversation " + conversation);
    }

    private static Rejection checkSelf(UUID caller, UUID named) {
        return named == null || named.equals(caller)
                ? null
                : Rejection.forbidden("you may only change your own profile (user_uuid must be empty or yours)");
    }

    private static Rejection checkName(String name, int limit, String what) {
        if (name.isEmpty()) {
            return Rejection.invalid(what + " is empty");
        }
        if (hasNul(name)) {
            return nul(what);
        }
        int length = codePoints(name);
        return length > limit ? Rejection.invalid(what + " has " + length + " code points; the limit is " + limit) : null;
    }

    /**
     * U+0000 is INVALID in every text field (API.md v1.1): PostgreSQL cannot store it in text, so
     * without this rule the value would fail in SQL, and failing there again on every retry.
     */
    private static boolean hasNul(String text) {
        return text.indexOf('\u0000') >= 0;
    }

    private static Rejection nul(String what) {
        return Rejection.invalid(what + " holds U+0000, which no text field may hold");
    }

    private static Rejection firstOf(Rejection first, Rejection second) {
        return first != null ? first : second;
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    static boolean isPng(byte[] image) {
        return image.length >= PNG_SIGNATURE.length
                && Arrays.equals(image, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
    }
}
