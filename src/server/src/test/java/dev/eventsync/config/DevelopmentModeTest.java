package dev.eventsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventsync.EventsyncApplication;
import dev.eventsync.auth.AuthProperties;
import dev.eventsync.auth.Tokens;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.JavaProcesses;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** The two ways to run: the embedded default (nothing configured) and a real database (secret required). */
class DevelopmentModeTest {

    @TempDir
    Path dataDir;

    @Test
    void withNothingConfiguredTheServerRunsOnAnEmbeddedDatabaseThatSurvivesRestartsWithDurableCommits() throws Exception {
        Map<String, Object> nothingButTheDataDir = Map.of("eventsync.dev.data-dir", dataDir.resolve("postgres").toString());
        UUID alice = UUID.randomUUID();
        // Without exp: development mode accepts it (outside it exp is required, AuthenticationTest).
        String token = Tokens.mint(AuthProperties.DEVELOPMENT_JWT_SECRET, alice, null, Instant.now());
        Event created = Events.createConversation(Events.newUuid(), "kept on disk");

        ConfigurableApplicationContext first = Servers.start(nothingButTheDataDir);
        try (Api api = new Api(Servers.port(first))) {
            assertThat(first.getBean(DevelopmentMode.class)).isNotNull();
            assertThat(dataDir.resolve("media").resolve("incomplete")).as("media bytes beside the embedded database").isDirectory();
            JdbcTemplate jdbc = new JdbcTemplate(first.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
            assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("on");
            var result = api.stub("Bearer " + token).sync(SyncRequest.newBuilder().addEvents(created).build());
            assertThat(result.getResults(0).hasAccepted()).as("the development secret, a token without exp").isTrue();
        } finally {
            first.close();
        }

        ConfigurableApplicationContext second = Servers.start(nothingButTheDataDir);
        try (Api api = new Api(Servers.port(second))) {
            List<Event> feed = new ArrayList<>();
            api.stub("Bearer " + token).syncFromServer(SyncFromServerRequest.getDefaultInstance()).forEachRemaining(feed::add);
            assertThat(feed.get(0).getUuid()).isEqualTo(created.getUuid());
        } finally {
            second.close();
        }
    }

    /**
     * Ctrl-C (or any SIGTERM) on the default setup: the server leaves (its presence rows)
     * while the embedded database still runs, then stops the database. Only a real process shows
     * this: the JVM's shutdown hooks run on SIGTERM, not on a context close.
     */
    @Test
    void sigtermStopsTheServerFirstThenTheEmbeddedDatabase() throws Exception {
        Path log = JavaProcesses.logFile("development-server-");
        Process server = serverProcess(log, Map.of());
        try {
            // A bound, not a wait: a JVM start plus initdb took over 90 s on this shared machine at load 20+.
            await().atMost(Duration.ofSeconds(180)).failFast("the server exited during startup; see " + log, () -> !server.isAlive())
                    .until(() -> Files.readString(log).contains("Started " + EventsyncApplication.class.getSimpleName()));
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            // a requested stop is a clean one: `./mvnw spring-boot:run` counts only 0 and 130 as success
            assertThat(server.exitValue()).as("exit code after SIGTERM").isZero();
        } finally {
            if (server.isAlive()) { // a failed start: still stop the database it may have started
                server.destroy();
                server.waitFor(30, TimeUnit.SECONDS);
                server.destroyForcibly();
            }
        }
        String output = Files.readString(log);
        assertThat(output).contains("shut down postmaster") // logged by the bean's close, on the shutdown thread
                .doesNotContain("could not remove this instance's presence")
                .doesNotContain("Failed to validate connection");
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).as("the database stopped").doesNotExist();
    }

    /**
     * kill -9 of a development server leaves its PostgreSQL running on the folder. The next start
     * stops that leftover and starts at once, instead of waiting out the startup wait on a folder in
     * use (the wait is set far beyond the bound here, so only the new path can pass).
     */
    @Test
    void aLeftoverPostgresOfAKilledServerIsStoppedByTheNextStart() throws Exception {
        Path log = JavaProcesses.logFile("killed-development-server-");
        Process killed = serverProcess(log, Map.of());
        long leftover;
        try {
            await().atMost(Duration.ofSeconds(180)).failFast("the server exited during startup; see " + log, () -> !killed.isAlive())
                    .until(() -> Files.readString(log).contains("Started " + EventsyncApplication.class.getSimpleName()));
            leftover = DevelopmentFolder.postmasterPid(dataDir.resolve("postgres")).orElseThrow();
        } finally {
            killed.destroyForcibly(); // kill -9: no shutdown hook stops the database
            killed.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive)).as("the killed server's PostgreSQL").contains(true);

        long started = System.nanoTime();
        ConfigurableApplicationContext next = Servers.start(Map.of("eventsync.dev.data-dir", dataDir.resolve("postgres").toString(),
                "eventsync.dev.startup-wait", "10m"));
        try {
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(3));
            assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive)).as("the leftover stopped").isNotEqualTo(Optional.of(true));
            assertThat(DevelopmentFolder.postmasterPid(dataDir.resolve("postgres"))).isPresent().isNotEqualTo(Optional.of(leftover));
        } finally {
            next.close();
        }
    }

    /** A second server on the folder of a running one: one line naming it, no stack trace, no database touched. */
    @Test
    void aSecondServerOnTheSameFolderSaysWhichServerUsesIt() throws Exception {
        ConfigurableApplicationContext first = Servers.start(Map.of("eventsync.dev.data-dir", dataDir.resolve("postgres").toString()));
        try {
            long database = DevelopmentFolder.postmasterPid(dataDir.resolve("postgres")).orElseThrow();
            Path log = JavaProcesses.logFile("second-development-server-");
            Process second = serverProcess(log, Map.of());
            try {
                assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("exited; see " + log).isTrue();
            } finally {
                second.destroyForcibly();
            }
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readString(log))
                    .contains("another eventsync server uses " + dataDir.resolve("postgres").toAbsolutePath()
                            + " (pid " + ProcessHandle.current().pid() + ")")
                    .doesNotContain("\tat ")
                    .doesNotContain("Exception encountered during context initialization")
                    .doesNotContain("Started " + EventsyncApplication.class.getSimpleName());
            assertThat(DevelopmentFolder.postmasterPid(dataDir.resolve("postgres"))).contains(database);
            assertThat(new JdbcTemplate(first.getBean(DataSource.class)).queryForObject("select 1", Integer.class)).isEqualTo(1);
        } finally {
            first.close();
        }
    }

    @Test
    void helpPrintsTheUsageInsteadOfStartingAServer() throws Exception {
        Path log = JavaProcesses.logFile("server-help-");
        Process help = JavaProcesses.of(EventsyncApplication.class, List.of("--help"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
        assertThat(Files.readString(log)).contains("usage:").contains("healthcheck").contains("migrate")
                .doesNotContain("Starting " + EventsyncApplication.class.getSimpleName());
    }

    /**
     * What the Docker image does (it sets the environment variable): no datasource is a startup
     * error naming what to set, not an embedded database with the public secret.
     */
    @Test
    void withDevelopmentModeDisabledNoDatasourceIsAStartupErrorThatSaysWhatToSet() throws Exception {
        Path log = JavaProcesses.logFile("development-disabled-");
        Process server = serverProcess(log, Map.of("EVENTSYNC_DEV_ENABLED", "false"));
        try {
            assertThat(server.waitFor(90, TimeUnit.SECONDS)).as("exited within 90 s; see " + log).isTrue();
        } finally {
            server.destroyForcibly();
        }
        assertThat(server.exitValue()).as("exit code").isNotZero();
        assertThat(Files.readString(log))
                .contains("No database configured, and development mode")
                .contains("eventsync.dev.enabled=false")
                .contains("Set SPRING_DATASOURCE_URL")
                .doesNotContain("DEVELOPMENT MODE")
                .doesNotContain("Started " + EventsyncApplication.class.getSimpleName());
        assertThat(dataDir.resolve("postgres")).as("no embedded database created").doesNotExist();
    }

    /** A server process with nothing configured but the data folder, random ports and this environment. */
    private Process serverProcess(Path log, Map<String, String> environment) throws Exception {
        ProcessBuilder command = JavaProcesses.of(EventsyncApplication.class, List.of(
                "--eventsync.dev.data-dir=" + dataDir.resolve("postgres"), "--spring.grpc.server.port=0", "--server.port=0"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // a database or secret configured in this test's environment would replace development mode
        command.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("EVENTSYNC_"));
        command.environment().putAll(environment);
        return command.start();
    }

    @Test
    void aRealDatabaseWithoutAJwtSecretRefusesToStartAndSaysWhatToSet() {
        TestDatabase.Connection db = TestDatabase.get();
        Map<String, Object> noSecret = Map.of(
                "spring.datasource.url", db.url(),
                "spring.datasource.username", db.username() == null ? "" : db.username(),
                "spring.datasource.password", db.password() == null ? "" : db.password());
        assertThatThrownBy(() -> Servers.start(noSecret).close())
                .rootCause().hasMessageContaining("EVENTSYNC_AUTH_JWT_SECRET");
    }

    @Test
    void aShortJwtSecretRefusesToStart() {
        TestDatabase.Connection db = TestDatabase.get();
        Map<String, Object> shortSecret = Map.of(
                "spring.datasource.url", db.url(),
                "spring.datasource.username", db.username() == null ? "" : db.username(),
                "spring.datasource.password", db.password() == null ? "" : db.password(),
                "eventsync.auth.jwt-secret", "too-short");
        assertThatThrownBy(() -> Servers.start(shortSecret).close())
                .rootCause().hasMessageContaining("at least 32");
    }

    /**
     * The secret everyone can read in the README, set explicitly on a real database: the server
     * must not start (API.md v1.1, Development mode), whatever else is configured.
     */
    @Test
    void aRealDatabaseWithThePublicDevelopmentSecretRefusesToStartAndSaysWhy() {
        assertThatThrownBy(() -> Servers.startOnTestDatabase(Map.of("eventsync.auth.jwt-secret", AuthProperties.DEVELOPMENT_JWT_SECRET)).close())
                .rootCause().hasMessageContaining("public development secret")
                .hasMessageContaining("EVENTSYNC_AUTH_JWT_SECRET");
    }
}
