package dev.eventsync.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A main class in a JVM of its own, for tests that must kill or signal a real process. */
public final class JavaProcesses {

    /**
     * How long a server process may take to answer after its start: a bound, not a wait. Under a
     * loaded 2-core machine a Spring Boot process with its embedded PostgreSQL took over 60 s.
     */
    public static final Duration STARTUP = Duration.ofSeconds(180);

    private JavaProcesses() {}

    /** {@code java -cp <this test run's classpath> main arguments...}. */
    public static ProcessBuilder of(Class<?> main, List<String> arguments) {
        return of(main, List.of(), arguments);
    }

    /** {@code java jvmOptions... -cp <this test run's classpath> main arguments...}. */
    public static ProcessBuilder of(Class<?> main, List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command);
    }

    /** A log file for a child process, kept under target/ (or the temp folder) for whoever reads a failure. */
    public static Path logFile(String prefix) throws IOException {
        Path logs = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createTempFile(logs, prefix, ".log");
    }
}
