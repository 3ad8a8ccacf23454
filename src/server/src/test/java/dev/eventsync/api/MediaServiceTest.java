package dev.eventsync.api;

import static dev.eventsync.support.Api.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.GetMediaStatusRequest;
import dev.eventsync.proto.v1.GetMediaUrlRequest;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.UploadMediaRequest;
import dev.eventsync.proto.v1.UploadStart;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.ServerTest;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/** MediaService (API.md v1.1) over real gRPC on the filesystem store: resumable uploads, downloads, every refusal. */
@ServerTest
@TestPropertySource(properties = {"eventsync.media.max-size=30MB", "eventsync.media.max-incomplete-uploads=3"})
class MediaServiceTest {

    static final int KIB = 1024;
    static final int MIB = 1024 * KIB;

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;
    Api.User alice;
    Api.User bob;

    @BeforeEach
    void users() {
        api = new Api(port);
        alice = api.newUser();
        bob = api.newUser();
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    static Path part(String media) {
        return Path.of(Servers.MEDIA_ROOT, "incomplete", media + ".part");
    }

    static Path complete(String media) {
        return Path.of(Servers.MEDIA_ROOT, "complete", media);
    }

    @Nested
    class Uploading {

        @Test
        void aWholeFileInChunksIsCompleteAndDownloadsByteExactWithItsMetadata() {
            byte[] file = Media.file(20 * MIB + 123, 1);
            String media = Events.newUuid();
            MediaStatus done = Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, file.length, MIB));
            assertThat(done).isEqualTo(MediaStatus.newBuilder().setMediaUuid(media).setCommittedBytes(file.length).setComplete(true).build());
            assertThat(Media.status(alice, media)).isEqualTo(done);

            List<DownloadMediaChunk> chunks = Media.download(alice, media, 0);
            assertThat(chunks.get(0).getContentType()).isEqualTo(Media.TYPE);
            assertThat(chunks.get(0).getSizeBytes()).isEqualTo(file.length);
            assertThat(chunks.get(0).getSha256()).isEqualTo(Media.sha256(file));
            assertThat(chunks.subList(1, chunks.size())).as("metadata on the first chunk only")
                    .allSatisfy(c -> assertThat(c.getContentType().isEmpty() && c.getSizeBytes() == 0 && c.getSha256().isEmpty()).isTrue());
            assertThat(chunks).as("chunks bounded in size").allSatisfy(c -> assertThat(c.getData().size()).isLessThanOrEqualTo(MIB));
            byte[] downloaded = Media.bytes(chunks);
            assertThat(Media.sha256(downloaded)).isEqualTo(Media.sha256(file));
            assertThat(downloaded).isEqualTo(file);
            assertThat(complete(media)).exists();
            assertThat(part(media)).doesNotExist();
        }

        @Test
        void aCallEndingBeforeTheEndRecordsItsBytesAndTheNextResumesFromThem() {
            byte[] file = Media.file(3 * MIB, 2);
            String media = Events.newUuid();
            MediaStatus first = Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, MIB, 64 * KIB));
            assertThat(first.getCommittedBytes()).isEqualTo(MIB);
            assertThat(first.getComplete()).isFalse();
            assertThat(Media.status(alice, media)).isEqualTo(first);

            MediaStatus done = Media.upload(alice, Media.start(media, file, MIB), Media.chunks(file, MIB, file.length, 64 * KIB));
            assertThat(done.getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
        }

        @Test
        void aCallResumingBelowTheCommittedBytesHasTheBytesAlreadyHeldSkipped() {
            byte[] file = Media.file(2 * MIB, 3);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, MIB, 100 * KIB));
            // The resent range [512 KiB, 1 MiB) carries other bytes: if they were written, the hash would fail.
            byte[] resent = file.clone();
            Arrays.fill(resent, 512 * KIB, MIB, (byte) 7);
            MediaStatus done = Media.upload(alice, Media.start(media, file, 512 * KIB), Media.chunks(resent, 512 * KIB, file.length, 100 * KIB));
            assertThat(done.getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
        }

        @Test
        void anUploadCancelledMidWayResumesFromItsCommittedBytesAndEndsByteExact() {
            byte[] file = Media.file(12 * MIB, 4);
            String media = Events.newUuid();
            Media.Open call = Media.open(alice).send(Media.start(media, file, 0)).send(Media.chunks(file, 0, 10 * MIB, 256 * KIB));
            // Committed bytes are recorded as the upload goes (every few MB), not only at its end.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(alice, media).getCommittedBytes() >= 4 * MIB);
            call.cancel();

            AtomicReference<MediaStatus> done = new AtomicReference<>();
            // The cancelled call lets go of the upload when the server has seen the cancel: until then, UNAVAILABLE (retry).
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsMatching(e -> e instanceof StatusRuntimeException s
                    && s.getStatus().getCode() == Status.Code.UNAVAILABLE).until(() -> {
                        int committed = (int) Media.status(alice, media).getCommittedBytes();
                        assertThat(committed).isBetween(4 * MIB, 10 * MIB);
                        done.set(Media.upload(alice, Media.start(media, file, committed), Media.chunks(file, committed, file.length, 256 * KIB)));
                        return true;
                    });
            assertThat(done.get().getComplete()).isTrue();
            byte[] downloaded = Media.bytes(Media.download(alice, media, 0));
            assertThat(Media.sha256(downloaded)).isEqualTo(Media.sha256(file));
            assertThat(downloaded).isEqualTo(file);
        }

        @Test
        void anUploadWhoseEveryByteIsCommittedButNotCompletedIsCheckedAndCompletedByTheNextStart() throws Exception {
            byte[] file = Media.file(2 * KIB, 23);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, KIB, KIB));
            // As a call leaves it whose last bytes were synced and recorded but whose completion failed (the database went away).
            Files.write(part(media), Arrays.copyOfRange(file, KIB, file.length), StandardOpenOption.APPEND);
            new JdbcTemplate(dataSource).update("update media set committed_bytes = size_bytes where media_uuid = ?::uuid", media);
            assertThat(Media.status(alice, media).getComplete()).isFalse();

            MediaStatus done = Media.open(alice).send(Media.start(media, file, file.length)).finish();
            assertThat(done.getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
        }

        @Test
        void aCompleteMediaUploadedAgainIsCompleteAtOnce() {
            byte[] file = Media.file(300 * KIB, 5);
            String media = Events.newUuid();
            Media.uploadWhole(alice, media, file);
            MediaStatus again = Media.open(alice).send(Media.start(media, file, 0)).finish();
            assertThat(again).isEqualTo(MediaStatus.newBuilder().setMediaUuid(media).setCommittedBytes(file.length).setComplete(true).build());
            // and with chunks too: the answer comes without them (any offset: nothing is received)
            assertThat(Media.upload(alice, Media.start(media, file, 17), Media.chunks(file, 17, file.length, 64 * KIB)).getComplete()).isTrue();
        }

        @Test
        void aHashMismatchDiscardsTheUploadAndFreesTheUuid() {
            byte[] file = Media.file(600 * KIB, 6);
            byte[] other = Media.file(600 * KIB, 7);
            String media = Events.newUuid();
            assertStatus(() -> Media.upload(alice, Media.start(media, file, 0), Media.chunks(other, 0, other.length, 64 * KIB)),
                    Status.Code.DATA_LOSS);
            assertStatus(() -> Media.status(alice, media), Status.Code.NOT_FOUND);
            assertThat(part(media)).doesNotExist();
            assertThat(complete(media)).doesNotExist();
            // free again: even for another user, with another file
            assertThat(Media.uploadWhole(bob, media, other).getComplete()).isTrue();
        }

        @Test
        void twoConcurrentUploadsOfOneMediaTheSecondIsUnavailable() {
            byte[] file = Media.file(6 * MIB, 8);
            String media = Events.newUuid();
            Media.Open first = Media.open(alice).send(Media.start(media, file, 0)).send(Media.chunks(file, 0, 5 * MIB, 256 * KIB));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(alice, media).getCommittedBytes() >= 4 * MIB);
            assertStatus(() -> Media.upload(alice, Media.start(media, file, 0), List.of()), Status.Code.UNAVAILABLE);
            MediaStatus done = first.send(Media.chunks(file, 5 * MIB, file.length, 256 * KIB)).finish();
            assertThat(done.getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
        }
    }

    @Nested
    class RefusedUploads {

        @Test
        void theFirstMessageMustBeStart() {
            byte[] file = Media.file(KIB, 9);
            Media.Open chunkFirst = Media.open(alice);
            chunkFirst.requests().onNext(UploadMediaRequest.newBuilder().setChunk(ByteString.copyFrom(file)).build());
            assertStatus(chunkFirst::finish, Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> Media.open(alice).finish(), Status.Code.INVALID_ARGUMENT);
            String media = Events.newUuid();
            Media.Open twoStarts = Media.open(alice).send(Media.start(media, file, 0)).send(Media.start(media, file, 0));
            assertStatus(twoStarts::finish, Status.Code.INVALID_ARGUMENT);
        }

        @Test
        void aMalformedStartIsInvalidAndStoresNothing() {
            byte[] file = Media.file(KIB, 10);
            String media = Events.newUuid();
            UploadStart good = Media.start(media, file, 0);
            for (UploadStart bad : List.of(
                    good.toBuilder().setMediaUuid("not-a-uuid").build(),
                    good.toBuilder().setMediaUuid(media.toUpperCase()).build(),
                    good.toBuilder().setMediaUuid("00000000-0000-0000-0000-000000000000").build(),
                    good.toBuilder().setContentType("").build(),
                    good.toBuilder().setContentType("jpeg").build(),
                    good.toBuilder().setContentType("image/").build(),
                    good.toBuilder().setContentType("image/jpeg; charset=x").build(),
                    good.toBuilder().setSizeBytes(0).build(),
                    good.toBuilder().setSizeBytes(-1).build(),
                    good.toBuilder().setSha256(good.getSha256().substring(1)).build(),
                    good.toBuilder().setSha256(ByteString.EMPTY).build(),
                    good.toBuilder().setOffset(-1).build())) {
                assertStatus(() -> Media.upload(alice, bad, List.of()), Status.Code.INVALID_ARGUMENT);
            }
            assertStatus(() -> Media.status(alice, media), Status.Code.NOT_FOUND);
            // type/subtype in any case is fine (stored lower case)
            assertThat(Media.upload(alice, good.toBuilder().setContentType("Image/JPEG").build(), List.of(ByteString.copyFrom(file)))
                    .getComplete()).isTrue();
            assertThat(Media.download(alice, media, 0).get(0).getContentType()).isEqualTo("image/jpeg");
        }

        @Test
        void anotherUsersMediaUuidAlreadyExists() {
            byte[] file = Media.file(KIB, 11);
            String media = Events.newUuid();
            Media.upload(bob, Media.start(media, file, 0), List.of()); // bob's, incomplete
            assertStatus(() -> Media.uploadWhole(alice, media, file), Status.Code.ALREADY_EXISTS);
            String completed = Events.newUuid();
            Media.uploadWhole(bob, completed, file);
            assertStatus(() -> Media.uploadWhole(alice, completed, file), Status.Code.ALREADY_EXISTS);
        }

        @Test
        void theSameUuidWithAnotherSizeHashOrTypeAlreadyExists() {
            byte[] file = Media.file(2 * KIB, 12);
            String media = Events.newUuid();
            UploadStart start = Media.start(media, file, 0);
            Media.upload(alice, start, Media.chunks(file, 0, KIB, KIB));
            for (UploadStart other : List.of(start.toBuilder().setSizeBytes(file.length + 1).build(),
                    start.toBuilder().setSha256(Media.sha256(new byte[] {1})).build(),
                    start.toBuilder().setContentType("image/png").build())) {
                assertStatus(() -> Media.upload(alice, other, List.of()), Status.Code.ALREADY_EXISTS);
            }
            assertThat(Media.status(alice, media).getCommittedBytes()).isEqualTo(KIB);
            Media.upload(alice, start.toBuilder().setOffset(KIB).build(), Media.chunks(file, KIB, file.length, KIB));
            assertStatus(() -> Media.upload(alice, start.toBuilder().setContentType("text/plain").build(), List.of()),
                    Status.Code.ALREADY_EXISTS);
        }

        @Test
        void overTheSizeLimitIsResourceExhaustedBeforeAnyByteIsKept() {
            String media = Events.newUuid();
            byte[] small = Media.file(KIB, 13);
            UploadStart tooLarge = Media.start(media, small, 0).toBuilder().setSizeBytes(30L * MIB + 1).build();
            assertStatus(() -> Media.upload(alice, tooLarge, List.of(ByteString.copyFrom(small))), Status.Code.RESOURCE_EXHAUSTED);
            assertStatus(() -> Media.status(alice, media), Status.Code.NOT_FOUND);
            assertThat(part(media)).doesNotExist();
        }

        @Test
        void overTheIncompleteUploadLimitIsResourceExhaustedAndAFinishedOneMakesRoom() {
            byte[] file = Media.file(KIB, 14);
            List<String> started = List.of(Events.newUuid(), Events.newUuid(), Events.newUuid());
            for (String media : started) {
                Media.upload(alice, Media.start(media, file, 0), List.of());
            }
            String fourth = Events.newUuid();
            assertStatus(() -> Media.uploadWhole(alice, fourth, file), Status.Code.RESOURCE_EXHAUSTED);
            assertStatus(() -> Media.status(alice, fourth), Status.Code.NOT_FOUND);
            assertThat(Media.uploadWhole(bob, Events.newUuid(), file).getComplete()).as("a limit per user").isTrue();
            // resuming one of the three is no new upload; completing it makes room
            Media.uploadWhole(alice, started.get(0), file);
            assertThat(Media.uploadWhole(alice, fourth, file).getComplete()).isTrue();
        }

        @Test
        void anOffsetBeyondTheCommittedBytesIsAFailedPrecondition() {
            byte[] file = Media.file(4 * KIB, 15);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, KIB, KIB));
            assertStatus(() -> Media.upload(alice, Media.start(media, file, KIB + 1), Media.chunks(file, KIB + 1, file.length, KIB)),
                    Status.Code.FAILED_PRECONDITION);
            assertThat(Media.status(alice, media).getCommittedBytes()).isEqualTo(KIB);
        }

        @Test
        void aChunkPassingTheSizeIsRefusedWholeAndTheBytesBeforeItStayCommitted() {
            byte[] file = Media.file(3 * KIB, 16);
            String media = Events.newUuid();
            List<ByteString> chunks = List.of(ByteString.copyFrom(file, 0, 2 * KIB),
                    ByteString.copyFrom(file, 2 * KIB, KIB).concat(ByteString.copyFrom(new byte[] {1})));
            assertStatus(() -> Media.upload(alice, Media.start(media, file, 0), chunks), Status.Code.INVALID_ARGUMENT);
            assertThat(Media.status(alice, media)).isEqualTo(MediaStatus.newBuilder().setMediaUuid(media).setCommittedBytes(2 * KIB).build());
            assertThat(Media.upload(alice, Media.start(media, file, 2 * KIB), Media.chunks(file, 2 * KIB, file.length, KIB))
                    .getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, media, 0))).isEqualTo(file);
        }

        @Test
        void everyCallNeedsAToken() {
            var anonymous = MediaServiceGrpc.newBlockingStub(api.channel());
            String media = Events.newUuid();
            assertStatus(() -> anonymous.getMediaStatus(GetMediaStatusRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.UNAUTHENTICATED);
            assertStatus(() -> anonymous.downloadMedia(DownloadMediaRequest.newBuilder().setMediaUuid(media).build()).hasNext(),
                    Status.Code.UNAUTHENTICATED);
            assertStatus(() -> anonymous.getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.UNAUTHENTICATED);
        }
    }

    @Nested
    class Reading {

        @Test
        void getMediaStatusAnswersTheUploaderOnly() {
            byte[] file = Media.file(KIB, 17);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, file, 0), List.of());
            assertThat(Media.status(alice, media).getCommittedBytes()).isZero();
            assertStatus(() -> Media.status(bob, media), Status.Code.NOT_FOUND);
            assertStatus(() -> Media.status(alice, Events.newUuid()), Status.Code.NOT_FOUND);
            assertStatus(() -> Media.status(alice, "nope"), Status.Code.INVALID_ARGUMENT);
        }

        @Test
        void unknownIncompleteAndOtherUsersMediaAreNotFoundAlikeBeforeTheOffsetIsLookedAt() {
            byte[] file = Media.file(2 * KIB, 18);
            String incomplete = Events.newUuid();
            Media.upload(alice, Media.start(incomplete, file, 0), Media.chunks(file, 0, KIB, KIB));
            String bobs = Events.newUuid();
            Media.uploadWhole(bob, bobs, file);
            for (String media : List.of(Events.newUuid(), incomplete, bobs)) {
                assertStatus(() -> Media.download(alice, media, 0), Status.Code.NOT_FOUND);
                assertStatus(() -> Media.download(alice, media, 1_000_000), Status.Code.NOT_FOUND);
                assertStatus(() -> alice.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                        Status.Code.NOT_FOUND);
            }
        }

        @Test
        void aDownloadResumesAtAnOffsetAndAtTheEndIsOneEmptyChunkWithTheMetadata() {
            byte[] file = Media.file(MIB + 5, 19);
            String media = Events.newUuid();
            Media.uploadWhole(alice, media, file);
            int offset = 700 * KIB + 3;
            List<DownloadMediaChunk> rest = Media.download(alice, media, offset);
            assertThat(rest.get(0).getSizeBytes()).isEqualTo(file.length);
            assertThat(rest.get(0).getSha256()).isEqualTo(Media.sha256(file));
            assertThat(Media.bytes(rest)).isEqualTo(Arrays.copyOfRange(file, offset, file.length));

            List<DownloadMediaChunk> atEnd = Media.download(alice, media, file.length);
            assertThat(atEnd).hasSize(1);
            assertThat(atEnd.get(0).getData().isEmpty()).isTrue();
            assertThat(atEnd.get(0).getContentType()).isEqualTo(Media.TYPE);
            assertThat(atEnd.get(0).getSizeBytes()).isEqualTo(file.length);
            assertThat(atEnd.get(0).getSha256()).isEqualTo(Media.sha256(file));

            assertStatus(() -> Media.download(alice, media, file.length + 1), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> Media.download(alice, media, -1), Status.Code.INVALID_ARGUMENT);
        }

        @Test
        void getMediaUrlOnTheFilesystemStoreIsAFailedPreconditionForTheUploader() {
            byte[] file = Media.file(KIB, 20);
            String media = Events.newUuid();
            Media.uploadWhole(alice, media, file);
            assertStatus(() -> alice.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.FAILED_PRECONDITION);
            assertStatus(() -> bob.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.NOT_FOUND);
        }
    }
}
