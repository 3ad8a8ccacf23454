package dev.eventsync.live;

import dev.eventsync.proto.v1.Event;
import java.util.UUID;

/** A follow stream as the live layer sees it: something to wake, or to hand a transitory event. */
public interface LiveStream {

    UUID user();

    /** New events of this user's feed were committed: read them (from the database, at the stream's pace). */
    void wake();

    /** As {@link #wake()}, for a wake-up that announced the log up to {@code position}. */
    void wake(long position);

    /**
     * Whether a wake-up announced a position that no read of this stream began after: a wake-up
     * lost inside the stream, which the safety poll then repeats (costing no read otherwise).
     */
    boolean behind();

    /** A transitory event (typing, presence); dropped when the stream is catching up or cannot take it. */
    void offer(Event transitory);

    /** The server is stopping: end with UNAVAILABLE so the client reconnects with its cursor. */
    void shutdown();
}
