package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.UploadStart;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** MediaService's rules without gRPC or a database: the order API.md applies them in, and their edges. */
class MediaRulesTest {

    final MediaRules rules = new MediaRules(1000, 2, 5000);
    final UUID alice = UUID.randomUUID();
    final UUID media = UUID.randomUUID();
    final ByteString hash = ByteString.copyFrom(new byte[32]);
    final UploadStart start = UploadStart.newBuilder().setMediaUuid(media.toString()).setContentType("image/png")
            .setSizeBytes(1000).setSha256(hash).build();

    static void refused(Runnable rule, CallRejected.Problem problem) {
        assertThatThrownBy(rule::run).isInstanceOfSatisfying(CallRejected.class, e -> assertThat(e.problem()).isEqualTo(problem));
    }

    @Test
    void aMalformedStartIsInvalidBeforeTheSizeLimitIsConsulted() {
        refused(() -> rules.start(start.toBuilder().setSizeBytes(2000).setSha256(ByteString.EMPTY).build()),
                CallRejected.Problem.INVALID_ARGUMENT);
        refused(() -> rules.start(start.toBuilder().setSizeBytes(1001).build()), CallRejected.Problem.TOO_LARGE);
        assertThat(rules.start(start).sizeBytes()).as("the limit itself is fine").isEqualTo(1000);
    }

    @Test
    void theIncompleteLimitCountsTheOnesAlreadyStarted() {
        rules.requireRoomForUpload(1, 0, 1000);
        refused(() -> rules.requireRoomForUpload(2, 0, 1000), CallRejected.Problem.TOO_MANY);
    }

    @Test
    void theQuotaCountsEveryByteStoredOrDeclaredAndTheNewUploadUpToItsLimit() {
        rules.requireRoomForUpload(0, 4000, 1000);
        refused(() -> rules.requireRoomForUpload(0, 4001, 1000), CallRejected.Problem.TOO_MANY);
        refused(() -> rules.requireRoomForUpload(0, 0, 5001), CallRejected.Problem.TOO_MANY);
    }

    @Test
    void anOffsetMayGoUpToTheCommittedBytesAndAChunkUpToTheSize() {
        rules.requireOffsetWithin(10, 10);
        refused(() -> rules.requireOffsetWithin(11, 10), CallRejected.Problem.WRONG_STATE);
        rules.requireChunkFits(990, 10, 1000);
        rules.requireChunkFits(1000, 0, 1000);
        refused(() -> rules.requireChunkFits(990, 11, 1000), CallRejected.Problem.INVALID_ARGUMENT);
    }

    @Test
    void theUploaderAndUsersWhoseFeedReferencesItReadOnlyOnceComplete() {
        MediaFile incomplete = new MediaFile(media, alice, "image/png", 1000, hash, 10, false);
        MediaFile complete = new MediaFile(media, alice, "image/png", 1000, hash, 1000, true);
        assertThat(rules.readable(alice, media, complete, false)).isSameAs(complete);
        assertThat(rules.readable(UUID.randomUUID(), media, complete, true)).isSameAs(complete);
        refused(() -> rules.readable(UUID.randomUUID(), media, complete, false), CallRejected.Problem.NOT_FOUND);
        refused(() -> rules.readable(alice, media, incomplete, false), CallRejected.Problem.NOT_FOUND);
        refused(() -> rules.readable(UUID.randomUUID(), media, incomplete, true), CallRejected.Problem.NOT_FOUND);
        refused(() -> rules.readable(alice, media, null, false), CallRejected.Problem.NOT_FOUND);
        assertThat(rules.ownUpload(alice, media, incomplete)).isSameAs(incomplete);
        refused(() -> rules.ownUpload(UUID.randomUUID(), media, incomplete), CallRejected.Problem.NOT_FOUND);
    }
}
