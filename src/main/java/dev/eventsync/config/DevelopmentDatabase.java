package dev.eventsync.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The embedded default: with no {@code spring.datasource.url} configured, start a real
 * PostgreSQL (zonky embedded binaries) whose data lives in {@code eventsync.dev.data-dir} (default
 * {@code .eventsync/postgres}) and survives restarts, point the datasource at it, and use the
 * documented development JWT secret unless one is set. Runs before the context is created, so
 * the datasource, Flyway and everything else are configured exactly as in production.
 */
public class DevelopmentDatabase implements EnvironmentPostProcessor {

    /** Documented in the README. Only ever used with the embedded development database. */
    public static final String DEVELOPMENT_JWT_SECRET = "eventsync-development-secret-not-for-production";

    private static final String DATA_DIR = "eventsync.dev.data-dir";
    private static final String DEFAULT_DATA_DIR = ".eventsync/postgres";

    private final Log log;

    public DevelopmentDatabase(DeferredLogFactory logs) {
        this.log = logs.getLog(DevelopmentDatabase.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("spring.datasource.url")) {
            return;
        }
        Path dataDir = Path.of(environment.getProperty(DATA_DIR, DEFAULT_DATA_DIR)).toAbsolutePath();
        EmbeddedPostgres postgres = start(dataDir, environment.getProperty("eventsync.dev.database-port", Integer.class, 0));
        application.addListeners((ContextClosedEvent event) -> close(postgres));

        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"));
        properties.put("spring.datasource.username", "postgres");
        properties.put("spring.datasource.password", "");
        boolean developmentSecret = !environment.containsProperty("eventsync.auth.jwt-secret");
        if (developmentSecret) {
            properties.put("eventsync.auth.jwt-secret", DEVELOPMENT_JWT_SECRET);
        }
        environment.getPropertySources().addLast(new MapPropertySource("eventsync-development-database", properties));
        log.warn("""

                ************************************************************************
                  eventsync is in DEVELOPMENT MODE: no spring.datasource.url is set, so it
                  runs an embedded PostgreSQL with its data in %s
                  (%s)%s
                  For production set SPRING_DATASOURCE_URL/USERNAME/PASSWORD and
                  EVENTSYNC_AUTH_JWT_SECRET.
                ************************************************************************"""
                .formatted(dataDir, postgres.getJdbcUrl("postgres", "postgres"),
                        developmentSecret ? "\n  Tokens are signed with the PUBLIC development secret (README)." : ""));
    }

    private static EmbeddedPostgres start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // zonky turns synchronous_commit off by default; an acknowledged event must be on disk.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on");
            if (port > 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded development PostgreSQL in " + dataDir
                    + " (set " + DATA_DIR + " to another folder, or SPRING_DATASOURCE_URL to a real PostgreSQL)", e);
        }
    }

    private static void close(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
