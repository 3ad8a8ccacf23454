package dev.eventsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.support.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Attachments and pictures by media (API.md v1.1) decided by {@link Decider} over {@link MemoryState}:
 * each names a complete upload of the sender, UNKNOWN_MEDIA before any other INVALID, then the
 * INVALIDs, then TOO_LARGE; the upload's type, size and hash are what is stored.
 */
class AttachmentRulesTest {

    final Decider decider = new Decider(LifecycleRulesTest.LIMITS);
    final Submissions submissions = new Submissions(LifecycleRulesTest.LIMITS);
    final MemoryState state = new MemoryState();

    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    final UUID chat = UUID.randomUUID();
    final UUID photo = UUID.randomUUID(); // alice's image/jpeg
    final UUID bobsFile = UUID.randomUUID(); // bob's
    final ByteString photoHash = ByteString.copyFrom(new byte[32]);
    final ByteString otherHash = ByteString.copyFrom(new byte[] {1, 2, 3});

    AttachmentRulesTest() {
        state.conversation(chat, "chat", alice, bob);
        byte[] hash = new byte[32];
        hash[0] = 7;
        state.upload(photo, alice, "image/jpeg", 5000, ByteString.copyFrom(hash));
        state.upload(bobsFile, bob, "application/pdf", 100, otherHash);
    }

    Outcome decide(UUID caller, Event event) {
        return decider.decide(caller, submissions.parse(event), state);
    }

    void refused(UUID caller, Event event, Reason reason) {
        DeciderTest.assertRefused(decide(caller, event), reason);
    }

    Delivery.Stored stored(UUID caller, Event event) {
        Command command = DeciderTest.assertAccepted(decide(caller, event));
        return Delivery.of(caller, UUID.fromString(event.getUuid()), command, state, Instant.EPOCH);
    }

    static String s(UUID uuid) {
        return uuid.toString();
    }

    Attachment.Builder photoAttachment() {
        return Attachment.newBuilder().setMediaUuid(s(photo)).setFileName("beach.jpg").setWidth(640).setHeight(480);
    }

    @Nested
    class Messages {

        @Test
        void anAttachmentCarriesTheUploadsTypeSizeAndHashWhateverTheClientSent() {
            Attachment sent = photoAttachment().setContentType("text/plain").setSizeBytes(1).setSha256(ByteString.copyFromUtf8("lie"))
                    .setThumbnail(ByteString.copyFrom(new byte[100])).build();
            Delivery.Stored stored = stored(alice, Events.sendWithAttachments(s(chat), "", sent));
            Attachment kept = stored.delivered().getNewMessage().getMessage().getAttachments(0);
            assertThat(kept.getContentType()).isEqualTo("image/jpeg");
            assertThat(kept.getSizeBytes()).isEqualTo(5000);
            assertThat(kept.getSha256()).isEqualTo(state.completeMedia(photo).sha256());
            assertThat(kept.getFileName()).isEqualTo("beach.jpg");
            assertThat(kept.getWidth()).isEqualTo(640);
            assertThat(kept.getThumbnail()).as("passed through").isEqualTo(sent.getThumbnail());
            assertThat(stored.delivered().getNewMessage().getMessage().getText()).as("text may be empty with attachments").isEmpty();
        }

        @Test
        void anotherUsersUploadAnUnknownOneAndAnIncompleteOneAreUnknownMedia() {
            refused(alice, Events.sendWithAttachments(s(chat), "x", Events.attachment(s(bobsFile), "b.pdf")), Reason.UNKNOWN_MEDIA);
            refused(alice, Events.sendWithAttachments(s(chat), "x", Events.attachment(s(UUID.randomUUID()), "u")), Reason.UNKNOWN_MEDIA);
            DeciderTest.assertAccepted(decide(bob, Events.sendWithAttachments(s(chat), "x", Events.attachment(s(bobsFile), "b.pdf"))));
        }

        @Test
        void aMalformedMediaUuidIsInvalidBeforeMembership() {
            UUID nowhere = UUID.randomUUID();
            refused(alice, Events.sendWithAttachments(s(nowhere), "x", Events.attachment("not-a-uuid", "n")), Reason.INVALID);
        }

        @Test
        void unknownMediaComesAfterForbiddenAndBeforeEveryOtherInvalidAndTooLarge() {
            UUID stranger = UUID.randomUUID();
            refused(stranger, Events.sendWithAttachments(s(chat), "x", Events.attachment(s(UUID.randomUUID()), "u")), Reason.FORBIDDEN);
            List<Attachment> eleven = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                eleven.add(photoAttachment().build());
            }
            eleven.add(Events.attachment(s(UUID.randomUUID()), "unknown"));
            Attachment tooBig = photoAttachment().setThumbnail(ByteString.copyFrom(new byte[16 * 1024 + 1])).build();
            eleven.set(0, tooBig);
            refused(alice, Events.sendWithAttachments(s(chat), "x", eleven.toArray(Attachment[]::new)), Reason.UNKNOWN_MEDIA);
            eleven.remove(10);
            eleven.add(photoAttachment().build());
            refused(alice, Events.sendWithAttachments(s(chat), "x", eleven.toArray(Attachment[]::new)), Reason.INVALID);
            refused(alice, Events.sendWithAttachments(s(chat), "x", tooBig), Reason.TOO_LARGE);
        }

        @Test
        void tenAttachmentsAndOneMediaTwiceAreFineElevenAreInvalid() {
            Attachment[] ten = new Attachment[10];
            java.util.Arrays.fill(ten, photoAttachment().build());
            assertThat(stored(alice, Events.sendWithAttachments(s(chat), "", ten)).delivered().getNewMessage().getMessage()
                    .getAttachmentsCount()).isEqualTo(10);
            Attachment[] eleven = java.util.Arrays.copyOf(ten, 11);
            eleven[10] = photoAttachment().build();
            refused(alice, Events.sendWithAttachments(s(chat), "", eleven), Reason.INVALID);
        }

        @Test
        void aThumbnailOfSixteenKibibytesIsFineOneByteMoreIsTooLarge() {
            DeciderTest.assertAccepted(decide(alice, Events.sendWithAttachments(s(chat), "",
                    photoAttachment().setThumbnail(ByteString.copyFrom(new byte[16 * 1024])).build())));
            refused(alice, Events.sendWithAttachments(s(chat), "",
                    photoAttachment().setThumbnail(ByteString.copyFrom(new byte[16 * 1024 + 1])).build()), Reason.TOO_LARGE);
        }

        @Test
        void aFileNameWithUPlus0000OrOver255CodePointsAndNegativeSizesAreInvalid() {
            refused(alice, Events.sendWithAttachments(s(chat), "", photoAttachment().setFileName("a\u0000b").build()), Reason.INVALID);
            refused(alice, Events.sendWithAttachments(s(chat), "", photoAttachment().setFileName("x".repeat(256)).build()), Reason.INVALID);
            DeciderTest.assertAccepted(decide(alice, Events.sendWithAttachments(s(chat), "",
                    photoAttachment().setFileName(DeciderTest.EMOJI.repeat(255)).build())));
            refused(alice, Events.sendWithAttachments(s(chat), "", photoAttachment().setWidth(-1).build()), Reason.INVALID);
            refused(alice, Events.sendWithAttachments(s(chat), "", photoAttachment().setDurationMs(-1).build()), Reason.INVALID);
        }

        @Test
        void emptyTextWithoutAttachmentsIsStillInvalid() {
            refused(alice, Events.send(s(chat), ""), Reason.INVALID);
        }
    }

    @Nested
    class Pictures {

        Event picture(UUID media, byte[] png) {
            ProfilePictureChanged.Builder picture = ProfilePictureChanged.newBuilder().setPngImage(ByteString.copyFrom(png));
            if (media != null) {
                picture.setMediaUuid(s(media));
            }
            return Event.newBuilder().setUuid(Events.newUuid()).setProfilePictureChanged(picture).build();
        }

        @Test
        void anUploadedImageOfTheCallerIsThePictureAndTheEventNamesIt() {
            Delivery.Stored stored = stored(alice, Events.pictureMedia(s(photo)));
            assertThat(stored.delivered().getProfilePictureChanged().getMediaUuid()).isEqualTo(s(photo));
            assertThat(stored.delivered().getProfilePictureChanged().getPngImage()).isEmpty();
        }

        @Test
        void onlyPngJpegAndWebpAreImagesForAPicture() {
            UUID webp = UUID.randomUUID();
            UUID gif = UUID.randomUUID();
            state.upload(webp, alice, "image/webp", 10, photoHash);
            state.upload(gif, alice, "image/gif", 10, photoHash);
            DeciderTest.assertAccepted(decide(alice, Events.pictureMedia(s(webp))));
            refused(alice, Events.pictureMedia(s(gif)), Reason.INVALID);
            refused(bob, Events.pictureMedia(s(bobsFile)), Reason.INVALID);
        }

        @Test
        void anotherUsersOrAnUnknownUploadIsUnknownMediaBeforeBothFieldsSetIsInvalid() {
            refused(bob, Events.pictureMedia(s(photo)), Reason.UNKNOWN_MEDIA);
            refused(alice, picture(UUID.randomUUID(), dev.eventsync.support.Events.PNG), Reason.UNKNOWN_MEDIA);
            refused(alice, picture(photo, dev.eventsync.support.Events.PNG), Reason.INVALID);
        }

        @Test
        void bothFieldsEmptyRemovesThePicture() {
            Delivery.Stored stored = stored(alice, picture(null, new byte[0]));
            assertThat(stored.delivered().getProfilePictureChanged().getMediaUuid()).isEmpty();
            assertThat(stored.delivered().getProfilePictureChanged().getPngImage()).isEmpty();
        }
    }
}
