package dev.eventsync.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.eventsync.client.UploadCall;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadStart;
import io.grpc.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * W7: media over gRPC beside the disk it lands on. One large file (100 MB; 20 MB with --quick)
 * uploaded and downloaded by one client, then 1,000 files of 100 KB (200 with --quick) by 16
 * clients, each its own user on its own channel. BASE disk_write / disk_read are the same bytes
 * written with an fsync per file straight into a folder on the server's media filesystem, and read
 * back, by as many threads, in the same run. Uploads send 256 KiB chunks under flow control, as
 * the reference client does; the server checks every upload's SHA-256. Downloads count the bytes
 * and check the size and hash the server announces (not re-hashed: neither is BASE's read). A
 * warm-up of 40 files of 1 MiB, up and down, comes first, unreported.
 */
final class MediaBenchmark {

    static final int CHUNK = 256 * 1024;
    static final int CLIENTS = 16;
    static final int SMALL = 100 * 1000;
    static final int WARM_UP_FILES = 40;

    private final Function<UUID, Channel> channels;
    private final LineOut out;
    private final Map<String, Object> results;
    private final Callable<Long> serverHeapMb;
    private final Path disk;
    private final int largeBytes;
    private final int smallFiles;

    /** Where the lines go ({@code printf}-like). */
    interface LineOut {
        void line(String format, Object... args);
    }

    MediaBenchmark(Function<UUID, Channel> channels, LineOut out, Map<String, Object> results, Callable<Long> serverHeapMb,
            Path disk, boolean quick) {
        this.channels = channels;
        this.out = out;
        this.results = results;
        this.serverHeapMb = serverHeapMb;
        this.disk = disk;
        this.largeBytes = quick ? 20 * 1000 * 1000 : 100 * 1000 * 1000; // under the server's default 100 MB limit
        this.smallFiles = quick ? 200 : 1000;
    }

    /** A file's bytes, its SHA-256 and the media uuid it is uploaded as. */
    private record Blob(String media, byte[] bytes, ByteString sha256) {}

    void run() throws Exception {
        Files.createDirectories(disk);
        try {
            // Warm-up, unreported: both JVMs compile the upload and download paths first.
            UUID warmer = UUID.randomUUID();
            Random warmRandom = new Random(6);
            for (int i = 0; i < WARM_UP_FILES; i++) {
                Blob warm = blob(warmRandom, 4 * CHUNK + 1);
                upload(warmer, warm);
                download(warmer, warm);
            }
            Blob large = blob(new Random(7), largeBytes);
            long heapBefore = serverHeapMb.call();
            double baseWriteLarge = mbPerSecond(largeBytes, timed(() -> writeWithFsync(List.of(large), 1)));
            UUID owner = UUID.randomUUID();
            double uploadLarge = mbPerSecond(largeBytes, timed(() -> upload(owner, large)));
            long heapAfterUpload = serverHeapMb.call();
            double baseReadLarge = mbPerSecond(largeBytes, timed(() -> readBack(List.of(large), 1)));
            double downloadLarge = mbPerSecond(largeBytes, timed(() -> download(owner, large)));
            long heapAfterDownload = serverHeapMb.call();
            out.line("BASE disk_write large_mb_per_s=%.1f size_mb=%d fsync=per_file", baseWriteLarge, largeBytes / 1_000_000);
            out.line("BASE disk_read large_mb_per_s=%.1f size_mb=%d", baseReadLarge, largeBytes / 1_000_000);
            out.line("W7 media upload_large_mb_per_s=%.1f download_large_mb_per_s=%.1f size_mb=%d server_heap_mb=%d/%d/%d"
                            + " (before/after upload/after download)", uploadLarge, downloadLarge, largeBytes / 1_000_000,
                    heapBefore, heapAfterUpload, heapAfterDownload);
            out.line("RATIO W7/BASE upload_large=%.2f download_large=%.2f", uploadLarge / baseWriteLarge, downloadLarge / baseReadLarge);
            results.put("w7_upload_large_mb_per_s", round(uploadLarge));
            results.put("w7_download_large_mb_per_s", round(downloadLarge));
            results.put("w7_base_disk_write_large_mb_per_s", round(baseWriteLarge));
            results.put("w7_base_disk_read_large_mb_per_s", round(baseReadLarge));
            results.put("w7_server_heap_mb_after_large", heapAfterDownload);
            deleteBaseFiles();

            List<Blob> small = new ArrayList<>(smallFiles);
            Random random = new Random(8);
            for (int i = 0; i < smallFiles; i++) {
                small.add(blob(random, SMALL));
            }
            long smallBytes = (long) SMALL * smallFiles;
            List<UUID> users = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                users.add(UUID.randomUUID());
            }
            double baseWriteSmall = timed(() -> writeWithFsync(small, CLIENTS));
            double uploadSmall = timed(() -> eachClient(users, small, this::upload));
            double baseReadSmall = timed(() -> readBack(small, CLIENTS));
            double downloadSmall = timed(() -> eachClient(users, small, this::download));
            long heapAfterSmall = serverHeapMb.call();
            out.line("BASE disk_write small_files_per_s=%.0f small_mb_per_s=%.1f files=%d threads=%d fsync=per_file",
                    smallFiles / baseWriteSmall, mbPerSecond(smallBytes, baseWriteSmall), smallFiles, CLIENTS);
            out.line("BASE disk_read small_files_per_s=%.0f small_mb_per_s=%.1f files=%d threads=%d",
                    smallFiles / baseReadSmall, mbPerSecond(smallBytes, baseReadSmall), smallFiles, CLIENTS);
            out.line("W7 media upload_small_files_per_s=%.0f upload_small_mb_per_s=%.1f download_small_files_per_s=%.0f"
                            + " download_small_mb_per_s=%.1f files=%d clients=%d server_heap_mb=%d",
                    smallFiles / uploadSmall, mbPerSecond(smallBytes, uploadSmall), smallFiles / downloadSmall,
                    mbPerSecond(smallBytes, downloadSmall), smallFiles, CLIENTS, heapAfterSmall);
            out.line("RATIO W7/BASE upload_small=%.2f download_small=%.2f", baseWriteSmall / uploadSmall, baseReadSmall / downloadSmall);
            results.put("w7_upload_small_files_per_s", round(smallFiles / uploadSmall));
            results.put("w7_download_small_files_per_s", round(smallFiles / downloadSmall));
            results.put("w7_base_disk_write_small_files_per_s", round(smallFiles / baseWriteSmall));
            results.put("w7_base_disk_read_small_files_per_s", round(smallFiles / baseReadSmall));
            results.put("w7_server_heap_mb_after_small", heapAfterSmall);
        } finally {
            deleteBaseFiles();
        }
    }

    // ---- over gRPC ----

    /** One UploadMedia call with the whole file, chunks sent while the call is ready (the reference client's call). */
    private Void upload(UUID user, Blob blob) throws Exception {
        int[] at = {0};
        MediaStatus status = UploadCall.run(MediaServiceGrpc.newStub(channels.apply(user)), UploadStart.newBuilder()
                .setMediaUuid(blob.media()).setContentType("application/octet-stream").setSizeBytes(blob.bytes().length)
                .setSha256(blob.sha256()).build(), () -> {
                    if (at[0] == blob.bytes().length) {
                        return null;
                    }
                    int length = Math.min(CHUNK, blob.bytes().length - at[0]);
                    ByteString chunk = UnsafeByteOperations.unsafeWrap(blob.bytes(), at[0], length);
                    at[0] += length;
                    return chunk;
                });
        if (!status.getComplete()) {
            throw new IllegalStateException("W7: upload of " + blob.media() + " not complete: " + status);
        }
        return null;
    }

    private Void download(UUID user, Blob blob) {
        Iterator<DownloadMediaChunk> chunks = MediaServiceGrpc.newBlockingStub(channels.apply(user))
                .downloadMedia(DownloadMediaRequest.newBuilder().setMediaUuid(blob.media()).build());
        long received = 0;
        boolean first = true;
        while (chunks.hasNext()) {
            DownloadMediaChunk chunk = chunks.next();
            if (first && (chunk.getSizeBytes() != blob.bytes().length || !chunk.getSha256().equals(blob.sha256()))) {
                throw new IllegalStateException("W7: the server announces another file for " + blob.media());
            }
            first = false;
            received += chunk.getData().size();
        }
        if (received != blob.bytes().length) {
            throw new IllegalStateException("W7: downloaded " + received + " of " + blob.bytes().length + " bytes");
        }
        return null;
    }

    /** Client c works through files c, c + 16, c + 32…, each client on its own thread, as its own user. */
    private Void eachClient(List<UUID> users, List<Blob> files, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(users.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < users.size(); c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    for (int i = client; i < files.size(); i += users.size()) {
                        work.apply(users.get(client), files.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return null;
    }

    @FunctionalInterface
    private interface Work {
        Void apply(UUID user, Blob blob) throws Exception;
    }

    // ---- BASE: the same bytes straight on the disk ----

    private Void writeWithFsync(List<Blob> files, int threads) throws Exception {
        return inThreads(files, threads, blob -> {
            try (FileChannel file = FileChannel.open(disk.resolve(blob.media()), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                for (int at = 0; at < blob.bytes().length; at += CHUNK) {
                    ByteBuffer chunk = ByteBuffer.wrap(blob.bytes(), at, Math.min(CHUNK, blob.bytes().length - at));
                    while (chunk.hasRemaining()) {
                        file.write(chunk);
                    }
                }
                file.force(true);
            }
        });
    }

    private Void readBack(List<Blob> files, int threads) throws Exception {
        return inThreads(files, threads, blob -> {
            byte[] buffer = new byte[CHUNK];
            long read = 0;
            try (InputStream in = Files.newInputStream(disk.resolve(blob.media()))) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    read += n;
                }
            }
            if (read != blob.bytes().length) {
                throw new IllegalStateException("BASE read " + read + " of " + blob.bytes().length + " bytes");
            }
        });
    }

    @FunctionalInterface
    private interface FileWork {
        void apply(Blob blob) throws IOException;
    }

    private Void inThreads(List<Blob> files, int threads, FileWork work) throws Exception {
        List<UUID> lanes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            lanes.add(null);
        }
        return eachClient(lanes, files, (lane, blob) -> {
            work.apply(blob);
            return null;
        });
    }

    private void deleteBaseFiles() throws IOException {
        try (var files = Files.list(disk)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }

    // ---- helpers ----

    private static Blob blob(Random random, int size) throws NoSuchAlgorithmException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return new Blob(UUID.randomUUID().toString(), bytes, ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    /** Seconds the work took. */
    private static double timed(Callable<Void> work) throws Exception {
        long start = System.nanoTime();
        work.call();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double mbPerSecond(long bytes, double seconds) {
        return bytes / 1e6 / seconds;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
