package dev.eventsync.push;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Who is notified of a new message (API.md v1.1, PushService), the one place of that rule: every
 * pusher of a member other than the author who is offline, has not blocked the author and has not
 * muted the conversation, unless the message mentions them (a mention notifies through a mute).
 * Pure: the facts come from {@link Audience}.
 */
public final class WhoGetsWhat {

    /** A pusher to notify, and whether its user is mentioned (Matrix's {@code user_is_target}). */
    public record Addressed(PushTarget target, boolean mentioned) {}

    private WhoGetsWhat() {}

    public static List<Addressed> ofNewMessage(UUID author, Set<UUID> mentioned, List<Candidate> candidates) {
        List<Addressed> addressed = new ArrayList<>();
        for (Candidate candidate : candidates) {
            UUID user = candidate.target().user();
            boolean isMentioned = mentioned.contains(user);
            if (user.equals(author) || candidate.online() || candidate.blocksAuthor() || (candidate.muted() && !isMentioned)) {
                continue;
            }
            addressed.add(new Addressed(candidate.target(), isMentioned));
        }
        return addressed;
    }
}
