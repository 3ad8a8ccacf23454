package dev.eventsync.client.cli;

import dev.eventsync.client.AttachmentFile;
import dev.eventsync.client.LocalAttachment;
import dev.eventsync.client.LocalModel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Files in the terminal chat: {@code send --file PATH} (repeatable) and {@code download MEDIA
 * PATH}; {@code read} and {@code watch} show each attachment as {@code [file NAME TYPE SIZE
 * MEDIA]}, MEDIA being the short id {@code download} takes.
 */
final class MediaCommands {

    /** What a file's extension says it is, when the platform cannot tell ({@link Files#probeContentType}). */
    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"), Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"), Map.entry("heic", "image/heic"), Map.entry("mp4", "video/mp4"),
            Map.entry("mov", "video/quicktime"), Map.entry("webm", "video/webm"), Map.entry("ogg", "audio/ogg"),
            Map.entry("opus", "audio/ogg"), Map.entry("m4a", "audio/mp4"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("pdf", "application/pdf"), Map.entry("txt", "text/plain"), Map.entry("zip", "application/zip"));

    private MediaCommands() {}

    /** {@code --file PATH}, repeatable: the files a message carries. */
    static final class FileOptions {
        @Option(names = "--file", paramLabel = "PATH", description = "attach this file (its type from its name); repeatable, up to 10")
        List<Path> given = new ArrayList<>();

        List<AttachmentFile> attachments() {
            List<AttachmentFile> files = new ArrayList<>();
            for (Path path : given) {
                if (!Files.isRegularFile(path)) {
                    throw new IllegalArgumentException("no file " + path + "; nothing was queued");
                }
                files.add(AttachmentFile.of(path, contentType(path)));
            }
            return files;
        }
    }

    static String contentType(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String known = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        try {
            String probed = Files.probeContentType(path);
            return probed != null && probed.contains("/") ? probed : "application/octet-stream";
        } catch (IOException e) {
            return "application/octet-stream";
        }
    }

    /** One attachment in a message line: {@code [file photo.jpg image/jpeg 1.5 MiB 1a2b3c4d]}. */
    static String attachment(String fileName, String contentType, long sizeBytes, String mediaUuid) {
        return "[file " + (fileName.isEmpty() ? "(unnamed)" : fileName) + " " + contentType + " " + size(sizeBytes) + " "
                + ChatLines.prefix(mediaUuid) + "]";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** The media the argument names: an attachment held here whose uuid starts with it, or a whole uuid. */
    static String media(LocalModel model, String given) {
        String prefix = given.toLowerCase(Locale.ROOT);
        List<String> found = new ArrayList<>();
        for (LocalModel.Conversation c : model.conversations()) {
            for (LocalModel.LocalMessage m : model.messages(c.uuid())) {
                for (LocalAttachment a : m.attachments()) {
                    if (a.mediaUuid().startsWith(prefix) && !found.contains(a.mediaUuid())) {
                        found.add(a.mediaUuid());
                    }
                }
            }
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            if (prefix.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                return prefix; // not shown here (yet): the server decides whether we may have it
            }
            throw new IllegalArgumentException("no file " + given + " in the messages held here: see `read` (the short id"
                    + " after the file's size), or give its whole media uuid");
        }
        throw new IllegalArgumentException(given + " matches " + found.size() + " files; give a longer prefix: "
                + String.join(", ", found));
    }

    @Command(name = "download", description = "Save a message's file (resumes a cut download; the second time it comes from the local cache).")
    static final class Download implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "the file: its short id as `read` shows it (a media uuid prefix), or its uuid") String media;
        @Parameters(index = "1", description = "where to save it") Path target;

        @Override
        public Integer call() {
            try (ChatSession session = ChatSession.open(chat, false)) {
                String uuid;
                try {
                    uuid = media(session.client().model(), media);
                } catch (IllegalArgumentException notHereYet) {
                    if (chat.offline) {
                        throw notHereYet;
                    }
                    session.settle(); // a message that just arrived on the server
                    uuid = media(session.client().model(), media);
                }
                if (chat.offline && !session.client().cached(uuid)) {
                    chat.err().println("file " + ChatLines.prefix(uuid) + " is not in the local cache" + ChatCommand.NOTHING_SHOWN);
                    return ChatSession.NOT_REACHED;
                }
                try {
                    Path saved = session.client().download(uuid, target);
                    chat.out().println("saved " + saved + " (" + size(Files.size(saved)) + ")");
                    return ChatSession.DONE;
                } catch (StatusRuntimeException e) {
                    Status.Code code = e.getStatus().getCode();
                    if (code == Status.Code.NOT_FOUND) {
                        chat.err().println("no file " + ChatLines.prefix(uuid) + " that you may download (unknown, not"
                                + " complete, or in no message you can see)");
                        return ChatSession.REFUSED;
                    }
                    chat.err().println("the download of " + ChatLines.prefix(uuid) + " stopped: " + code + " "
                            + e.getStatus().getDescription() + "; run it again to resume");
                    return ChatSession.NOT_REACHED;
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage() + "; run it again", e);
                }
            }
        }
    }
}
