package dev.eventsync.events;

import java.util.Arrays;
import java.util.UUID;

/**
 * Who may do what and what is valid: every per-event rule of API.md, in its order of
 * precedence (first to last): malformed uuid or no content; not submittable; duplicate or uuid
 * conflict; malformed field; unknown conversation; forbidden; unknown message; forbidden on that
 * message; message deleted; unknown media; any other invalid; too large. Plain Java over a
 * {@link State}: no database, no gRPC. The steps after the duplicate check live in
 * {@link ConversationRules}, {@link MessageRules} and {@link ProfileRules}, by what an event acts on.
 *
 * <p>Not final only so that a store test can make it fail for one call and show the append path
 * isolates that call (DESIGN.md decision 10).
 */
public class Decider {

    private final ConversationRules conversations;
    private final MessageRules messages;
    private final ProfileRules profiles;

    public Decider(Limits limits) {
        this.conversations = new ConversationRules(limits);
        this.messages = new MessageRules(limits);
        this.profiles = new ProfileRules(limits);
    }

    public Outcome decide(UUID caller, Submission submission, State state) {
        if (submission instanceof Submission.Refused refused) {
            return new Outcome.Refuse(refused.rejection());
        }
        if (submission instanceof Submission.Transitory transitory) {
            Rejection rejection = Checks.member(caller, transitory.command().conversation(), state);
            return rejection != null ? new Outcome.Refuse(rejection) : new Outcome.Live(transitory.command());
        }
        Submission.Storable storable = (Submission.Storable) submission;
        KnownEvent known = state.storedEvent(storable.eventUuid());
        if (known != null) {
            // The legacy hash is computed only here, and only when the canonical one does not match.
            if (known.author().equals(caller) && (known.redacted()
                    || Arrays.equals(known.contentHash(), storable.contentHash())
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
            return conversations.create(caller, c, state);
        }
        if (command instanceof Command.RenameConversation c) {
            return conversations.rename(caller, c, state);
        }
        if (command instanceof Command.AddMember c) {
            return conversations.add(caller, c, state);
        }
        if (command instanceof Command.RemoveMember c) {
            return conversations.remove(caller, c, state);
        }
        if (command instanceof Command.ChangeRole c) {
            return conversations.changeRole(caller, c, state);
        }
        if (command instanceof Command.ChangeSettings c) {
            return Checks.member(caller, c.conversation(), state);
        }
        if (command instanceof Command.SendMessage c) {
            return messages.send(caller, c, state);
        }
        if (command instanceof Command.EditMessage c) {
            return messages.edit(caller, c, state);
        }
        if (command instanceof Command.DeleteMessage c) {
            return messages.delete(caller, c, state);
        }
        if (command instanceof Command.ChangeReactions c) {
            return messages.react(caller, c, state);
        }
        if (command instanceof Command.ReadMessage c) {
            return messages.marker(caller, c.conversation(), c.message(), state);
        }
        if (command instanceof Command.MarkDelivered c) {
            return messages.marker(caller, c.conversation(), c.message(), state);
        }
        if (command instanceof Command.ChangeDisplayName c) {
            return profiles.displayName(caller, c);
        }
        if (command instanceof Command.ChangeProfilePicture c) {
            return profiles.picture(caller, c, state);
        }
        if (command instanceof Command.BlockUser c) {
            return c.user().equals(caller) ? Rejection.invalid("you cannot block yourself") : null;
        }
        throw new IllegalArgumentException("not a storable command: " + command);
    }
}
