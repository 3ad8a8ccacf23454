package dev.eventsync.live;

import java.util.concurrent.ThreadFactory;

/** Threads of the live layer: named (thread dumps, logs) and daemon (they never keep a stopping JVM alive). */
final class DaemonThreads {

    private DaemonThreads() {}

    static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
