package dev.eventsync.support;

import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/** Two whole servers, instances A and B, on the test database: started together, closed together. */
public record ServerPair(ConfigurableApplicationContext a, ConfigurableApplicationContext b) implements AutoCloseable {

    /** A with {@code propertiesOfA}, B with {@code propertiesOfB} (as {@link Servers#startOnTestDatabase}); A is closed when B fails to start. */
    public static ServerPair start(Map<String, Object> propertiesOfA, Map<String, Object> propertiesOfB) {
        ConfigurableApplicationContext a = Servers.startOnTestDatabase(propertiesOfA);
        try {
            return new ServerPair(a, Servers.startOnTestDatabase(propertiesOfB));
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
    }

    /** For an {@code @AfterAll}: closes both when {@code servers} started (null: they did not). */
    public static void closeIfStarted(ServerPair servers) {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
