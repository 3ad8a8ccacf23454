package dev.eventsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.JavaProcesses;
import dev.eventsync.support.Servers;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue #4: the client PROCESS is killed (SIGKILL: no close, no shutdown hook, no last commit)
 * with entries in its outbox, and a new client is started on the same SQLite file: every entry
 * goes out, once, in send order.
 *
 * <p>The killed client runs in a child JVM ({@link OutboxWriter}, launched with this JVM's test
 * classpath, as {@code ShutdownTest} launches a server); it reports each durable {@code send} on
 * its stdout as {@code QUEUED <n>}. Whatever it prints beyond those lines (logs) is ignored; its
 * stderr goes to a file under target/ named in every failure.
 */
class ClientProcessKillTest {

    static final Duration CHILD = Duration.ofSeconds(90);
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    final UUID alice = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();

    /** Server down the whole time the child runs: all 50 sends wait in the outbox when it dies. */
    @Test
    void fiftyMessagesQueuedWhileOfflineByAKilledProcessAreStoredOnceInOrderByTheNextClient() throws Exception {
        int messages = 50;
        int port = Clients.freePort();
        Path file = dir.resolve("alice.db");
        String conversation = Events.newUuid();

        // The conversation exists on the server before the client goes offline.
        ConfigurableApplicationContext first = Clients.serverOn(port);
        try (Api api = new Api(port)) {
            assertThat(api.user(alice).submit(Events.createConversation(conversation, "kill", bob.toString()))
                    .hasAccepted()).isTrue();
        } finally {
            first.close();
        }

        // The child writes into the outbox with nothing listening on the port, and is killed.
        try (Child child = Child.start(port, file, alice, conversation, messages, 100, -1)) {
            child.awaitLine("QUEUED " + messages);
            child.kill();
        }

        ConfigurableApplicationContext second = Clients.serverOn(port);
        try (Api api = new Api(port)) {
            List<String> expected = texts(0, messages);
            Clients.Recorder recorder = new Clients.Recorder();
            try (EventsyncClient restarted = Clients.builder(port, file, alice).listener(recorder).build()) {
                // What the killed process left: all 50, in send order, none answered.
                assertThat(texts(restarted.pending())).containsExactlyElementsOf(expected);
                assertThat(restarted.model().messages(conversation)).extracting(LocalModel.LocalMessage::text)
                        .containsExactlyElementsOf(expected);

                restarted.start();
                await().atMost(WAIT).until(() -> restarted.pending().isEmpty());

                assertThat(texts(api.user(bob).feed())).as("bob's feed").containsExactlyElementsOf(expected);
                assertThat(texts(recorder.accepted)).as("accepted by the restarted client").containsExactlyElementsOf(expected);
                assertThat(recorder.acceptances).noneMatch(Accepted::getDuplicate);
                assertThat(recorder.rejected).isEmpty();
                await().atMost(WAIT).untilAsserted(() -> assertThat(restarted.model().messages(conversation))
                        .allMatch(m -> m.state() == LocalModel.State.SENT && m.sentAt() != null)
                        .extracting(LocalModel.LocalMessage::text).containsExactlyElementsOf(expected));
            }
        } finally {
            second.close();
        }
    }

    /**
     * Server up, the child killed mid-dispatch, at the worst moment: a batch is committed on the
     * server but its reply never reached the outbox (the child holds the 4th Sync reply forever,
     * then dies). That batch must be resent and answered as duplicates, nothing stored twice.
     */
    @Test
    void processKilledMidDispatchWithAnUnrecordedReplyLeavesEveryMessageStoredExactlyOnceInOrder() throws Exception {
        killMidDispatchAndRestart(3);
    }

    /** The same with no help: killed as soon as its 200th send is durable, wherever the dispatcher is. */
    @Test
    void processKilledRightAfterItsLastSendWhileDispatchingLeavesEveryMessageStoredExactlyOnceInOrder() throws Exception {
        killMidDispatchAndRestart(-1);
    }

    /** {@code repliesBeforeHold} >= 0: the child delivers that many Sync replies, holds the next one and is killed then. */
    private void killMidDispatchAndRestart(int repliesBeforeHold) throws Exception {
        int messages = 200;
        int batch = 10;
        Path file = dir.resolve("alice.db");
        List<String> expected = texts(0, messages);
        ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of());
        int port = Servers.port(server);
        try (Api api = new Api(port)) {
            String conversation = Events.newUuid();
            assertThat(api.user(alice).submit(Events.createConversation(conversation, "kill", bob.toString()))
                    .hasAccepted()).isTrue();

            try (Child child = Child.start(port, file, alice, conversation, messages, batch, repliesBeforeHold)) {
                child.awaitLine("QUEUED " + messages);
                if (repliesBeforeHold >= 0) {
                    child.awaitLine("HOLDING");
                }
                child.kill();
            }

            // What the kill left, on both sides. Nothing can reach the server any more (the
            // process is gone), so the feed read now is final for everything it sent.
            List<String> storedAtKill = texts(api.user(bob).feed());
            List<String> leftInOutbox;
            try (EventsyncClient look = Clients.builder(port, file, alice).build()) {
                leftInOutbox = texts(look.pending());
            }
            System.out.printf("killed %s: %d of %d messages stored, %d left in the outbox%n",
                    repliesBeforeHold >= 0 ? "holding a reply" : "right after its last send",
                    storedAtKill.size(), messages, leftInOutbox.size());
            assertThat(storedAtKill).as("stored when killed: a prefix of the sends")
                    .containsExactlyElementsOf(expected.subList(0, storedAtKill.size()));
            assertThat(leftInOutbox).as("the outbox when killed: a suffix of the sends")
                    .containsExactlyElementsOf(expected.subList(messages - leftInOutbox.size(), messages));
            assertThat(storedAtKill.size() + leftInOutbox.size()).as("stored + queued: no gap between them")
                    .isGreaterThanOrEqualTo(messages);
            // Entries the server stored but the outbox still held: answered before the kill, never recorded.
            int unrecorded = storedAtKill.size() + leftInOutbox.size() - messages;
            if (repliesBeforeHold >= 0) {
                assertThat(storedAtKill).as("killed mid-dispatch").isNotEmpty().hasSizeLessThan(messages);
                assertThat(unrecorded).as("the held batch: stored, still in the outbox").isBetween(1, batch);
            }

            Clients.Recorder recorder = new Clients.Recorder();
            try (EventsyncClient restarted = Clients.builder(port, file, alice).listener(recorder).build().start()) {
                await().atMost(WAIT).until(() -> restarted.pending().isEmpty());

                List<String> bobsFeed = texts(api.user(bob).feed());
                assertThat(bobsFeed).as("bob's feed").doesNotHaveDuplicates().containsExactlyElementsOf(expected);
                assertThat(texts(recorder.accepted)).as("accepted by the restarted client: exactly what was left")
                        .containsExactlyElementsOf(leftInOutbox);
                assertThat(recorder.rejected).isEmpty();
                // One result each: the already-stored head of the outbox as duplicates, the rest as new.
                // (Without a held reply, a call the server was still committing when the process died
                // may have been stored after the feed was read above: then more duplicates, never fewer.)
                List<Boolean> duplicates = recorder.acceptances.stream().map(Accepted::getDuplicate).toList();
                int resent = duplicates.indexOf(false) < 0 ? duplicates.size() : duplicates.indexOf(false);
                assertThat(duplicates.subList(resent, duplicates.size())).as("results after the resent head: all new")
                        .doesNotContain(true);
                if (repliesBeforeHold >= 0) {
                    assertThat(resent).as("answered as duplicates: exactly the held batch").isEqualTo(unrecorded);
                } else {
                    assertThat(resent).as("answered as duplicates").isGreaterThanOrEqualTo(unrecorded);
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(restarted.model().messages(conversation))
                        .allMatch(m -> m.state() == LocalModel.State.SENT && m.sentAt() != null)
                        .extracting(LocalModel.LocalMessage::text).containsExactlyElementsOf(expected));
            }
        } finally {
            server.close();
        }
    }

    static List<String> texts(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
    }

    static List<String> texts(List<Event> events) {
        return events.stream().map(e -> e.hasNewMessage() ? e.getNewMessage().getMessage().getText()
                        : e.hasSendingNewMessage() ? e.getSendingNewMessage().getMessage().getText() : null)
                .filter(t -> t != null).toList();
    }

    /** The child JVM running {@link OutboxWriter}, its stdout lines collected as they come. */
    static final class Child implements AutoCloseable {
        final Process process;
        final Path log;
        final List<String> lines = new CopyOnWriteArrayList<>();

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The process died: what it printed before is in lines.
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(int port, Path file, UUID user, String conversation, int messages, int batch,
                int repliesBeforeHold) throws IOException {
            return launch(OutboxWriter.class, List.of(String.valueOf(port), file.toString(), user.toString(), conversation,
                    String.valueOf(messages), String.valueOf(batch), String.valueOf(repliesBeforeHold)));
        }

        /** Any client main of the test classpath (it should exit when its stdin closes, as {@link OutboxWriter} does). */
        static Child launch(Class<?> main, List<String> arguments) throws IOException {
            Path log = JavaProcesses.logFile("killed-client-");
            return new Child(JavaProcesses.of(main, arguments).redirectError(log.toFile()).start(), log);
        }

        void awaitLine(String line) {
            await().alias("the child printing " + line + " (its stderr: " + log + ")").atMost(CHILD)
                    .failFast("the child exited (its stderr: " + log + ")", () -> !process.isAlive() && !lines.contains(line))
                    .until(() -> lines.contains(line));
        }

        /** SIGKILL: nothing closed, nothing flushed beyond what was committed. */
        void kill() throws InterruptedException {
            assertThat(process.isAlive()).as("the child still running when killed (its stderr: %s)", log).isTrue();
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the child killed").isTrue();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * The client process to be killed. Arguments: port, SQLite file, user, conversation, number of
     * messages, maxBatchEvents, replies to deliver before holding the next Sync reply forever (-1:
     * none held). Prints {@code QUEUED <n>} once the n-th send is durable, {@code HOLDING} once it
     * holds a reply (the server has committed that batch), then waits to be killed. Exits by
     * itself, abruptly, if its parent goes away (stdin closes), so it never outlives the test.
     */
    public static final class OutboxWriter {

        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            Path file = Path.of(args[1]);
            UUID user = UUID.fromString(args[2]);
            String conversation = args[3];
            int messages = Integer.parseInt(args[4]);
            int batch = Integer.parseInt(args[5]);
            int repliesBeforeHold = Integer.parseInt(args[6]);

            exitWithParent();
            EventsyncClient.Builder builder = Clients.builder(port, file, user).maxBatchEvents(batch);
            if (repliesBeforeHold >= 0) {
                builder.interceptor(new HoldSyncReply(repliesBeforeHold));
            }
            EventsyncClient client = builder.build().start(); // never closed: the process is killed
            for (int i = 0; i < messages; i++) {
                client.sendMessage(conversation, "m" + i);
                System.out.println("QUEUED " + (i + 1));
                System.out.flush();
            }
            new CountDownLatch(1).await();
        }

        /** Halts this child JVM, abruptly, once its parent goes away (its stdin closes). */
        static void exitWithParent() {
            Thread orphanGuard = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // nothing is ever written to us
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    Runtime.getRuntime().halt(3);
                }
            }, "orphan-guard");
            orphanGuard.setDaemon(true);
            orphanGuard.start();
        }
    }

    /**
     * Delivers the first {@code replies} Sync replies, then blocks the dispatcher thread inside
     * the next reply forever: the server has committed that batch, the client never records it.
     */
    static final class HoldSyncReply implements ClientInterceptor {
        private final int replies;
        private final AtomicInteger received = new AtomicInteger();

        HoldSyncReply(int replies) {
            this.replies = replies;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            ClientCall<Q, R> call = next.newCall(method, options);
            if (!method.getFullMethodName().equals(EventServiceGrpc.getSyncMethod().getFullMethodName())) {
                return call;
            }
            return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onMessage(R message) {
                            if (received.incrementAndGet() > replies) {
                                System.out.println("HOLDING");
                                System.out.flush();
                                try {
                                    new CountDownLatch(1).await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                return;
                            }
                            super.onMessage(message);
                        }
                    }, headers);
                }
            };
        }
    }
}
