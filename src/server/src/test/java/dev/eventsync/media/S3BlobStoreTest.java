package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.support.Media;
import dev.eventsync.support.S3Server;
import dev.eventsync.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The S3 store against a real S3 protocol server in this JVM (S3Proxy, see S3Server), its holds
 * in the real test PostgreSQL: the contract of every store, its object layout and its URLs.
 */
class S3BlobStoreTest extends BlobStoreContract {

    static final Duration TTL = Duration.ofMinutes(5);

    final S3Server s3 = S3Server.get();
    final String bucket = s3.newBucket();
    final S3BlobStore store = connect(bucket);
    final S3BlobStore other = connect(bucket);

    /** A pool as the server's: the locks' session is opened from its settings, under its own application name. */
    static final HikariDataSource DATABASE = pool();

    static HikariDataSource pool() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(TestDatabase.get().url());
        pool.setUsername(TestDatabase.get().username());
        pool.setPassword(TestDatabase.get().password() == null ? "" : TestDatabase.get().password());
        pool.setMaximumPoolSize(2);
        return pool;
    }

    static S3BlobStore connect(String bucket) {
        return connect(S3Server.get().endpoint(), bucket);
    }

    static S3BlobStore connect(URI endpoint, String bucket) {
        javax.sql.DataSource database = DATABASE;
        return S3BlobStore.connect(new MediaProperties.S3(endpoint, bucket, S3Server.REGION, true, TTL, 10), database);
    }

    @AfterEach
    void close() {
        store.close();
        other.close();
    }

    @Override
    BlobStore store() {
        return store;
    }

    @Override
    BlobStore otherServer() {
        return other;
    }

    @Override
    boolean holdsAnything(UUID media) {
        return !s3.keys(bucket, "incomplete/" + media).isEmpty() || !s3.keys(bucket, S3BlobStore.completeKey(media)).isEmpty();
    }

    @Test
    void anUploadIsSegmentsEachButTheLastAtLeast5MibThenOneObjectAndTheSegmentsGo() throws Exception {
        UUID media = UUID.randomUUID();
        byte[] file = Media.file(13 * MIB, 41);
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            for (int at = 0; at < file.length; at += 4 * MIB) {
                blob.append(ByteBuffer.wrap(file, at, Math.min(4 * MIB, file.length - at)));
                blob.sync();
            }
            // 4 MiB was grown to 8 at the next sync; then 12, a segment of 4 grown to 5
            assertThat(s3.keys(bucket, S3BlobStore.segmentsPrefix(media)))
                    .containsExactly(S3BlobStore.segmentKey(media, 0), S3BlobStore.segmentKey(media, 8 * MIB));
            blob.complete();
        }
        assertThat(s3.keys(bucket, S3BlobStore.segmentsPrefix(media))).isEmpty();
        assertThat(s3.keys(bucket, S3BlobStore.completeKey(media))).containsExactly(S3BlobStore.completeKey(media));
        assertThat(s3.client().headObject(b -> b.bucket(bucket).key(S3BlobStore.completeKey(media))).contentLength())
                .isEqualTo(file.length);
        assertThat(read(media, 0)).isEqualTo(file);
    }

    @Test
    void unsyncedBytesAreNotStoredAndAGapIsNotTrusted() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            blob.sync();
            blob.append(ByteBuffer.wrap(new byte[] {4, 5}));
        }
        // a segment after a gap, as no sync writes: not part of the upload
        s3.client().putObject(b -> b.bucket(bucket).key(S3BlobStore.segmentKey(media, 10)),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {9}));
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(100)).isEqualTo(3);
        }
        assertThat(s3.keys(bucket, S3BlobStore.segmentsPrefix(media))).containsExactly(S3BlobStore.segmentKey(media, 0));
    }

    @Test
    void aPresignedUrlDownloadsTheMediaByteExactUntilItExpires() throws Exception {
        UUID media = UUID.randomUUID();
        byte[] file = Media.file(300_000, 42);
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(file));
            blob.sync();
            blob.complete();
        }
        Instant before = Instant.now();
        BlobStore.PresignedUrl url = store.presignedUrl(media).orElseThrow();
        assertThat(url.expiresAt()).isBetween(before.plus(TTL).minusSeconds(5), Instant.now().plus(TTL).plusSeconds(5));
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.url()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(file);
        URI unsigned = URI.create(url.url().toString().replaceFirst("\\?.*$", ""));
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(unsigned).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).as("without its signature").isEqualTo(403);
    }

    @Test
    void aLostPostgresSessionLosesTheHoldAndTheCallCannotSyncAnymore() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(new byte[] {1}));
            try (var admin = java.sql.DriverManager.getConnection(TestDatabase.get().url(), TestDatabase.get().username(),
                    TestDatabase.get().password() == null ? "" : TestDatabase.get().password());
                 var kill = admin.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?")) {
                kill.setString(1, UploadLocks.APPLICATION_NAME);
                kill.execute();
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(blob::sync).hasMessageContaining("lost");
        }
        assertThat(holdsAnything(media)).as("nothing written after the hold was lost").isFalse();
    }
}
