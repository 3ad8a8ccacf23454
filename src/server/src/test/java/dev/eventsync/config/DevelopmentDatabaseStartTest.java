package dev.eventsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed start of the embedded database leaves no PostgreSQL running, and touches no one else's. */
class DevelopmentDatabaseStartTest {

    @TempDir
    Path dataDir;

    private EmbeddedPostgres.Builder builder() {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false);
    }

    @Test
    void aStartThatGivesUpWaitingStopsThePostgresItLaunched() throws Exception {
        // zonky launches PostgreSQL, then gives up at once: the case of a slow crash recovery
        assertThatThrownBy(() -> DevelopmentDatabase.start(builder().setPGStartupWait(Duration.ZERO), dataDir))
                .hasMessageContaining("Gave up waiting");

        assertThat(dataDir.resolve("postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString())))
                .as("no process runs on the data directory").isEmpty();
    }

    @Test
    void aStartOnADirectoryInUseLeavesTheRunningDatabaseAlone() throws Exception {
        try (EmbeddedPostgres running = DevelopmentDatabase.start(builder(), dataDir)) {
            assertThatThrownBy(() -> DevelopmentDatabase.start(builder(), dataDir)).isNotNull();

            assertThat(Files.exists(dataDir.resolve("postmaster.pid"))).isTrue();
            assertThat(selectOne(running)).as("the running database still answers").isEqualTo(1);
        }
    }

    private static int selectOne(EmbeddedPostgres postgres) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                ResultSet row = connection.createStatement().executeQuery("select 1")) {
            row.next();
            return row.getInt(1);
        }
    }
}
