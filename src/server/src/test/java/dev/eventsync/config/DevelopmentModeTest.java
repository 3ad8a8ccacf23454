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
        String token = Tokens.mint(AuthProperties.DEVELOPMENT_JWT_SECRET, alice, Duration.ofMinutes(5), Instant.now());
        Event created = Events.createConversation(Events.newUuid(), "kept on disk");

        ConfigurableApplicationContext first = Servers.start(nothingButTheDataDir);
        try (Api api = new Api(Servers.port(first))) {
            assertThat(first.getBean(DevelopmentMode.class)).isNotNull();
            JdbcTemplate jdbc = new JdbcTemplate(first.getBean(DataSource.class));
            assertThat(jdbc.queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
            assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("on");
            var result = api.stub("Bearer " + token).sync(SyncRequest.newBuilder().addEvents(created).build());
            assertThat(result.getResults(0).hasAccepted()).as("the development secret is accepted").isTrue();
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
        ProcessBuilder command = JavaProcesses.of(EventsyncApplication.class, List.of(
                "--eventsync.dev.data-dir=" + dataDir.resolve("postgres"), "--spring.grpc.server.port=0", "--server.port=0"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // development mode only: a database or secret configured in this environment would replace it
        command.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("EVENTSYNC_"));
        Process server = command.start();
        try {
            await().atMost(Duration.ofSeconds(90)).failFast("the server exited during startup; see " + log, () -> !server.isAlive())
                    .until(() -> Files.readString(log).contains("Started " + EventsyncApplication.class.getSimpleName()));
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
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

    @Test
    void theDevelopmentSecretIsRefusedByAServerWithItsOwnSecret() throws Exception {
        ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(server))) {
            String devToken = Tokens.mint(AuthProperties.DEVELOPMENT_JWT_SECRET, UUID.randomUUID(), Duration.ofMinutes(5), Instant.now());
            assertThatThrownBy(() -> api.stub("Bearer " + devToken).sync(SyncRequest.getDefaultInstance()))
                    .hasMessageContaining("UNAUTHENTICATED");
        } finally {
            server.close();
        }
    }
}
