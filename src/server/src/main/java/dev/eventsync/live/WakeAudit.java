package dev.eventsync.live;

/**
 * The safety poll's rule: has a wake-up been lost? Every appending transaction announces the
 * last position it wrote in its wake-up (NOTIFY is sent at commit, in commit order, and
 * positions are handed out in commit order under the position lock), and a wake of every
 * stream covers everything committed before it. So a position that was already committed at
 * the previous poll and is still not covered means a wake-up was lost (a writer that does not
 * notify, a listener far behind): only then must every stream read its feed. One query per poll
 * (the log head) replaces one read per open stream, which at 10,000 streams took seconds of
 * both cores and delayed the live deliveries queued behind them (issue 16).
 *
 * <p>Not thread-safe: the safety poll's single timer thread owns it.
 */
final class WakeAudit {

    private long headAtLastPoll = -1;

    /**
     * Given the log head committed now and the highest position covered so far (announced, or
     * committed before a wake of every stream), whether every stream must read its feed.
     */
    boolean wakeAllNeeded(long committedHead, long covered) {
        boolean lost = headAtLastPoll > covered;
        headAtLastPoll = committedHead;
        return lost;
    }
}
