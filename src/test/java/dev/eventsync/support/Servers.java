package dev.eventsync.support;

import dev.eventsync.EventsyncApplication;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts whole servers inside a test, for scenarios one Spring test context cannot express (restarts). */
public final class Servers {

    private Servers() {}

    /** A server on the test database and a random port, with the test JWT secret. */
    public static ConfigurableApplicationContext startOnTestDatabase(Map<String, Object> extra) {
        TestDatabase.Connection db = TestDatabase.get();
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", db.url());
        properties.put("spring.datasource.username", db.username() == null ? "" : db.username());
        properties.put("spring.datasource.password", db.password() == null ? "" : db.password());
        properties.put("eventsync.auth.jwt-secret", Api.SECRET);
        properties.put("spring.datasource.hikari.connection-timeout", "2000");
        properties.putAll(extra);
        return start(properties);
    }

    /**
     * A server with these properties and random ports. They are passed as command-line
     * arguments, which take precedence over application.properties, as an operator's would.
     */
    public static ConfigurableApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("spring.grpc.server.port", "0");
        all.put("server.port", "0");
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(EventsyncApplication.class).run(args);
    }

    public static int port(ConfigurableApplicationContext server) {
        return server.getEnvironment().getRequiredProperty("local.grpc.server.port", Integer.class);
    }
}
