package dev.eventsync.media;

import static dev.eventsync.support.Api.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Timestamps;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.GetMediaUrlRequest;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.MediaUrl;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.S3Server;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * MediaService end to end over real gRPC with the S3 store (S3Proxy in this JVM, a bucket of
 * this class's): upload, resume, download, GetMediaUrl's URL fetched over HTTP, and erasure
 * reaching the bucket (a message delete, the lifecycle job).
 */
@ServerTest
@TestPropertySource(properties = {"eventsync.media.max-size=30MB", "eventsync.media.cleanup-interval=1h",
        "eventsync.media.s3.url-ttl=2m"})
class S3MediaTest {

    static final int KIB = 1024;
    static final int MIB = 1024 * KIB;
    static final Duration TTL = Duration.ofMinutes(2);
    static final String BUCKET = S3Server.get().newBucket();

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        S3Server.get().properties(BUCKET).forEach((name, value) -> registry.add(name, () -> value));
    }

    @LocalGrpcServerPort
    int port;

    @Autowired
    MediaLifecycle lifecycle;

    @Autowired
    BlobStore store;

    final S3Server s3 = S3Server.get();
    Api api;
    Api.User alice;
    Api.User bob;
    Api.User carol;
    String chat;

    @BeforeEach
    void users() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
        carol = api.newUser();
        chat = Events.newUuid();
        assertThat(alice.submit(Events.createConversation(chat, "chat", bob.uuid())).hasAccepted()).isTrue();
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    boolean inBucket(String media) {
        return !s3.keys(BUCKET, "complete/" + media).isEmpty() || !s3.keys(BUCKET, "incomplete/" + media + "/").isEmpty();
    }

    String send(String media) {
        EventResult sent = alice.submit(Events.sendWithAttachments(chat, "", Events.attachment(media, "f.bin")));
        assertThat(sent.hasAccepted()).as(sent.toString()).isTrue();
        return sent.getAccepted().getMessageUuid();
    }

    static MediaUrl url(Api.User user, String media) {
        return user.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build());
    }

    @Test
    void anUploadStoppedMidWayResumesCompletesAndDownloadsByteExactAsTheObjectInTheBucket() {
        assertThat(store).isInstanceOf(S3BlobStore.class);
        byte[] file = Media.file(11 * MIB + 17, 51);
        String media = Events.newUuid();
        MediaStatus partial = Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, 6 * MIB + 3, 256 * KIB));
        assertThat(partial.getCommittedBytes()).isEqualTo(6 * MIB + 3);
        assertThat(s3.keys(BUCKET, "incomplete/" + media + "/")).isNotEmpty();
        assertThat(Media.status(alice, media).getCommittedBytes()).isEqualTo(6 * MIB + 3);

        int from = (int) partial.getCommittedBytes() - 1000; // below the committed bytes: those already held are skipped
        MediaStatus done = Media.upload(alice, Media.start(media, file, from), Media.chunks(file, from, file.length, 256 * KIB));
        assertThat(done.getComplete()).isTrue();
        assertThat(s3.keys(BUCKET, "incomplete/" + media + "/")).as("the segments are gone").isEmpty();
        assertThat(s3.client().headObject(b -> b.bucket(BUCKET).key("complete/" + media)).contentLength()).isEqualTo(file.length);
        byte[] downloaded = Media.bytes(Media.download(alice, media, 0));
        assertThat(Media.sha256(downloaded)).isEqualTo(Media.sha256(file));
        assertThat(downloaded).isEqualTo(file);
        assertThat(Media.bytes(Media.download(alice, media, file.length - 10))).hasSize(10);
        assertThat(Media.download(alice, media, file.length)).hasSize(1);
    }

    @Test
    void getMediaUrlPresignsAUrlThatDownloadsTheMediaByteExactForWhoMayReadItOnly() throws Exception {
        byte[] file = Media.file(700 * KIB, 52);
        String media = Events.newUuid();
        assertThat(Media.uploadWhole(alice, media, file).getComplete()).isTrue();
        send(media);

        Instant before = Instant.now();
        MediaUrl url = url(bob, media);
        Instant expires = Instant.ofEpochMilli(Timestamps.toMillis(url.getExpiresAt()));
        assertThat(expires).isBetween(before.plus(TTL).minusSeconds(5), Instant.now().plus(TTL).plusSeconds(5));
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.getUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(file);

        assertStatus(() -> url(carol, media), Status.Code.NOT_FOUND);
        assertStatus(() -> url(alice, Events.newUuid()), Status.Code.NOT_FOUND);
    }

    @Test
    void aDeletedMessagesMediaIsGoneFromTheBucketWhenTheDeleteIsAnswered() {
        String media = Events.newUuid();
        assertThat(Media.uploadWhole(alice, media, Media.file(300 * KIB, 53)).getComplete()).isTrue();
        String message = send(media);
        assertThat(inBucket(media)).isTrue();

        assertThat(alice.submit(Events.delete(chat, message)).hasAccepted()).isTrue();
        assertThat(inBucket(media)).isFalse();
        assertStatus(() -> Media.download(bob, media, 0), Status.Code.NOT_FOUND);
        assertStatus(() -> url(alice, media), Status.Code.NOT_FOUND);
    }

    @Test
    void theLifecycleJobErasesAnExpiredUploadsSegmentsAndAnUnreferencedMediaFromTheBucket() throws Exception {
        byte[] file = Media.file(MIB, 54);
        String incomplete = Events.newUuid();
        Media.upload(alice, Media.start(incomplete, file, 0), Media.chunks(file, 0, 100 * KIB, 50 * KIB));
        String unreferenced = Events.newUuid();
        assertThat(Media.uploadWhole(alice, unreferenced, file).getComplete()).isTrue();
        assertThat(inBucket(incomplete)).isTrue();
        assertThat(inBucket(unreferenced)).isTrue();

        lifecycle.runOnce(Instant.now().plus(Duration.ofHours(25)));
        assertThat(inBucket(incomplete)).isFalse();
        assertThat(inBucket(unreferenced)).isTrue();
        lifecycle.runOnce(Instant.now().plus(Duration.ofDays(8)));
        assertThat(inBucket(unreferenced)).isFalse();
        assertStatus(() -> Media.status(alice, incomplete), Status.Code.NOT_FOUND);
    }

    @Test
    void aSecondConcurrentUploadOfOneMediaIsUnavailable() {
        byte[] file = Media.file(6 * MIB, 55);
        String media = Events.newUuid();
        Media.Open first = Media.open(alice).send(Media.start(media, file, 0)).send(Media.chunks(file, 0, 5 * MIB, 256 * KIB));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(alice, media).getCommittedBytes() >= 4 * MIB);
        assertStatus(() -> Media.upload(alice, Media.start(media, file, 0), List.of()), Status.Code.UNAVAILABLE);
        assertThat(first.send(Media.chunks(file, 5 * MIB, file.length, 256 * KIB)).finish().getComplete()).isTrue();
        assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
    }
}
