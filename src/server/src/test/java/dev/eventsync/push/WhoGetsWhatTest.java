package dev.eventsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.Pusher;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Who is notified of a new message (API.md v1.1), as a pure rule. */
class WhoGetsWhatTest {

    final UUID author = UUID.randomUUID();
    final UUID member = UUID.randomUUID();

    static Candidate candidate(UUID user, String pushkey, boolean online, boolean muted, boolean blocksAuthor) {
        return new Candidate(new PushTarget(user, new PusherKey("app", pushkey), "https://gw/_matrix/push/v1/notify",
                Pusher.Format.FULL, 0), online, muted, blocksAuthor);
    }

    @Test
    void everyPusherOfAnOfflineMemberIsNotifiedButNotTheAuthors() {
        List<WhoGetsWhat.Addressed> addressed = WhoGetsWhat.ofNewMessage(author, Set.of(), List.of(
                candidate(author, "author-phone", false, false, false),
                candidate(member, "phone", false, false, false),
                candidate(member, "tablet", false, false, false)));
        assertThat(addressed).extracting(a -> a.target().key().pushkey()).containsExactly("phone", "tablet");
        assertThat(addressed).extracting(WhoGetsWhat.Addressed::mentioned).containsOnly(false);
    }

    @Test
    void anOnlineMemberOrOneWhoBlockedTheAuthorIsNotNotifiedEvenWhenMentioned() {
        UUID blocking = UUID.randomUUID();
        assertThat(WhoGetsWhat.ofNewMessage(author, Set.of(member, blocking), List.of(
                candidate(member, "online", true, false, false),
                candidate(blocking, "blocking", false, false, true)))).isEmpty();
    }

    @Test
    void aMuteHoldsBackAllButMentions() {
        UUID mentioned = UUID.randomUUID();
        List<WhoGetsWhat.Addressed> addressed = WhoGetsWhat.ofNewMessage(author, Set.of(mentioned), List.of(
                candidate(member, "muted", false, true, false),
                candidate(mentioned, "muted-but-mentioned", false, true, false)));
        assertThat(addressed).containsExactly(new WhoGetsWhat.Addressed(
                candidate(mentioned, "muted-but-mentioned", false, true, false).target(), true));
    }
}
