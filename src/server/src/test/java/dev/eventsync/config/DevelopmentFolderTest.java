package dev.eventsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development data folder: one server at a time, and a pid file naming someone else's program is left alone. */
class DevelopmentFolderTest {

    @TempDir
    Path dir;

    @Test
    void aFolderHeldByAServerIsRefusedWithThatServersPid() throws Exception {
        Path dataDir = dir.resolve("postgres");
        try (DevelopmentFolder held = DevelopmentFolder.claim(dataDir)) {
            assertThatThrownBy(() -> DevelopmentFolder.claim(dataDir))
                    .isInstanceOf(DevelopmentFolderException.class)
                    .hasMessage("another eventsync server uses " + dataDir + " (pid " + ProcessHandle.current().pid() + ")");
        }
        try (DevelopmentFolder again = DevelopmentFolder.claim(dataDir)) {
            assertThat(again.dataDir()).as("released by close").isEqualTo(dataDir);
        }
    }

    @Test
    void aPidFileNamingAnotherProgramSaysWhatRunsThereAndLeavesItRunning() throws Exception {
        Path dataDir = dir.resolve("postgres");
        Files.createDirectories(dataDir);
        Process other = new ProcessBuilder("sleep", "300").start();
        try (DevelopmentFolder folder = DevelopmentFolder.claim(dataDir)) {
            Files.writeString(dataDir.resolve("postmaster.pid"), other.pid() + "\n" + dataDir + "\n");

            assertThatThrownBy(folder::stopLeftoverPostgres)
                    .isInstanceOf(DevelopmentFolderException.class)
                    .hasMessageContaining("names pid " + other.pid())
                    .hasMessageContaining("sleep 300")
                    .satisfies(e -> assertThat(((DevelopmentFolderException) e).action())
                            .contains("delete " + dataDir.resolve("postmaster.pid")));
            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aPidFileOfAProcessThatIsGoneIsLeftToPostgres() throws Exception {
        Path dataDir = dir.resolve("postgres");
        Files.createDirectories(dataDir);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (DevelopmentFolder folder = DevelopmentFolder.claim(dataDir)) {
            Files.writeString(dataDir.resolve("postmaster.pid"), gone.pid() + "\n");
            folder.stopLeftoverPostgres();
            assertThat(dataDir.resolve("postmaster.pid")).as("PostgreSQL replaces a stale pid file itself").exists();
        }
    }
}
