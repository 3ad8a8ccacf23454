package dev.eventsync.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local filesystem store: an upload's bytes in {@code <root>/incomplete/<uuid>.part},
 * written at the held length and fsync'ed before they count; a checked upload renamed to
 * {@code <root>/complete/<uuid>} with both folders fsync'ed, so a crash leaves either the part or
 * the complete file, never half of one. A held part is locked twice: in this JVM (a set), and by
 * an OS file lock for other servers on the same folder, which the OS drops when a server dies.
 */
public final class FilesystemBlobStore implements BlobStore {

    private final Path incomplete;
    private final Path complete;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();

    /** Creates the folders; fails, saying what to set, when this server cannot write them. */
    public FilesystemBlobStore(Path root) {
        this.incomplete = root.resolve("incomplete");
        this.complete = root.resolve("complete");
        try {
            Files.createDirectories(incomplete);
            Files.createDirectories(complete);
        } catch (IOException e) {
            throw new UncheckedIOException(cannotWrite(root, e.toString()), e);
        }
        if (!Files.isWritable(incomplete) || !Files.isWritable(complete)) {
            throw new IllegalStateException(cannotWrite(root, "not writable by this user"));
        }
    }

    private static String cannotWrite(Path root, String why) {
        return "the media folder " + root.toAbsolutePath() + " cannot be written (" + why + "): set"
                + " eventsync.media.filesystem.root (env EVENTSYNC_MEDIA_FILESYSTEM_ROOT) to a folder this server may write";
    }

    Path partFile(UUID media) {
        return incomplete.resolve(media + ".part");
    }

    Path completeFile(UUID media) {
        return complete.resolve(media.toString());
    }

    @Override
    public Optional<IncompleteBlob> openIncomplete(UUID media) throws IOException {
        if (!held.add(media)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(partFile(media), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                channel.close();
                held.remove(media);
                return Optional.empty();
            }
            return Optional.of(new Part(media, channel));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            held.remove(media);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            return null;
        }
    }

    @Override
    public InputStream openComplete(UUID media, long offset) throws IOException {
        FileChannel channel = FileChannel.open(completeFile(media), StandardOpenOption.READ);
        try {
            return Channels.newInputStream(channel.position(offset));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Both files, whichever exist; each folder that lost one is fsync'ed, so the erasure survives a crash. */
    @Override
    public void erase(UUID media) throws IOException {
        if (Files.deleteIfExists(completeFile(media))) {
            syncFolder(complete);
        }
        if (Files.deleteIfExists(partFile(media))) {
            syncFolder(incomplete);
        }
    }

    /** Files have no URLs: clients use DownloadMedia. */
    @Override
    public Optional<PresignedUrl> presignedUrl(UUID media) {
        return Optional.empty();
    }

    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    private final class Part implements IncompleteBlob {
        private final UUID media;
        private final FileChannel channel;
        private long length;
        private boolean closed;

        Part(UUID media, FileChannel channel) {
            this.media = media;
            this.channel = channel;
        }

        @Override
        public long keep(long committed) throws IOException {
            length = Math.min(channel.size(), committed);
            channel.truncate(length);
            return length;
        }

        @Override
        public InputStream readHeld() throws IOException {
            // A channel of its own: its position is not the writer's. The part is exactly the held bytes.
            return Files.newInputStream(partFile(media));
        }

        @Override
        public void append(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                length += channel.write(bytes, length);
            }
        }

        @Override
        public void sync() throws IOException {
            channel.force(true);
        }

        @Override
        public void complete() throws IOException {
            channel.force(true);
            Files.move(partFile(media), completeFile(media), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncFolder(complete);
            syncFolder(incomplete);
        }

        @Override
        public void discard() throws IOException {
            try {
                Files.delete(partFile(media));
            } catch (NoSuchFileException alreadyGone) {
                // nothing to erase
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close(); // releases the OS lock
            } catch (IOException e) {
                // the lock goes with the descriptor; nothing written is lost (sync came first)
            } finally {
                held.remove(media);
            }
        }
    }
}
