package dev.eventsync;

import sun.misc.Signal;

/**
 * SIGTERM is how a server is asked to stop (docker stop, systemd, Kubernetes, {@code kill}):
 * after the graceful shutdown, the process exits 0 instead of the JVM's 143 ("killed by a
 * signal"). So {@code ./mvnw spring-boot:run}, which counts only 0 and 130 (Ctrl-C) as success,
 * does not end a requested stop with BUILD FAILURE. The shutdown itself is unchanged: System.exit
 * runs the same shutdown hooks the JVM's own handler would.
 */
final class StopSignal {

    private StopSignal() {}

    static void exitZeroOnSigterm() {
        try {
            Signal.handle(new Signal("TERM"), signal -> System.exit(0));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // A JVM started with -Xrs, or a platform without SIGTERM: the JVM's default stays.
        }
    }
}
