package dev.eventsync.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.support.Api;
import dev.eventsync.support.ControlledPostgres;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Uploads and downloads through the faults a phone meets (issue 14, item 6): the server process
 * SIGKILLed mid-upload and mid-download, the connection cut at random offsets, the database gone
 * while an upload completes. Each time the upload ends complete, once, byte-exact with the right
 * hash, resumed from what the server reported durable. Prints {@code FAULT …} lines.
 */
class MediaFaultsTest {

    static final int MIB = 1024 * 1024;
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    final UUID alice = UUID.randomUUID();

    @Test
    void anUploadAndADownloadCutBySigkillsOfTheServerResumeOnTheNextProcessByteExact() throws Exception {
        byte[] file = Media.file(12 * MIB + 4321, 61);
        String media = Events.newUuid();
        int port = ServerKillTest.freePort();
        List<Process> processes = new ArrayList<>();
        try (Api api = new Api(port)) {
            Api.User user = api.user(alice);
            Process server = Servers.startProcess(Servers.testDatabase(), port, "media-fault-server-", processes);

            // Mid-upload: 5 MiB sent, the server has made its first 4 MiB durable; SIGKILL.
            Media.Open call = Media.open(user).send(Media.start(media, file, 0)).send(Media.chunks(file, 0, 5 * MIB, 256 * 1024));
            await().atMost(WAIT).ignoreExceptionsMatching(Media::notStartedYet)
                    .until(() -> Media.status(user, media).getCommittedBytes() >= 4 * MIB);
            kill(server);
            assertCut(call);

            server = Servers.startProcess(Servers.testDatabase(), port, "media-fault-server-", processes);
            long committed = Media.status(user, media).getCommittedBytes();
            System.out.printf("FAULT media_server_sigkill_upload size=%d committed_after_restart=%d%n", file.length, committed);
            assertThat(committed).as("durable before the kill, kept after it").isBetween(4L * MIB, 5L * MIB);
            MediaStatus done = Media.upload(user, Media.start(media, file, committed),
                    Media.chunks(file, (int) committed, file.length, 256 * 1024));
            assertThat(done.getComplete()).isTrue();
            assertExactOnce(user, media, file);

            // Mid-download: three chunks read, SIGKILL, the rest from that offset on the next process.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Iterator<DownloadMediaChunk> stream = user.mediaStub()
                    .downloadMedia(DownloadMediaRequest.newBuilder().setMediaUuid(media).build());
            for (int i = 0; i < 3; i++) {
                received.writeBytes(stream.next().getData().toByteArray());
            }
            kill(server);
            try {
                stream.forEachRemaining(chunk -> received.writeBytes(chunk.getData().toByteArray()));
            } catch (StatusRuntimeException expected) {
                // cut where the kill cut it
            }
            long offset = received.size();
            assertThat(offset).as("the download was cut").isLessThan(file.length);
            Servers.startProcess(Servers.testDatabase(), port, "media-fault-server-", processes);
            List<DownloadMediaChunk> rest = Media.download(user, media, offset);
            assertThat(rest.get(0).getSha256()).isEqualTo(Media.sha256(file));
            received.writeBytes(Media.bytes(rest));
            System.out.printf("FAULT media_server_sigkill_download size=%d resumed_at=%d%n", file.length, offset);
            assertThat(Media.sha256(received.toByteArray())).isEqualTo(Media.sha256(file));
            assertThat(received.toByteArray()).isEqualTo(file);
        } finally {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anUploadCutAtRandomOffsetsResumesEachTimeFromTheCommittedBytesAndCompletesOnceByteExact() throws Exception {
        long seed = Long.getLong("eventsync.media-faults.seed", System.nanoTime()); // -D... replays a run's offsets
        Random random = new Random(seed);
        byte[] file = Media.file(22 * MIB + 777, 62);
        String media = Events.newUuid();
        ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(server))) {
            Api.User user = api.user(alice);
            List<Long> resumedAt = new ArrayList<>();
            int cuts = 4;
            for (int cut = 0; cut < cuts; cut++) {
                // Where the server stands (a call it is still closing answers UNAVAILABLE: ask again), then
                // resume from anywhere up to it: bytes it holds already are skipped.
                long committed = await().atMost(WAIT).ignoreException(StatusRuntimeException.class)
                        .until(() -> committed(user, media), c -> true);
                long from = committed == 0 ? 0 : committed - random.nextInt((int) Math.min(committed, 300_000) + 1);
                int chunk = 16 * 1024 + random.nextInt(512 * 1024);
                // Past the server's next 4 MiB durable step, so the cut comes after bytes it holds.
                int to = (int) Math.min(file.length - 1, committed + 4 * MIB + random.nextInt(2 * MIB));
                resumedAt.add(from);
                Media.Open call = Media.open(user).send(Media.start(media, file, from)).send(Media.chunks(file, (int) from, to, chunk));
                await().atMost(WAIT).until(() -> committed(user, media) > committed || call.answer().isDone());
                call.cancel(); // the connection cut wherever the stream is now
                assertCut(call);
            }
            MediaStatus done = await().atMost(WAIT).ignoreException(StatusRuntimeException.class).until(() -> {
                long committed = Media.status(user, media).getCommittedBytes();
                return Media.upload(user, Media.start(media, file, committed),
                        Media.chunks(file, (int) committed, file.length, 256 * 1024));
            }, MediaStatus::getComplete);
            System.out.printf("FAULT media_network_cut seed=%d cuts=%d resumed_at=%s%n", seed, cuts, resumedAt);
            assertThat(done.getComplete()).as("seed %d", seed).isTrue();
            assertExactOnce(user, media, file);
        } finally {
            server.close();
        }
    }

    @Test
    void anUploadWhoseCompletionMeetsTheDatabaseDownCompletesOnceAfterItIsBack() throws Exception {
        byte[] file = Media.file(6 * MIB + 99, 63);
        String media = Events.newUuid();
        try (ControlledPostgres postgres = ControlledPostgres.start(dir.resolve("postgres"))) {
            ConfigurableApplicationContext server = Servers.start(Servers.onDatabase(postgres.connection()));
            try (Api api = new Api(Servers.port(server))) {
                Api.User user = api.user(alice);
                Media.Open call = Media.open(user).send(Media.start(media, file, 0))
                        .send(Media.chunks(file, 0, 5 * MIB, 256 * 1024));
                await().atMost(WAIT).ignoreExceptionsMatching(Media::notStartedYet)
                        .until(() -> Media.status(user, media).getCommittedBytes() >= 4 * MIB);
                postgres.stop();
                // Every byte arrives; the hash matches; recording it complete needs the database.
                Status.Code atCompletion;
                try {
                    call.send(Media.chunks(file, 5 * MIB, file.length, 256 * 1024)).finish();
                    atCompletion = Status.Code.OK;
                } catch (StatusRuntimeException e) {
                    atCompletion = e.getStatus().getCode();
                }
                postgres.startAgain();
                MediaStatus done = await().atMost(WAIT).ignoreException(StatusRuntimeException.class).until(() -> {
                    long committed = Media.status(user, media).getCommittedBytes();
                    return Media.upload(user, Media.start(media, file, committed),
                            Media.chunks(file, (int) committed, file.length, 256 * 1024));
                }, MediaStatus::getComplete);
                System.out.printf("FAULT media_db_down_at_completion status_at_completion=%s then=complete%n", atCompletion);
                assertThat(atCompletion).as("what the uploader saw with the database gone").isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(done.getComplete()).isTrue();
                assertExactOnce(user, media, file);
            } finally {
                server.close();
            }
        }
    }

    /** The committed bytes; 0 for an upload the server does not know yet (NOT_FOUND). */
    private static long committed(Api.User user, String media) {
        try {
            return Media.status(user, media).getCommittedBytes();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return 0;
            }
            throw e;
        }
    }

    private static void kill(Process server) throws InterruptedException {
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no last record of the upload
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("server killed").isTrue();
    }

    /** The cut call ends with an error, never with a status claiming the upload. */
    private static void assertCut(Media.Open call) throws InterruptedException {
        try {
            MediaStatus answered = call.answer().get(60, TimeUnit.SECONDS);
            assertThat(answered.getComplete()).as("a cut call completing the upload").isFalse();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the cut call never ended", e);
        }
    }

    /** Complete with the file's hash, every byte as sent, and an upload of it again changes nothing. */
    private static void assertExactOnce(Api.User user, String media, byte[] file) {
        MediaStatus status = Media.status(user, media);
        assertThat(status.getComplete()).isTrue();
        assertThat(status.getCommittedBytes()).isEqualTo(file.length);
        List<DownloadMediaChunk> chunks = Media.download(user, media, 0);
        assertThat(chunks.get(0).getSizeBytes()).isEqualTo(file.length);
        assertThat(chunks.get(0).getSha256()).isEqualTo(Media.sha256(file));
        byte[] downloaded = Media.bytes(chunks);
        assertThat(Media.sha256(downloaded)).isEqualTo(Media.sha256(file));
        assertThat(downloaded).isEqualTo(file);
        MediaStatus again = Media.upload(user, Media.start(media, file, 0), List.of(ByteString.copyFrom(file, 0, 1024)));
        assertThat(again.getComplete()).as("uploading a complete media again: complete at once, nothing rewritten").isTrue();
    }
}
