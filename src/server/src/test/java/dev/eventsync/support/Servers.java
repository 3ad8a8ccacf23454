package dev.eventsync.support;

import static org.awaitility.Awaitility.await;

import dev.eventsync.EventsyncApplication;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts whole servers inside a test, for scenarios one Spring test context cannot express (restarts). */
public final class Servers {

    /** The test servers' media folder (never the production default), shared so a restarted server finds its bytes. */
    public static final String MEDIA_ROOT = "target/test-media";

    private Servers() {}

    /** A server on the test database and a random port, with the test JWT secret. */
    public static ConfigurableApplicationContext startOnTestDatabase(Map<String, Object> extra) {
        Map<String, Object> properties = testDatabase();
        properties.putAll(extra);
        return start(properties);
    }

    /** The properties of a server on the test database, with the test JWT secret. */
    public static Map<String, Object> testDatabase() {
        return onDatabase(TestDatabase.get());
    }

    /** The properties of a server on this database, with the test JWT secret. */
    public static Map<String, Object> onDatabase(TestDatabase.Connection db) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", db.url());
        properties.put("spring.datasource.username", db.username() == null ? "" : db.username());
        properties.put("spring.datasource.password", db.password() == null ? "" : db.password());
        properties.put("eventsync.auth.jwt-secret", Api.SECRET);
        properties.put("eventsync.media.filesystem.root", MEDIA_ROOT);
        properties.put("spring.datasource.hikari.connection-timeout", "2000");
        return properties;
    }

    /**
     * A server with these properties and random ports. They are passed as command-line
     * arguments, which take precedence over application.properties, as an operator's would.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("spring.grpc.server.port", "0");
        return run(all);
    }

    /** A server with exactly these properties (the operations HTTP port is random), as {@link #start}. */
    public static ConfigurableApplicationContext run(Map<String, Object> properties) {
        return new SpringApplicationBuilder(EventsyncApplication.class).run(arguments(properties).toArray(String[]::new));
    }

    /** Properties as command-line arguments, with a random operations HTTP port. */
    public static List<String> arguments(Map<String, ?> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("server.port", "0");
        return all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * A server in a JVM of its own (to be SIGKILLed) with these properties on this gRPC port,
     * its output in a log file named by {@code logPrefix}; added to {@code started} at once (so the
     * caller kills it whatever happens), returned once it answers.
     */
    public static Process startProcess(Map<String, Object> properties, int port, String logPrefix, List<Process> started)
            throws IOException, InterruptedException {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("spring.grpc.server.port", Integer.toString(port));
        Path log = JavaProcesses.logFile(logPrefix);
        Process process = JavaProcesses.of(EventsyncApplication.class, arguments(all))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(process);
        try (Api api = new Api(port)) {
            Api.User probe = api.newUser();
            await().atMost(JavaProcesses.STARTUP).ignoreExceptions()
                    .failFast("the server exited; see " + log, () -> !process.isAlive())
                    .until(() -> probe.read("").get(0).hasSyncCaughtUp());
        }
        return process;
    }

    public static int port(ConfigurableApplicationContext server) {
        return server.getEnvironment().getRequiredProperty("local.grpc.server.port", Integer.class);
    }
}
