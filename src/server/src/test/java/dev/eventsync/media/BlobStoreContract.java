package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.support.Media;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What {@link Uploads} and {@link MediaLifecycle} rely on of every {@link BlobStore}, run against
 * each real store: synced bytes survive their call and the next one resumes from them, keep cuts
 * what lies past the committed bytes, complete makes the held bytes the media, erase leaves
 * nothing, and one call holds an upload at a time, also across servers.
 */
abstract class BlobStoreContract {

    static final int MIB = 1024 * 1024;

    /** The store under test. */
    abstract BlobStore store();

    /** Another store on the same bytes, as another server's. */
    abstract BlobStore otherServer();

    /** Whether the store keeps anything of this media, complete or not. */
    abstract boolean holdsAnything(UUID media) throws Exception;

    @Test
    void aNewCallResumesFromTheSyncedBytesOnAnotherServerAndCompletesByteExact() throws Exception {
        byte[] file = Media.file(3 * MIB + 123, 31);
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(0)).isZero();
            blob.append(ByteBuffer.wrap(file, 0, 2 * MIB));
            blob.sync();
        }
        try (BlobStore.IncompleteBlob blob = otherServer().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(2 * MIB)).isEqualTo(2 * MIB);
            try (InputStream held = blob.readHeld()) {
                assertThat(held.readAllBytes()).isEqualTo(Arrays.copyOf(file, 2 * MIB));
            }
            blob.append(ByteBuffer.wrap(file, 2 * MIB, file.length - 2 * MIB));
            blob.sync();
            blob.complete();
        }
        assertThat(read(media, 0)).isEqualTo(file);
        assertThat(read(media, 2 * MIB)).isEqualTo(Arrays.copyOfRange(file, 2 * MIB, file.length));
        assertThat(read(media, file.length)).as("at the end: nothing, no error").isEmpty();
    }

    @Test
    void keepCutsTheBytesPastTheCommittedOnesAndAppendsAfterThem() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
            blob.sync(); // synced, but (as after a failed record) only 6 of them committed
        }
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(6)).isEqualTo(6);
            try (InputStream held = blob.readHeld()) {
                assertThat(held.readAllBytes()).containsExactly(1, 2, 3, 4, 5, 6);
            }
            blob.append(ByteBuffer.wrap(new byte[] {70, 80}));
            blob.sync();
            blob.complete();
        }
        assertThat(read(media, 0)).containsExactly(1, 2, 3, 4, 5, 6, 70, 80);
    }

    @Test
    void keepNeverPromisesBytesTheStoreDoesNotHold() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(1000)).isZero();
            blob.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            blob.sync();
        }
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(1000)).isEqualTo(3);
        }
    }

    /** Many syncs of an upload of several MiB, resumed below its synced bytes, as Uploads makes them. */
    @Test
    void aLargeFileSyncedEvery4MibAndResumedMidWayCompletesByteExact() throws Exception {
        byte[] file = Media.file(17 * MIB + 5, 32);
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            for (int at = 0; at < 13 * MIB; at += MIB) {
                blob.append(ByteBuffer.wrap(file, at, MIB));
                if ((at + MIB) % (4 * MIB) == 0) {
                    blob.sync();
                }
            }
            blob.sync();
        }
        int committed = 10 * MIB + 7; // inside what was synced
        try (BlobStore.IncompleteBlob blob = otherServer().openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(committed)).isEqualTo(committed);
            try (InputStream held = blob.readHeld()) {
                assertThat(held.readAllBytes()).isEqualTo(Arrays.copyOf(file, committed));
            }
            blob.append(ByteBuffer.wrap(file, committed, 3 * MIB));
            blob.sync();
            blob.append(ByteBuffer.wrap(file, committed + 3 * MIB, file.length - committed - 3 * MIB));
            blob.sync();
            blob.complete();
        }
        assertThat(read(media, 0)).isEqualTo(file);
        assertThat(read(media, 16 * MIB)).isEqualTo(Arrays.copyOfRange(file, 16 * MIB, file.length));
    }

    @Test
    void oneCallHoldsAnUploadAtATimeAlsoAcrossServersAndLetsGoOnClose() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            assertThat(store().openIncomplete(media)).as("another call of this server").isEmpty();
            assertThat(otherServer().openIncomplete(media)).as("a call of another server").isEmpty();
            assertThat(store().openIncomplete(UUID.randomUUID())).as("another media").isPresent().get()
                    .satisfies(BlobStore.IncompleteBlob::close);
            blob.keep(0);
        }
        try (BlobStore.IncompleteBlob blob = otherServer().openIncomplete(media).orElseThrow()) {
            assertThat(store().openIncomplete(media)).isEmpty();
        }
        store().openIncomplete(media).orElseThrow().close();
    }

    @Test
    void eraseLeavesNothingOfACompleteOrAnIncompleteMediaAndIsNothingTwice() throws Exception {
        UUID complete = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(complete).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(Media.file(6 * MIB, 33)));
            blob.sync();
            blob.append(ByteBuffer.wrap(new byte[] {1}));
            blob.sync();
            blob.complete();
        }
        UUID partial = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(partial).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(new byte[] {2}));
            blob.sync();
        }
        assertThat(holdsAnything(complete)).isTrue();
        assertThat(holdsAnything(partial)).isTrue();
        store().erase(complete);
        otherServer().erase(partial);
        assertThat(holdsAnything(complete)).isFalse();
        assertThat(holdsAnything(partial)).isFalse();
        store().erase(complete);
        store().erase(UUID.randomUUID());
    }

    @Test
    void discardErasesTheHeldBytes() throws Exception {
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store().openIncomplete(media).orElseThrow()) {
            blob.keep(0);
            blob.append(ByteBuffer.wrap(new byte[] {1, 2}));
            blob.sync();
            blob.discard();
        }
        assertThat(holdsAnything(media)).isFalse();
    }

    byte[] read(UUID media, long offset) throws Exception {
        try (InputStream in = store().openComplete(media, offset)) {
            return in.readAllBytes();
        }
    }
}
