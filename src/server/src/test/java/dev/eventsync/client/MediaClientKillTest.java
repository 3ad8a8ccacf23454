package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The client PROCESS is SIGKILLed in the middle of uploading a message's file; a new client on the
 * same SQLite file resumes the upload from the server's committed bytes at its start, and the
 * message goes out once, its file byte-exact with the right hash.
 */
class MediaClientKillTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final int SIZE = 9 * 1024 * 1024 + 777;

    @TempDir
    Path dir;

    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    @Test
    void processKilledMidUploadResumesAtTheNextStartAndSendsTheMessageOnceWithTheExactFile() throws Exception {
        Path db = dir.resolve("alice.db");
        Path file = Files.write(dir.resolve("movie.mp4"), Media.file(SIZE, 42));
        ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of());
        int port = Servers.port(server);
        try (Api api = new Api(port)) {
            String conversation = Events.newUuid();
            assertThat(api.user(alice).submit(Events.createConversation(conversation, "kill", bob.toString()))
                    .hasAccepted()).isTrue();

            String media;
            try (ClientProcessKillTest.Child child = ClientProcessKillTest.Child.launch(FileSender.class,
                    List.of(String.valueOf(port), db.toString(), alice.toString(), conversation, file.toString()))) {
                child.awaitLine("HOLDING");
                media = child.lines.stream().filter(l -> l.startsWith("MEDIA ")).findFirst().orElseThrow().substring(6);
                // 5 MiB sent: the server has made at least its first 4 MiB durable.
                await().atMost(WAIT).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(api.user(alice), media).getCommittedBytes() >= 4L * 1024 * 1024);
                child.kill();
            }
            long committedAtKill = await().atMost(WAIT).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(api.user(alice), media).getCommittedBytes(),
                    committed -> committed >= 4L * 1024 * 1024);
            System.out.printf("killed mid-upload: %d of %d bytes committed on the server%n", committedAtKill, SIZE);
            assertThat(messages(api, conversation)).as("sent before its file was complete").isEmpty();

            UploadGate watch = new UploadGate(0);
            try (EventsyncClient restarted = Clients.builder(port, db, alice).interceptor(watch).build().start()) {
                await().atMost(WAIT).until(() -> restarted.pending().isEmpty());
            }
            assertThat(watch.startOffsets).as("the restarted client resumed, not started over").isNotEmpty()
                    .allMatch(offset -> offset >= 4L * 1024 * 1024);
            List<Message> stored = messages(api, conversation);
            assertThat(stored).extracting(Message::getText).containsExactly("the movie");
            assertThat(stored.get(0).getAttachments(0).getMediaUuid()).isEqualTo(media);
            assertThat(stored.get(0).getAttachments(0).getSizeBytes()).isEqualTo(SIZE);
            assertThat(stored.get(0).getAttachments(0).getSha256()).isEqualTo(Media.sha256(Files.readAllBytes(file)));
            assertThat(Media.bytes(Media.download(api.user(bob), media, 0))).isEqualTo(Files.readAllBytes(file));
        } finally {
            server.close();
        }
    }

    List<Message> messages(Api api, String conversation) {
        return api.user(bob).feed().stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage())
                .filter(m -> m.getConversationUuid().equals(conversation)).toList();
    }

    /**
     * The client process to kill. Arguments: port, SQLite file, user, conversation, file. Sends the
     * file in a message, prints {@code MEDIA <uuid>}, holds its upload inside the 21st chunk
     * (printing {@code HOLDING}) and waits to be killed.
     */
    public static final class FileSender {

        public static void main(String[] args) throws Exception {
            ClientProcessKillTest.OutboxWriter.exitWithParent();
            UploadGate gate = new UploadGate(21, () -> {
                System.out.println("HOLDING");
                System.out.flush();
            });
            EventsyncClient client = Clients.builder(Integer.parseInt(args[0]), Path.of(args[1]), UUID.fromString(args[2]))
                    .interceptor(gate).build(); // never closed: the process is killed
            client.sendMessage(args[3], "the movie", AttachmentFile.of(Path.of(args[4]), "video/mp4"));
            String media = client.pending().get(0).getSendingNewMessage().getMessage().getAttachments(0).getMediaUuid();
            System.out.println("MEDIA " + media);
            System.out.flush();
            client.start();
            new CountDownLatch(1).await();
        }
    }
}
