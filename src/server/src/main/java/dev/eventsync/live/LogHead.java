package dev.eventsync.live;

/**
 * The one query for the log head: the last position committed, which every reader of the log
 * (feed streams, the safety poll, the LISTEN connection, the push notifier) compares against.
 */
public final class LogHead {

    public static final String SELECT = """
            select last_position from log_head""";

    private LogHead() {}
}
