package dev.eventsync.live;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay. The live layer's deferred work goes through it so that a test can
 * see what was deferred, and by how much, and run it when it chooses: no clock in the assertions.
 */
@FunctionalInterface
interface Later {

    void after(Duration delay, Runnable task);

    /** On an executor; a task handed over after its shutdown is dropped (the instance is stopping). */
    static Later on(ScheduledExecutorService executor) {
        return (delay, task) -> {
            if (!executor.isShutdown()) {
                executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        };
    }
}
