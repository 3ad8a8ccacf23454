package dev.eventsync.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL of one test's own, which the test may restart or whose backends it may stop:
 * zonky's embedded binaries (the settings of {@link TestDatabase#embedded()}) on a data folder
 * and a port fixed for its whole life, so a restart brings it back where the server's pool looks
 * for it. The shared {@link TestDatabase} is never disturbed. Restarts use the {@code pg_ctl}
 * beside the running {@code postgres} binary, run as zonky runs it (in a user namespace when the
 * tests run as root, where PostgreSQL refuses to start).
 */
public final class ControlledPostgres implements AutoCloseable {

    private static final Duration COMMAND_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private Path stoppedBinary;

    private ControlledPostgres(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /** Starts a new cluster in {@code dataDir} (an empty folder) on a free port. */
    public static ControlledPostgres start(Path dataDir) throws IOException {
        EmbeddedPostgres postgres = TestDatabase.embedded()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setPort(freePort())
                .start();
        return new ControlledPostgres(postgres, dataDir);
    }

    public TestDatabase.Connection connection() {
        return new TestDatabase.Connection(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", "embedded, controlled");
    }

    /**
     * {@code pg_ctl restart -m <mode>}: {@code fast} (clients disconnected, a shutdown
     * checkpoint) or {@code immediate} (every process quits at once; crash recovery at start).
     * Returns when the restarted server accepts connections.
     */
    public void restart(String mode) throws IOException, InterruptedException {
        pgCtl("restart", "-m", mode);
    }

    /**
     * {@code pg_ctl stop -m fast}: the database is gone (connections refused) until {@link #startAgain}.
     */
    public void stop() throws IOException, InterruptedException {
        stoppedBinary = postgresBinary();
        pgCtl(stoppedBinary, "stop", "-m", "fast");
    }

    /** Starts the stopped cluster again with the options it ran with (its port too); returns when it accepts connections. */
    public void startAgain() throws IOException, InterruptedException {
        if (stoppedBinary == null) {
            throw new IllegalStateException("not stopped");
        }
        // postmaster.opts: the binary, then its arguments, each in double quotes (what pg_ctl restart reuses).
        String opts = Files.readString(dataDir.resolve("postmaster.opts")).trim();
        pgCtl(stoppedBinary, "start", "-o", opts.substring(opts.indexOf(' ') + 1));
        stoppedBinary = null;
    }

    /** The pid of the postmaster, from its pid file. */
    public long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to one process of this cluster. */
    public static void signal(long pid, String signal) throws IOException, InterruptedException {
        run(List.of("kill", "-" + signal, Long.toString(pid)));
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    private void pgCtl(String... arguments) throws IOException, InterruptedException {
        pgCtl(postgresBinary(), arguments);
    }

    private Path postgresBinary() throws IOException {
        return ProcessHandle.of(postmasterPid()).flatMap(p -> p.info().command()).map(Path::of)
                .orElseThrow(() -> new IOException("the postmaster of " + dataDir + " is not running"));
    }

    private void pgCtl(Path postgresBinary, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(postgresBinary.resolveSibling("pg_ctl").toString());
        command.addAll(List.of("-D", dataDir.toString(), "-w", "-t", Long.toString(COMMAND_WAIT.toSeconds())));
        command.addAll(List.of(arguments));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Path output = JavaProcesses.logFile("controlled-postgres-command-");
        // The restarted postmaster inherits this output: a file, never a pipe nobody reads.
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(COMMAND_WAIT.toSeconds() + 10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish; see " + output);
        }
        if (process.exitValue() != 0) {
            throw new IOException(command + " failed (exit " + process.exitValue() + "): " + Files.readString(output));
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
