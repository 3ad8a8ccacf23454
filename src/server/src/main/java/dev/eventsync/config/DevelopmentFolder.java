package dev.eventsync.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data folder of the embedded development database, held by one server at a time: the
 * server holds an OS file lock on {@code <folder>.lock} (which names its pid) while it runs, and
 * the OS releases it when the server dies, even by {@code kill -9}.
 *
 * <p>A PostgreSQL still running on the folder while no server holds it is a leftover of a killed
 * server (PostgreSQL outlives the JVM that launched it): {@link #stopLeftoverPostgres} stops it
 * if its arguments name this folder, and otherwise says exactly what runs there. Both happen
 * before zonky starts, so a start after a crash takes seconds instead of zonky's startup wait.
 */
final class DevelopmentFolder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevelopmentFolder.class);
    static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** zonky's own lock file in the data folder, held while an EmbeddedPostgres object owns it. */
    private static final String ZONKY_LOCK = "epg-lock";

    private final Path dataDir;
    private final FileChannel channel;
    private final FileLock lock;

    private DevelopmentFolder(Path dataDir, FileChannel channel, FileLock lock) {
        this.dataDir = dataDir;
        this.channel = channel;
        this.lock = lock;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The lock file beside the data folder: {@code .eventsync/postgres.lock} for the default one. */
    static Path lockFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".lock");
    }

    /** Takes the folder for this server, or fails naming the server that has it. */
    static DevelopmentFolder claim(Path dataDir) throws IOException {
        Files.createDirectories(dataDir.getParent());
        Path file = lockFile(dataDir);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new DevelopmentFolderException("another eventsync server uses " + dataDir
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")"),
                    "stop that server first, or give this one another folder with --eventsync.dev.data-dir=<folder>");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        return new DevelopmentFolder(dataDir, channel, lock);
    }

    /**
     * If {@code postmaster.pid} names a live process: stops it when it is a PostgreSQL on this
     * folder that no one owns (a leftover), else fails saying what runs there and how to stop it.
     * A pid file whose process is gone is PostgreSQL's own business (it starts over it).
     */
    void stopLeftoverPostgres() {
        Optional<ProcessHandle> named = postmasterPid(dataDir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (named.isEmpty()) {
            return;
        }
        ProcessHandle process = named.get();
        if (!runsOn(process, dataDir)) {
            throw new DevelopmentFolderException(dataDir.resolve("postmaster.pid") + " names pid " + process.pid()
                    + ", which is not a PostgreSQL on this folder: " + describe(process),
                    "if it is a PostgreSQL on " + dataDir + ", stop it (kill -INT " + process.pid() + ");"
                            + " if it is some other program, the pid file is stale: delete " + dataDir.resolve("postmaster.pid"));
        }
        if (zonkyLockHeld()) {
            // An eventsync server of an older build (no lock file), or another zonky user in this JVM.
            throw new DevelopmentFolderException("another process uses " + dataDir + " (its PostgreSQL is pid "
                    + process.pid() + ")", "stop the program that started it, or give this server another folder"
                    + " with --eventsync.dev.data-dir=<folder>");
        }
        log.warn("the embedded PostgreSQL of an earlier server still runs on {} (pid {}), no server owns it: stopping it",
                dataDir, process.pid());
        process.destroy(); // SIGTERM: PostgreSQL's smart shutdown; the dead server's connections are gone
        if (!waitForExit(process, STOP_WAIT)) {
            throw new DevelopmentFolderException("the leftover PostgreSQL on " + dataDir + " (pid " + process.pid()
                    + ") did not stop within " + STOP_WAIT.toSeconds() + " s", "stop it with kill -INT " + process.pid()
                    + " (fast shutdown), then start again");
        }
        log.info("stopped the leftover PostgreSQL (pid {})", process.pid());
    }

    private boolean zonkyLockHeld() {
        Path file = dataDir.resolve(ZONKY_LOCK);
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel zonky = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock probe = zonky.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException sameJvm) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String describe(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        String user = info.user().map(u -> " (user " + u + ")").orElse("");
        return info.commandLine().or(info::command).orElse("a process this user cannot inspect") + user;
    }

    static boolean runsOn(ProcessHandle process, Path dataDir) {
        return process.info().arguments().map(List::of).orElse(List.of()).contains(dataDir.toString());
    }

    /** Whether the process exited within the wait. */
    static boolean waitForExit(ProcessHandle process, Duration wait) {
        return process.onExit().completeOnTimeout(null, wait.toSeconds(), TimeUnit.SECONDS).join() != null;
    }

    /** The first line of PostgreSQL's lock file: the postmaster's pid, while one runs or after a crash. */
    static Optional<Long> postmasterPid(Path dataDir) {
        try (Stream<String> lines = Files.lines(dataDir.resolve("postmaster.pid"))) {
            return lines.findFirst().map(String::trim).map(Long::valueOf);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Releases the folder; called after the database stopped. The file stays (removing it would race the next claim). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
