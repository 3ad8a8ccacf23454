package dev.eventsync.events;

import java.util.Set;
import java.util.UUID;

/** The rules of events that act on a conversation and its members (API.md, v1.1 rows included). */
final class ConversationRules {

    private final Limits limits;

    ConversationRules(Limits limits) {
        this.limits = limits;
    }

    /** A member who has blocked the creator, or whom the creator blocked, makes the whole event FORBIDDEN. */
    Rejection create(UUID caller, Command.CreateConversation c, State state) {
        Set<UUID> members = Delivery.initialMembers(caller, c);
        for (UUID member : members) {
            if (!member.equals(caller) && state.blockedBetween(caller, member)) {
                return Rejection.forbidden("you cannot create a conversation with user " + member);
            }
        }
        Rejection name = Checks.name(c.name(), limits.maxConversationNameLength(), "conversation name");
        if (name != null) {
            return name;
        }
        return members.size() > limits.maxMembersPerConversation()
                ? Rejection.invalid("a conversation may have at most " + limits.maxMembersPerConversation()
                        + " members; this one would have " + members.size())
                : null;
    }

    Rejection rename(UUID caller, Command.RenameConversation c, State state) {
        return Checks.firstOf(Checks.member(caller, c.conversation(), state),
                Checks.name(c.newName(), limits.maxConversationNameLength(), "conversation name"));
    }

    /** Adding members stays open to every member; a block in either direction forbids it. */
    Rejection add(UUID caller, Command.AddMember c, State state) {
        Rejection membership = Checks.member(caller, c.conversation(), state);
        if (membership != null) {
            return membership;
        }
        if (!c.user().equals(caller) && state.blockedBetween(caller, c.user())) {
            return Rejection.forbidden("you cannot add user " + c.user());
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

    /** Leaving is always allowed; removing someone else is for admins only (v1.1). */
    Rejection remove(UUID caller, Command.RemoveMember c, State state) {
        Rejection membership = Checks.member(caller, c.conversation(), state);
        if (membership != null) {
            return membership;
        }
        UUID leaving = c.user() == null ? caller : c.user();
        if (!leaving.equals(caller) && !state.admins(c.conversation()).contains(caller)) {
            return Rejection.forbidden("only an admin may remove another member of conversation " + c.conversation());
        }
        return state.members(c.conversation()).contains(leaving)
                ? null
                : Rejection.invalid("user " + leaving + " is not a member");
    }

    /** Admins change roles; a conversation always keeps an admin while it has members. */
    Rejection changeRole(UUID caller, Command.ChangeRole c, State state) {
        Rejection membership = Checks.member(caller, c.conversation(), state);
        if (membership != null) {
            return membership;
        }
        Set<UUID> admins = state.admins(c.conversation());
        if (!admins.contains(caller)) {
            return Rejection.forbidden("only an admin may change roles in conversation " + c.conversation());
        }
        if (!c.admin() && c.user().equals(caller) && admins.size() == 1) {
            return Rejection.forbidden("you are the conversation's only admin: make another member admin first");
        }
        if (!state.members(c.conversation()).contains(c.user())) {
            return Rejection.invalid("user " + c.user() + " is not a member");
        }
        return admins.contains(c.user()) == c.admin()
                ? Rejection.invalid("user " + c.user() + (c.admin() ? " is already an admin" : " is not an admin"))
                : null;
    }
}
