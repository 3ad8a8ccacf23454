package dev.eventsync.client;

import static dev.eventsync.client.ClientPool.WAIT;
import static dev.eventsync.client.ClientPool.awaitSettled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Attachment;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.support.Api;
import dev.eventsync.support.Media;
import dev.eventsync.support.ServerTest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** Files sent by the reference client through its durable outbox, against a real server over gRPC. */
@ServerTest
class MediaClientTest {

    /** Past the server's 4 MiB durable step, so a cut call leaves committed bytes behind whatever the race. */
    static final int BIG = 6 * 1024 * 1024 + 12_345;

    @LocalGrpcServerPort
    int port;

    @TempDir
    Path dir;

    Api api;
    ClientPool pool;
    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    @BeforeEach
    void connect() {
        api = new Api(port);
        pool = new ClientPool(port, dir);
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        pool.close();
        api.close();
    }

    Path file(String name, int size, long seed) throws IOException {
        return Files.write(dir.resolve(name), Media.file(size, seed));
    }

    String conversation(EventsyncClient creator, EventsyncClient other) {
        String conversation = creator.createConversation("files", List.of(bob.toString()));
        await().atMost(WAIT).until(() -> other.model().conversation(conversation) != null);
        return conversation;
    }

    /** Bob's stored messages of the conversation, as the server gave them to him. */
    List<Message> bobsMessages(String conversation) {
        return api.user(bob).feed().stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage())
                .filter(m -> m.getConversationUuid().equals(conversation)).toList();
    }

    @Test
    void messagesWithFilesGoOutAfterTheirUploadsInSendOrderAndShowTheirAttachments() throws Exception {
        UploadGate gate = new UploadGate(3);
        EventsyncClient a = pool.online(alice, "alice", b -> b.interceptor(gate));
        EventsyncClient b = pool.online(bob, "bob");
        String conversation = conversation(a, b);
        Path big = file("photo.jpg", BIG, 1);
        Path small = file("note.ogg", 100_000, 2);

        a.sendMessage(conversation, "first", AttachmentFile.of(big, "image/jpeg").withDimensions(4000, 3000)
                .withThumbnail(new byte[] {1, 2, 3}));
        a.sendMessage(conversation, "second");
        a.sendMessage(conversation, "third", AttachmentFile.of(small, "audio/ogg").named("voice.ogg").withDuration(4_200));

        // Pending at once, with what the files are; nothing goes while the first file is on its way.
        assertThat(a.model().messages(conversation)).extracting(LocalModel.LocalMessage::text)
                .containsExactly("first", "second", "third");
        assertThat(a.model().messages(conversation).get(0).attachments()).singleElement()
                .satisfies(f -> {
                    assertThat(f.fileName()).isEqualTo("photo.jpg");
                    assertThat(f.contentType()).isEqualTo("image/jpeg");
                    assertThat(f.sizeBytes()).isEqualTo(BIG);
                });
        gate.holding.await();
        assertThat(bobsMessages(conversation)).as("sent while the first file uploads").isEmpty();
        assertThat(a.pending()).hasSize(3);

        gate.release(false);
        awaitSettled(a);

        List<Message> stored = bobsMessages(conversation);
        assertThat(stored).extracting(Message::getText).containsExactly("first", "second", "third");
        Attachment photo = stored.get(0).getAttachments(0);
        assertThat(photo.getSizeBytes()).isEqualTo(BIG);
        assertThat(photo.getSha256()).isEqualTo(Media.sha256(Files.readAllBytes(big)));
        assertThat(photo.getWidth()).isEqualTo(4000);
        assertThat(photo.getThumbnail().toByteArray()).containsExactly(1, 2, 3);
        assertThat(Media.bytes(Media.download(api.user(bob), photo.getMediaUuid(), 0))).isEqualTo(Files.readAllBytes(big));
        Attachment voice = stored.get(2).getAttachments(0);
        assertThat(voice.getFileName()).isEqualTo("voice.ogg");
        assertThat(voice.getDurationMs()).isEqualTo(4_200);
        assertThat(Media.bytes(Media.download(api.user(bob), voice.getMediaUuid(), 0))).isEqualTo(Files.readAllBytes(small));

        // The receiver's model shows them too.
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.model().messages(conversation))
                .extracting(LocalModel.LocalMessage::text).containsExactly("first", "second", "third"));
        List<LocalModel.LocalMessage> received = b.model().messages(conversation);
        assertThat(received.get(0).attachments()).extracting(LocalAttachment::fileName, LocalAttachment::contentType,
                LocalAttachment::sizeBytes).containsExactly(org.assertj.core.groups.Tuple.tuple("photo.jpg", "image/jpeg", (long) BIG));
        assertThat(received.get(1).attachments()).isEmpty();
        assertThat(received.get(2).attachments()).extracting(LocalAttachment::mediaUuid).containsExactly(voice.getMediaUuid());
    }

    @Test
    void anUploadCutMidCallResumesFromTheServersCommittedBytesAndIsStoredOnce() throws Exception {
        UploadGate gate = new UploadGate(20); // inside the 20th chunk: 19 × 256 KiB sent, past the 4 MiB durable step
        EventsyncClient a = pool.online(alice, "alice", b -> b.interceptor(gate));
        EventsyncClient b = pool.online(bob, "bob");
        String conversation = conversation(a, b);
        Path big = file("video.mp4", BIG, 3);

        a.sendMessage(conversation, "clip", AttachmentFile.of(big, "video/mp4"));
        gate.holding.await();
        String media = a.pending().get(0).getSendingNewMessage().getMessage().getAttachments(0).getMediaUuid();
        await().atMost(WAIT).ignoreExceptionsMatching(Media::notStartedYet).until(() -> Media.status(api.user(alice), media).getCommittedBytes() >= 4L * 1024 * 1024);
        gate.release(true);
        awaitSettled(a);

        assertThat(gate.startOffsets).as("the first call from 0, the resumed one from the server's committed bytes")
                .hasSizeGreaterThanOrEqualTo(2).first().isEqualTo(0L);
        assertThat(gate.startOffsets.get(gate.startOffsets.size() - 1)).isGreaterThanOrEqualTo(4L * 1024 * 1024);
        List<Message> stored = bobsMessages(conversation);
        assertThat(stored).extracting(Message::getText).containsExactly("clip");
        assertThat(stored.get(0).getAttachments(0).getSha256()).isEqualTo(Media.sha256(Files.readAllBytes(big)));
        assertThat(Media.bytes(Media.download(api.user(bob), media, 0))).isEqualTo(Files.readAllBytes(big));
    }

    @Test
    void aFileChangedBeforeItsUploadFailsItsMessageLocallyAndTheQueueGoesOn() throws Exception {
        EventsyncClient a = pool.offline(alice, "alice");
        EventsyncClient b = pool.online(bob, "bob");
        String conversation = a.createConversation("files", List.of(bob.toString()));
        Path doc = file("report.pdf", 50_000, 4);
        a.sendMessage(conversation, "report", AttachmentFile.of(doc, "application/pdf"));
        a.sendMessage(conversation, "after");
        Files.write(doc, Media.file(50_000, 5)); // same size, other bytes: only the server's hash check can tell
        a.start();
        awaitSettled(a);

        await().atMost(WAIT).untilAsserted(() -> assertThat(a.model().messages(conversation))
                .extracting(LocalModel.LocalMessage::text, LocalModel.LocalMessage::state)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("report", LocalModel.State.FAILED),
                        org.assertj.core.groups.Tuple.tuple("after", LocalModel.State.SENT)));
        await().atMost(WAIT).until(() -> b.model().conversation(conversation) != null);
        assertThat(bobsMessages(conversation)).extracting(Message::getText).containsExactly("after");
    }

    /** Alice's message with this file, stored; returns its media uuid. */
    String sent(EventsyncClient a, String conversation, Path file) {
        a.sendMessage(conversation, "see file", AttachmentFile.of(file, Media.TYPE));
        String media = a.pending().get(0).getSendingNewMessage().getMessage().getAttachments(0).getMediaUuid();
        awaitSettled(a);
        return media;
    }

    @Test
    void aDownloadCutMidStreamResumesFromTheBytesOnDiskAndTheNextOneIsServedLocally() throws Exception {
        DownloadWatch watch = new DownloadWatch(5);
        Path cache = dir.resolve("bob-cache");
        EventsyncClient a = pool.online(alice, "alice");
        EventsyncClient b = pool.online(bob, "bob", builder -> builder.interceptor(watch).mediaCache(cache));
        String conversation = conversation(a, b);
        Path file = file("big.bin", BIG, 6);
        String media = sent(a, conversation, file);

        Path target = dir.resolve("downloads/big.bin");
        assertThatThrownBy(() -> b.download(media, target)).isInstanceOf(StatusRuntimeException.class)
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
        long onDisk = Files.size(cache.resolve(media + ".part"));
        // The cut lands after the fifth chunk; one more may already be on its way to the reader then.
        assertThat(onDisk).as("the cut download's bytes, kept: whole chunks, not the whole file")
                .isBetween(5L * 256 * 1024, (long) BIG - 1).matches(n -> n % (256 * 1024) == 0, "whole chunks");
        assertThat(b.cached(media)).isFalse();

        assertThat(b.download(media, target)).isEqualTo(target);
        assertThat(watch.offsets).containsExactly(0L, onDisk);
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(file));
        assertThat(b.cached(media)).isTrue();

        Path again = dir.resolve("again.bin");
        b.download(media, again);
        assertThat(watch.offsets).as("served from the cache: no call").hasSize(2);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void aDamagedPartialDownloadFailsItsHashCheckIsDiscardedAndTheNextDownloadIsExact() throws Exception {
        Path cache = dir.resolve("bob-cache");
        EventsyncClient a = pool.online(alice, "alice");
        EventsyncClient b = pool.online(bob, "bob", builder -> builder.mediaCache(cache));
        String conversation = conversation(a, b);
        Path file = file("doc.bin", 700_000, 7);
        String media = sent(a, conversation, file);
        Files.createDirectories(cache);
        Files.write(cache.resolve(media + ".part"), Media.file(1_000, 8)); // not the file's first 1,000 bytes

        Path target = dir.resolve("doc.bin.copy");
        assertThatThrownBy(() -> b.download(media, target)).isInstanceOf(MediaHashMismatchException.class)
                .hasMessageContaining(media);
        assertThat(cache.resolve(media + ".part")).doesNotExist();
        assertThat(b.cached(media)).isFalse();
        assertThat(target).doesNotExist();

        b.download(media, target);
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(file));
    }

    /** Records each DownloadMedia call's offset; cancels the first call once it has received {@code cutAfter} chunks. */
    static final class DownloadWatch implements ClientInterceptor {
        final List<Long> offsets = new CopyOnWriteArrayList<>();
        private final int cutAfter;

        DownloadWatch(int cutAfter) {
            this.cutAfter = cutAfter;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            ClientCall<Q, R> call = next.newCall(method, options);
            if (!method.getFullMethodName().equals(MediaServiceGrpc.getDownloadMediaMethod().getFullMethodName())) {
                return call;
            }
            boolean first = offsets.isEmpty();
            AtomicInteger received = new AtomicInteger();
            return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                @Override
                public void sendMessage(Q message) {
                    offsets.add(((DownloadMediaRequest) message).getOffset());
                    super.sendMessage(message);
                }

                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onMessage(R message) {
                            super.onMessage(message);
                            if (first && received.incrementAndGet() == cutAfter) {
                                call.cancel("the test cut the download here", null);
                            }
                        }
                    }, headers);
                }
            };
        }
    }
}
