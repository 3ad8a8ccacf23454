package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem store's layout and its hold on an upload, on a real folder; and the contract of every store. */
class FilesystemBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path root;

    FilesystemBlobStore store;
    FilesystemBlobStore other;

    @Override
    BlobStore store() {
        if (store == null) {
            store = new FilesystemBlobStore(root);
        }
        return store;
    }

    /** A second store on the same folder: the OS file lock is what keeps it out. */
    @Override
    BlobStore otherServer() {
        if (other == null) {
            other = new FilesystemBlobStore(root);
        }
        return other;
    }

    @Override
    boolean holdsAnything(UUID media) {
        return Files.exists(root.resolve("incomplete").resolve(media + ".part")) || Files.exists(root.resolve("complete").resolve(media.toString()));
    }

    @Test
    void anUploadIsAPartUntilCompleteThenAFileOfItsOwnAndOnlyOneCallHoldsIt() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        UUID media = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            assertThat(store.openIncomplete(media)).as("held by the first call").isEmpty();
            assertThat(blob.keep(0)).isZero();
            blob.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            blob.sync();
            assertThat(root.resolve("incomplete").resolve(media + ".part")).hasBinaryContent(new byte[] {1, 2, 3});
        }
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(media).orElseThrow()) {
            assertThat(blob.keep(2)).as("only the committed bytes are kept").isEqualTo(2);
            blob.append(ByteBuffer.wrap(new byte[] {9}));
            blob.complete();
        }
        assertThat(root.resolve("incomplete").resolve(media + ".part")).doesNotExist();
        assertThat(root.resolve("complete").resolve(media.toString())).hasBinaryContent(new byte[] {1, 2, 9});
        try (InputStream in = store.openComplete(media, 1)) {
            assertThat(in.readAllBytes()).containsExactly(2, 9);
        }
        assertThat(store.presignedUrl(media)).isEmpty();
    }

    @Test
    void eraseRemovesTheCompleteFileAndThePartAndIsNothingWhenThereAreNone() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        UUID complete = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(complete).orElseThrow()) {
            blob.append(ByteBuffer.wrap(new byte[] {1}));
            blob.complete();
        }
        UUID partial = UUID.randomUUID();
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(partial).orElseThrow()) {
            blob.append(ByteBuffer.wrap(new byte[] {2}));
            blob.sync();
        }
        store.erase(complete);
        store.erase(partial);
        assertThat(root.resolve("complete").resolve(complete.toString())).doesNotExist();
        assertThat(root.resolve("incomplete").resolve(partial + ".part")).doesNotExist();
        store.erase(complete); // again: nothing
        store.erase(UUID.randomUUID());
        assertThat(Files.list(root.resolve("complete"))).isEmpty();
        assertThat(Files.list(root.resolve("incomplete"))).isEmpty();
    }

    @Test
    void keepNeverPromisesBytesTheFileDoesNotHold() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        try (BlobStore.IncompleteBlob blob = store.openIncomplete(UUID.randomUUID()).orElseThrow()) {
            assertThat(blob.keep(1000)).isZero();
        }
    }

    @Test
    void aFolderThatCannotBeWrittenFailsSayingWhatToSet() throws Exception {
        Path file = Files.writeString(root.resolve("a-file"), "not a folder");
        assertThatThrownBy(() -> new FilesystemBlobStore(file.resolve("media")))
                .hasMessageContaining("eventsync.media.filesystem.root").hasMessageContaining("EVENTSYNC_MEDIA_FILESYSTEM_ROOT");
    }
}
