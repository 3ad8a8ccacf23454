package dev.eventsync.history;

/**
 * Unread counts (API.md v1.1, "Markers, unread counts and conflicts"): the messages of others, not
 * deleted, visible to the user, after their read marker; mentions of the user apart. The one
 * place they are computed, for Snapshot's per-conversation counts and the push badge's total.
 *
 * <p>Neither reads the unread messages: a conversation's seqs are dense (each message takes the
 * last seq + 1 and message rows are never removed), so a range (lo, hi] holds hi - lo messages.
 * Less the user's own ones in it (each message's {@code author_seq} ranks it among its author's
 * messages of the conversation: two backward probes of {@code messages_by_author}), less the
 * others' deleted ones ({@code messages_deleted}, partial: deleted messages only), that
 * is the count; mentions are counted over the messages that mention anyone
 * ({@code messages_mentioning}, partial). Migration V10 explains the indexes. Counting the
 * unread rows themselves cost O(unread): for a user with a long unread history, seconds per
 * snapshot and per push.
 */
public final class UnreadCounts {

    /**
     * Per range (c, f, t] of a conversation, after the read marker (f is already the later of the
     * range's start and the read seq): {@code c, unread, mentions}. Parameters: the ranges as
     * three arrays (uuid[], bigint[], bigint[]), then the user five times.
     */
    public static final String PER_RANGE = """
            select r.c, greatest(least(r.t, l.seq) - r.f, 0) - o.n - d.n, x.n
            from unnest(?::uuid[], ?::bigint[], ?::bigint[]) as r(c, f, t)
            cross join lateral (select coalesce(max(seq), 0) as seq from messages where conversation_uuid = r.c) l
            cross join lateral (select coalesce((select author_seq from messages where conversation_uuid = r.c
                                        and author_uuid = ? and seq <= r.t order by seq desc limit 1), 0)
                                     - coalesce((select author_seq from messages where conversation_uuid = r.c
                                        and author_uuid = ? and seq <= r.f order by seq desc limit 1), 0) as n) o
            cross join lateral (select count(*) as n from messages
                                where conversation_uuid = r.c and seq > r.f and seq <= r.t
                                  and deleted_by is not null and author_uuid <> ?) d
            cross join lateral (select count(*) as n from messages
                                where conversation_uuid = r.c and seq > r.f and seq <= r.t
                                  and cardinality(mentioned_user_uuids) > 0 and ? = any(mentioned_user_uuids)
                                  and author_uuid <> ? and deleted_by is null) x""";

    /**
     * A user's total unread count (push badges): {@link #PER_RANGE}'s count summed over their
     * current conversations that are not muted, each after the later of their join and their read
     * marker. Parameter: the user.
     */
    public static final String TOTAL = """
            select coalesce(sum(greatest(l.seq - r.f, 0) - o.n - d.n), 0)
            from (select ms.conversation_uuid as c, ms.user_uuid as u, greatest(ms.joined_seq, coalesce(k.read_seq, 0)) as f
                  from memberships ms
                  left join markers k on k.conversation_uuid = ms.conversation_uuid and k.user_uuid = ms.user_uuid
                  left join conversation_settings s on s.conversation_uuid = ms.conversation_uuid and s.user_uuid = ms.user_uuid
                  where ms.user_uuid = ? and not coalesce(s.muted_until > now(), false)) r
            cross join lateral (select coalesce(max(seq), 0) as seq from messages where conversation_uuid = r.c) l
            cross join lateral (select coalesce((select author_seq from messages where conversation_uuid = r.c
                                        and author_uuid = r.u order by seq desc limit 1), 0)
                                     - coalesce((select author_seq from messages where conversation_uuid = r.c
                                        and author_uuid = r.u and seq <= r.f order by seq desc limit 1), 0) as n) o
            cross join lateral (select count(*) as n from messages
                                where conversation_uuid = r.c and seq > r.f and deleted_by is not null and author_uuid <> r.u) d""";

    private UnreadCounts() {}
}
