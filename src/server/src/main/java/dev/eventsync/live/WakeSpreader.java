package dev.eventsync.live;

import java.time.Duration;
import java.util.List;

/**
 * Wakes many follow streams spread over a short window instead of in one instant: every woken
 * stream reads its feed from the database, and a safety poll or a LISTEN reconnect wakes all of
 * an instance's streams at once (a thundering herd on the database and the reader threads).
 * The streams are cut into at most {@link #SLICES} slices of at least {@link #MIN_SLICE}; the
 * first is woken at once, slice k after k/slices of the window. So a few streams are all woken
 * at once, and ten thousand wait at most the window.
 */
final class WakeSpreader {

    static final int SLICES = 10;
    static final int MIN_SLICE = 50;

    private final Duration window;
    private final Later later;

    WakeSpreader(Duration window, Later later) {
        this.window = window;
        this.later = later;
    }

    void wake(List<? extends LiveStream> streams) {
        int count = streams.size();
        int perSlice = Math.max(MIN_SLICE, ceilDiv(count, SLICES));
        int slices = ceilDiv(count, perSlice);
        for (int k = 0; k < slices; k++) {
            List<? extends LiveStream> slice = streams.subList(k * perSlice, Math.min(count, (k + 1) * perSlice));
            if (k == 0) {
                slice.forEach(LiveStream::wake);
            } else {
                later.after(window.multipliedBy(k).dividedBy(slices), () -> slice.forEach(LiveStream::wake));
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
