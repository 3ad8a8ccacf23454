package dev.eventsync.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.EventsyncApplication;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.JavaProcesses;
import dev.eventsync.support.Servers;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that open follow streams and never read cost the server a bounded amount of memory,
 * heap and direct (Netty) alike, however many they are (issue 10): 500 such streams of 25 users
 * (20 each, the per-user limit) on a feed of 1 MiB pictures, and meanwhile another user's Sync
 * and SyncFromServer, which has to read those pictures too, are served. One more stream of a
 * user who has 20 open is RESOURCE_EXHAUSTED.
 *
 * <p>The server runs in a JVM of its own with a small heap and a small direct-memory limit, so
 * that what is measured is the server alone (the test's clients hold what they received but do
 * not read) and so that exceeding either limit breaks it. Without the budget, each stalled stream
 * pins a whole picture in the server's transport (its client's window is used up by the first):
 * about 500 MiB of direct memory.
 */
class MemoryBudgetTest {

    static final int BUDGET_MIB = 32;
    static final int USERS = 25;
    static final int STREAMS_PER_USER = 20;
    static final int PICTURES = 3;
    /** Near the 1 MiB picture limit. */
    static final int PICTURE_BYTES = 1024 * 1024 - 1024;
    /** Beyond the budget: Netty's pools and what grpc queues beyond the on-ready threshold. */
    static final long SLACK = 64L * 1024 * 1024;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    static final String HEAP = "-Xmx256m";
    static final String DIRECT = "-XX:MaxDirectMemorySize=160m";

    final List<ManagedChannel> channels = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    Process server;
    Path log;
    int port;
    int operationsPort;

    @BeforeEach
    void startServer() throws Exception {
        port = freePort();
        operationsPort = freePort();
        Map<String, Object> properties = Servers.testDatabase();
        properties.put("spring.grpc.server.port", port);
        properties.put("server.port", operationsPort);
        properties.put("eventsync.feed.memory-budget", BUDGET_MIB + "MB");
        properties.put("eventsync.feed.stall-timeout", "2s");
        properties.put("eventsync.feed.max-streams-per-user", STREAMS_PER_USER);
        List<String> arguments = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
        log = JavaProcesses.logFile("memory-budget-server-");
        server = JavaProcesses.of(EventsyncApplication.class, List.of(HEAP, DIRECT), arguments)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void fiveHundredStreamsThatNeverReadStayWithinTheBudgetAndOthersAreServed() throws Exception {
        try (Api api = new Api(port)) {
            Api.User celebrity = api.newUser();
            await().atMost(JavaProcesses.STARTUP).ignoreExceptions()
                    .failFast("the server exited; see " + log, () -> !server.isAlive())
                    .until(() -> celebrity.read("").get(0).hasSyncCaughtUp());
            List<Api.User> stalled = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                stalled.add(api.newUser());
            }
            Api.User dave = api.newUser();
            String conversation = Events.newUuid();
            List<String> members = new ArrayList<>(stalled.stream().map(Api.User::uuid).toList());
            members.add(dave.uuid());
            assertThat(celebrity.submit(Events.createConversation(conversation, "Fans", members.toArray(String[]::new)))
                    .hasAccepted()).isTrue();
            Random random = new Random(10);
            for (int i = 0; i < PICTURES; i++) {
                byte[] png = new byte[PICTURE_BYTES];
                random.nextBytes(png);
                System.arraycopy(Events.PNG, 0, png, 0, Events.PNG.length);
                assertThat(celebrity.submit(Events.picture(png)).hasAccepted()).as("picture %d", i).isTrue();
            }
            assertThat(dave.feed()).filteredOn(Event::hasProfilePictureChanged).hasSize(PICTURES);

            long directBefore = metric("jvm.buffer.memory.used?tag=id:direct");
            List<Stalled> streams = new ArrayList<>();
            for (Api.User user : stalled) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                        .maxInboundMessageSize(8 * 1024 * 1024).build();
                channels.add(channel);
                EventServiceGrpc.EventServiceStub stub = stub(channel, user);
                for (int i = 0; i < STREAMS_PER_USER; i++) {
                    streams.add(Stalled.open(stub));
                }
                int opened = streams.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> openOrReset() == opened);
                // One more than the limit.
                Stalled tooMany = Stalled.open(stub);
                await().atMost(Duration.ofSeconds(30)).until(tooMany.done::isDone);
                assertThat(tooMany.endedWith()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            }
            // Every stream opened (a reset one included: its client, asking for nothing, does not even see the reset).
            await().atMost(Duration.ofSeconds(30)).until(() -> openOrReset() == USERS * STREAMS_PER_USER);

            // Meanwhile, a user who reads: Sync, and the whole feed, pictures included.
            AtomicLong peakDirect = new AtomicLong();
            long started = System.nanoTime();
            CompletableFuture<List<Event>> davesFeed = CompletableFuture.supplyAsync(() -> {
                assertThat(dave.submit(Events.send(conversation, "still there?")).hasAccepted()).isTrue();
                return dave.feed();
            });
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
                peakDirect.accumulateAndGet(metric("jvm.buffer.memory.used?tag=id:direct"), Math::max);
                return davesFeed.isDone();
            });
            System.out.printf("dave's Sync and catch-up took %d ms beside %d stalled streams (%d reset)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), streams.size(), metric("eventsync.feed.streams.reset"));
            assertThat(davesFeed.join()).filteredOn(Event::hasProfilePictureChanged).hasSize(PICTURES);

            peakDirect.accumulateAndGet(metric("jvm.buffer.memory.used?tag=id:direct"), Math::max);
            long heap = metric("jvm.memory.used?tag=area:heap");
            long budget = BUDGET_MIB * 1024L * 1024;
            System.out.printf("500 stalled streams (server %s %s): heap used %d MiB, direct memory peak %d MiB (%d MiB before; budget %d MiB)%n",
                    HEAP, DIRECT, heap >> 20, peakDirect.get() >> 20, directBefore >> 20, BUDGET_MIB);
            assertThat(peakDirect.get() - directBefore).as("direct memory held beside the stalled streams").isLessThan(budget + SLACK);
            // Streams were reset only as others needed their memory; none ended otherwise.
            assertThat(openOrReset()).isEqualTo(USERS * STREAMS_PER_USER);
            assertThat(metric("eventsync.feed.streams.reset")).as("streams reset").isLessThan(USERS * STREAMS_PER_USER);
            assertThat(server.isAlive()).isTrue();
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        }
    }

    long openOrReset() throws Exception {
        return metric("eventsync.follow.streams") + metric("eventsync.feed.streams.reset");
    }

    /** A metric's value from the server's operations endpoint. */
    long metric(String nameAndTag) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operationsPort + "/actuator/metrics/" + nameAndTag))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher value = Pattern.compile("\"statistic\":\"VALUE\",\"value\":([0-9.E+-]+)").matcher(body);
        assertThat(value.find()).as("metric %s: %s", nameAndTag, body).isTrue();
        return (long) Double.parseDouble(value.group(1));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    EventServiceGrpc.EventServiceStub stub(ManagedChannel channel, Api.User user) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + user.token);
        return EventServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** A follow stream that asks for nothing. */
    static final class Stalled implements ClientResponseObserver<SyncFromServerRequest, Event> {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        static Stalled open(EventServiceGrpc.EventServiceStub stub) {
            Stalled stalled = new Stalled();
            stub.syncFromServer(SyncFromServerRequest.newBuilder().setFollow(true).build(), stalled);
            return stalled;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> call) {
            call.disableAutoRequestWithInitial(0);
        }

        @Override
        public void onNext(Event event) {}

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }

        Status.Code endedWith() {
            if (!done.isDone()) {
                return null;
            }
            return done.handle((ok, error) -> error == null ? Status.Code.OK
                    : error instanceof StatusRuntimeException e ? e.getStatus().getCode() : Status.fromThrowable(error).getCode()).join();
        }
    }
}
