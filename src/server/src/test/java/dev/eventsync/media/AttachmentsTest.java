package dev.eventsync.media;

import static dev.eventsync.support.Api.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.GetMediaUrlRequest;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.ServerTest;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * Attachments and media pictures end to end (API.md v1.1) over real gRPC, on the test PostgreSQL
 * and the filesystem store: what is stored, who may download, erasure with a message delete, the
 * quota, and the lifecycle job run at times the test chooses.
 */
@ServerTest
@TestPropertySource(properties = {"eventsync.media.max-size=1MB", "eventsync.media.quota-bytes=3MB",
        "eventsync.media.cleanup-interval=1h"})
class AttachmentsTest {

    static final int KIB = 1024;

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    MediaLifecycle lifecycle;

    @Autowired
    MeterRegistry meters;

    JdbcTemplate sql;
    Api api;
    Api.User alice;
    Api.User bob;
    Api.User carol;
    String chat;

    @BeforeEach
    void conversation() {
        sql = new JdbcTemplate(dataSource);
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

    /** A complete upload of this user's. */
    String upload(Api.User user, byte[] file) {
        String media = Events.newUuid();
        assertThat(Media.uploadWhole(user, media, file).getComplete()).isTrue();
        return media;
    }

    String send(Api.User user, Attachment... attachments) {
        EventResult result = user.submit(Events.sendWithAttachments(chat, "", attachments));
        assertThat(result.hasAccepted()).as(result.toString()).isTrue();
        return result.getAccepted().getMessageUuid();
    }

    Rejected.Reason rejection(Api.User user, Event event) {
        EventResult result = user.submit(event);
        assertThat(result.hasRejected()).as(result.toString()).isTrue();
        return result.getRejected().getReason();
    }

    static List<SnapshotItem> snapshot(Api.User user) {
        List<SnapshotItem> items = new ArrayList<>();
        user.stub().snapshot(SnapshotRequest.getDefaultInstance()).forEachRemaining(items::add);
        return items;
    }

    static Path completeFile(String media) {
        return Path.of(Servers.MEDIA_ROOT, "complete", media);
    }

    static Path partFile(String media) {
        return Path.of(Servers.MEDIA_ROOT, "incomplete", media + ".part");
    }

    long rows(String media) {
        return sql.queryForObject("select count(*) from media where media_uuid = ?::uuid", Long.class, media);
    }

    void delete(Api.User user, String message) {
        EventResult deleted = user.submit(Events.delete(chat, message));
        assertThat(deleted.hasAccepted()).as(deleted.toString()).isTrue();
    }

    @Nested
    class Messages {

        @Test
        void theFeedSnapshotAndHistoryCarryTheAttachmentWithTheUploadsSizeHashAndType() {
            byte[] file = Media.file(300 * KIB, 1);
            String media = upload(alice, file);
            Attachment sent = Events.attachment(media, "notes.bin").toBuilder().setSizeBytes(7).setSha256(ByteString.copyFromUtf8("x"))
                    .setThumbnail(ByteString.copyFrom(new byte[2 * KIB])).setWidth(10).setHeight(20).build();
            String message = send(alice, sent);

            Attachment expected = sent.toBuilder().setContentType(Media.TYPE).setSizeBytes(file.length).setSha256(Media.sha256(file)).build();
            Event delivered = bob.feed().stream().filter(Event::hasNewMessage).findFirst().orElseThrow();
            assertThat(delivered.getNewMessage().getMessage().getAttachmentsList()).containsExactly(expected);
            assertThat(delivered.getNewMessage().getMessage().getText()).isEmpty();

            List<SnapshotItem> snapshot = snapshot(bob);
            var view = snapshot.stream().filter(SnapshotItem::hasConversation).findFirst().orElseThrow().getConversation()
                    .getLastMessagesList().stream().filter(m -> m.getMessage().getUuid().equals(message)).findFirst().orElseThrow();
            assertThat(view.getMessage().getAttachmentsList()).containsExactly(expected);
            var page = bob.stub().history(HistoryRequest.newBuilder().setConversationUuid(chat).build());
            assertThat(page.getMessages(page.getMessagesCount() - 1).getMessage().getAttachmentsList()).containsExactly(expected);
        }

        @Test
        void anotherUsersUploadAnIncompleteOneAndAnUnknownOneAreUnknownMedia() {
            String bobs = upload(bob, Media.file(KIB, 2));
            assertThat(rejection(alice, Events.sendWithAttachments(chat, "x", Events.attachment(bobs, "b"))))
                    .isEqualTo(Rejected.Reason.UNKNOWN_MEDIA);
            byte[] file = Media.file(100 * KIB, 3);
            String partial = Events.newUuid();
            Media.upload(alice, Media.start(partial, file, 0), Media.chunks(file, 0, 50 * KIB, 10 * KIB));
            assertThat(rejection(alice, Events.sendWithAttachments(chat, "x", Events.attachment(partial, "p"))))
                    .isEqualTo(Rejected.Reason.UNKNOWN_MEDIA);
            assertThat(rejection(alice, Events.sendWithAttachments(chat, "x", Events.attachment(Events.newUuid(), "u"))))
                    .isEqualTo(Rejected.Reason.UNKNOWN_MEDIA);
        }

        @Test
        void anEditMayEmptyTheTextOfAMessageWithAttachments() {
            String media = upload(alice, Media.file(KIB, 4));
            EventResult sent = alice.submit(Events.sendWithAttachments(chat, "caption", Events.attachment(media, "a")));
            String message = sent.getAccepted().getMessageUuid();
            assertThat(alice.submit(Events.edit(chat, message, "")).hasAccepted()).isTrue();
            String plain = alice.submit(Events.send(chat, "plain")).getAccepted().getMessageUuid();
            assertThat(rejection(alice, Events.edit(chat, plain, ""))).isEqualTo(Rejected.Reason.INVALID);
        }
    }

    @Nested
    class Access {

        @Test
        void membersWhoseFeedHoldsTheMessageDownloadOthersGetNotFoundAndOnlyTheUploaderSeesTheStatus() {
            byte[] file = Media.file(200 * KIB, 5);
            String media = upload(alice, file);
            assertStatus(() -> Media.download(bob, media, 0), Status.Code.NOT_FOUND); // uploaded, not referenced yet
            send(alice, Events.attachment(media, "f"));

            assertThat(Media.bytes(Media.download(bob, media, 0))).isEqualTo(file);
            assertStatus(() -> Media.download(carol, media, 0), Status.Code.NOT_FOUND);
            assertStatus(() -> Media.status(bob, media), Status.Code.NOT_FOUND);
            // the same answer as for media that does not exist
            assertStatus(() -> Media.download(carol, Events.newUuid(), 0), Status.Code.NOT_FOUND);
            // GetMediaUrl makes the same check first: NOT_FOUND for carol, the store's answer for bob
            assertStatus(() -> carol.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.NOT_FOUND);
            assertStatus(() -> bob.mediaStub().getMediaUrl(GetMediaUrlRequest.newBuilder().setMediaUuid(media).build()),
                    Status.Code.FAILED_PRECONDITION);

            // a member who joins later: the message is not in their feed
            assertThat(alice.submit(Events.addMember(chat, carol.uuid())).hasAccepted()).isTrue();
            assertStatus(() -> Media.download(carol, media, 0), Status.Code.NOT_FOUND);
        }

        @Test
        void aPictureByMediaIsInTheSnapshotAndDownloadableByContactsOnly() {
            byte[] png = new byte[4 * KIB];
            System.arraycopy(Events.PNG, 0, png, 0, Events.PNG.length);
            String media = Events.newUuid();
            var start = Media.start(media, png, 0).toBuilder().setContentType("image/png").build();
            assertThat(Media.upload(alice, start, Media.chunks(png, 0, png.length, KIB)).getComplete()).isTrue();
            assertThat(alice.submit(Events.pictureMedia(media)).hasAccepted()).isTrue();

            assertThat(Media.bytes(Media.download(bob, media, 0))).isEqualTo(png);
            assertStatus(() -> Media.download(carol, media, 0), Status.Code.NOT_FOUND);
            List<SnapshotItem> snapshot = snapshot(bob);
            assertThat(snapshot.stream().filter(SnapshotItem::hasProfile).map(SnapshotItem::getProfile)
                    .filter(p -> p.getUserUuid().equals(alice.uuid())).findFirst().orElseThrow().getPictureMediaUuid()).isEqualTo(media);

            String notImage = upload(alice, Media.file(KIB, 6));
            assertThat(rejection(alice, Events.pictureMedia(notImage))).isEqualTo(Rejected.Reason.INVALID);
        }
    }

    @Nested
    class Erasure {

        @Test
        void aDeleteErasesTheRowAndBytesOfMediaNoOtherMessageUsesAtOnce() {
            byte[] shared = Media.file(100 * KIB, 7);
            byte[] alone = Media.file(100 * KIB, 8);
            String sharedMedia = upload(alice, shared);
            String aloneMedia = upload(alice, alone);
            String first = send(alice, Events.attachment(sharedMedia, "s"), Events.attachment(aloneMedia, "a"));
            String second = send(alice, Events.attachment(sharedMedia, "s again"));
            assertThat(completeFile(aloneMedia)).exists();

            delete(alice, first);
            // acknowledged: the unshared media is gone from PostgreSQL and from the store, for everyone
            assertThat(rows(aloneMedia)).isZero();
            assertThat(completeFile(aloneMedia)).doesNotExist();
            assertStatus(() -> Media.download(alice, aloneMedia, 0), Status.Code.NOT_FOUND);
            assertStatus(() -> Media.download(bob, aloneMedia, 0), Status.Code.NOT_FOUND);
            // the shared one stays for the second message
            assertThat(rows(sharedMedia)).isOne();
            assertThat(Media.bytes(Media.download(bob, sharedMedia, 0))).isEqualTo(shared);

            delete(alice, second);
            assertThat(rows(sharedMedia)).isZero();
            assertThat(completeFile(sharedMedia)).doesNotExist();
            assertStatus(() -> Media.download(bob, sharedMedia, 0), Status.Code.NOT_FOUND);
        }

        @Test
        void aMediaThatIsAlsoAProfilePictureOutlivesTheDeleteOfItsMessage() {
            byte[] png = new byte[KIB];
            System.arraycopy(Events.PNG, 0, png, 0, Events.PNG.length);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, png, 0).toBuilder().setContentType("image/png").build(), List.of(ByteString.copyFrom(png)));
            assertThat(alice.submit(Events.pictureMedia(media)).hasAccepted()).isTrue();
            delete(alice, send(alice, Events.attachment(media, "me.png")));
            assertThat(rows(media)).isOne();
            assertThat(Media.bytes(Media.download(bob, media, 0))).isEqualTo(png);
        }

        @Test
        void aRowLeftErasingByACrashAfterTheCommitIsFinishedByTheJob() throws Exception {
            byte[] file = Media.file(10 * KIB, 9);
            String media = upload(alice, file);
            // as if the server died between a delete's commit and the erasure of its bytes
            sql.update("update media set state = 'erasing' where media_uuid = ?::uuid", media);
            assertStatus(() -> Media.download(alice, media, 0), Status.Code.NOT_FOUND);
            assertThat(completeFile(media)).exists();

            lifecycle.runOnce(Instant.now());
            assertThat(rows(media)).as("younger than a minute: left to the delete that is erasing it").isOne();
            lifecycle.runOnce(Instant.now().plus(Duration.ofMinutes(2)));
            assertThat(rows(media)).isZero();
            assertThat(completeFile(media)).doesNotExist();
            assertThat(Media.uploadWhole(alice, media, file).getComplete()).as("the uuid is free again").isTrue();
        }
    }

    @Nested
    class Lifecycle {

        @Test
        void anIncompleteUploadExpiresAfterItsTtlAndNotBefore() throws Exception {
            byte[] file = Media.file(100 * KIB, 10);
            String media = Events.newUuid();
            Media.upload(alice, Media.start(media, file, 0), Media.chunks(file, 0, 40 * KIB, 10 * KIB));
            assertThat(partFile(media)).exists();
            double expired = meters.counter("eventsync.media.expired", "kind", "incomplete").count();

            lifecycle.runOnce(Instant.now().plus(Duration.ofHours(23)));
            assertThat(rows(media)).isOne();
            assertThat(Media.status(alice, media).getCommittedBytes()).isEqualTo(40 * KIB);

            lifecycle.runOnce(Instant.now().plus(Duration.ofHours(25)));
            assertThat(rows(media)).isZero();
            assertThat(partFile(media)).doesNotExist();
            assertStatus(() -> Media.status(alice, media), Status.Code.NOT_FOUND);
            assertThat(meters.counter("eventsync.media.expired", "kind", "incomplete").count()).isGreaterThanOrEqualTo(expired + 1);
        }

        @Test
        void completeMediaNoEventReferencesExpiresAfterSevenDaysReferencedMediaStays() throws Exception {
            String unreferenced = upload(alice, Media.file(KIB, 11));
            String attached = upload(alice, Media.file(KIB, 12));
            send(alice, Events.attachment(attached, "kept"));

            lifecycle.runOnce(Instant.now().plus(Duration.ofDays(6)));
            assertThat(rows(unreferenced)).isOne();

            lifecycle.runOnce(Instant.now().plus(Duration.ofDays(8)));
            assertThat(rows(unreferenced)).isZero();
            assertThat(completeFile(unreferenced)).doesNotExist();
            assertThat(rows(attached)).isOne();
            assertThat(completeFile(attached)).exists();
            assertThat(meters.get("eventsync.media.bytes.stored").gauge().value()).isPositive();
        }
    }

    /**
     * The lock-then-check of MediaRefs: whoever erases locks the media row first and checks for
     * references after, so a reference committed while it waited is seen, and a batch that waited
     * for an eraser sees the row 'erasing'. Each side is held open here by a transaction of the test.
     */
    @Nested
    class Races {

        /** Waits until some backend waits for a row lock in a statement naming the media table. */
        void awaitBlockedOnMedia() {
            await().atMost(Duration.ofSeconds(30)).until(() -> sql.queryForObject("""
                    select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%from media%'""",
                    Long.class) > 0);
        }

        @Test
        void theJobWaitingForABatchThatReferencesTheMediaKeepsIt() throws Exception {
            String media = upload(alice, Media.file(KIB, 17));
            CompletableFuture<MediaLifecycle.Run> job;
            try (Connection batch = dataSource.getConnection()) {
                batch.setAutoCommit(false);
                // as a batch's load does: share-lock the complete media it names
                try (PreparedStatement lock = batch.prepareStatement("select 1 from media where media_uuid = ?::uuid for share")) {
                    lock.setString(1, media);
                    lock.executeQuery().close();
                }
                job = CompletableFuture.supplyAsync(() -> {
                    try {
                        return lifecycle.runOnce(Instant.now().plus(Duration.ofDays(8)));
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitBlockedOnMedia();
                try (PreparedStatement ref = batch.prepareStatement(
                        "insert into media_refs (media_uuid, event_uuid) values (?::uuid, ?::uuid)")) {
                    ref.setString(1, media);
                    ref.setString(2, Events.newUuid());
                    ref.executeUpdate();
                }
                batch.commit();
            }
            job.get(30, TimeUnit.SECONDS);
            assertThat(rows(media)).isOne();
            assertThat(completeFile(media)).exists();
        }

        @Test
        void aBatchWaitingForAnEraserSeesTheMediaGoneAndRefusesUnknownMedia() throws Exception {
            String media = upload(alice, Media.file(KIB, 18));
            CompletableFuture<EventResult> sent;
            try (Connection eraser = dataSource.getConnection()) {
                eraser.setAutoCommit(false);
                try (PreparedStatement mark = eraser.prepareStatement(
                        "update media set state = 'erasing', updated_at = now() where media_uuid = ?::uuid")) {
                    mark.setString(1, media);
                    mark.executeUpdate();
                }
                sent = CompletableFuture.supplyAsync(() -> alice.submit(Events.sendWithAttachments(chat, "", Events.attachment(media, "m"))));
                awaitBlockedOnMedia();
                eraser.commit();
            }
            EventResult result = sent.get(30, TimeUnit.SECONDS);
            assertThat(result.getRejected().getReason()).as(result.toString()).isEqualTo(Rejected.Reason.UNKNOWN_MEDIA);
            assertThat(sql.queryForObject("select count(*) from media_refs where media_uuid = ?::uuid", Long.class, media)).isZero();
        }
    }

    @Nested
    class Quota {

        @Test
        void anUploadPassingTheQuotaIsResourceExhaustedBeforeAnyByteIsKept() {
            Api.User dave = api.newUser();
            upload(dave, Media.file(1024 * KIB, 13));
            upload(dave, Media.file(1024 * KIB, 14));
            byte[] third = Media.file(1024 * KIB, 15);
            String started = Events.newUuid();
            Media.upload(dave, Media.start(started, third, 0), Media.chunks(third, 0, KIB, KIB)); // 3 MB declared: the quota

            String refused = Events.newUuid();
            assertStatus(() -> Media.uploadWhole(dave, refused, Media.file(1, 16)), Status.Code.RESOURCE_EXHAUSTED);
            assertThat(rows(refused)).isZero();
            assertThat(partFile(refused)).doesNotExist();
            assertThat(Files.exists(partFile(started))).isTrue();
        }
    }
}
