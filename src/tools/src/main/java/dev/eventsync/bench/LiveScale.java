package dev.eventsync.bench;

import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * W3 and W4: the live path at the scale of issue 16. W3 sends messages to conversations of ten
 * among S follow streams and measures acknowledgement to arrival, at 1,000 and at 10,000
 * streams (the streams share the generator's channels: W3 measures the server's fan-out, not
 * connections). W4 opens N idle devices as phones hold them, each its own TCP connection and
 * follow stream, then runs W1 beside them (and W1 alone before, in the same run, to compare).
 * Each workload cancels its streams at the end, so the next one starts from an empty hub.
 */
final class LiveScale {

    /** Destination addresses the W4 connections are spread over (each pair has ~28k ephemeral ports). */
    static final int LOOPBACK_ADDRESSES = 8;
    /** Descriptors left to everything else in each process: the W1 channels, JDBC, jars, the server's pool and log. */
    static final int DESCRIPTOR_RESERVE = 1000;
    /** Catch-ups in flight while W4 opens: more would overflow the listen backlog (net.core.somaxconn) for no gain. */
    static final int OPENING = 256;

    /** Where the lines go ({@code printf}-like). */
    interface LineOut {
        void line(String format, Object... args);
    }

    /** The W1 workload, run beside W4's devices: its acknowledgement latencies. */
    interface AppendLoad {
        LoadGenerator.Recorder run() throws Exception;
    }

    private final String grpcTarget;
    private final IntFunction<Channel> sharedChannel;
    private final Function<UUID, ClientInterceptor> auth;
    private final LineOut out;
    private final Map<String, Object> results;
    private final Callable<Long> serverHeapMb;
    private final Callable<String> serverStreams;

    LiveScale(String grpcTarget, IntFunction<Channel> sharedChannel, Function<UUID, ClientInterceptor> auth, LineOut out,
            Map<String, Object> results, Callable<Long> serverHeapMb, Callable<String> serverStreams) {
        this.grpcTarget = grpcTarget;
        this.sharedChannel = sharedChannel;
        this.auth = auth;
        this.out = out;
        this.results = results;
        this.serverHeapMb = serverHeapMb;
        this.serverStreams = serverStreams;
    }

    // ---- W3: fan-out latency to S follow streams ----

    void fanout(int streams, int messages) throws Exception {
        List<UUID> users = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            users.add(UUID.randomUUID());
        }
        int conversationsCount = streams / LoadGenerator.MEMBERS;
        List<String> conversations = new ArrayList<>();
        for (int k = 0; k < conversationsCount; k++) {
            List<UUID> members = users.subList(k * LoadGenerator.MEMBERS, (k + 1) * LoadGenerator.MEMBERS);
            String conversation = UUID.randomUUID().toString();
            EventServiceGrpc.newBlockingStub(sharedChannel.apply(k % 8)).withInterceptors(auth.apply(members.get(0)))
                    .sync(SyncRequest.newBuilder().addEvents(Event.newBuilder().setUuid(UUID.randomUUID().toString())
                            .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(conversation).setName("w3")
                                    .addAllMemberUuids(members.stream().map(UUID::toString).toList()))).build());
            conversations.add(conversation);
        }
        // An event may reach a stream before its sender has seen the acknowledgement: keep the
        // arrival times and compute the latencies at the end. Acknowledgement to arrival is what
        // the other members see after the sender's tick; an arrival before the acknowledgement
        // counts as 0 and is counted apart (early=), so the clamp hides nothing.
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> ackedAt = new ConcurrentHashMap<>();
        Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        Streams open = new Streams(streams);
        for (int i = 0; i < streams; i++) {
            follow(sharedChannel.apply(i % 16), users.get(i), open, () -> {}, event -> {
                long now = System.nanoTime();
                if (event.hasNewMessage() && event.getNewMessage().getMessage().getText().equals("w3")) {
                    arrivals.computeIfAbsent(event.getUuid(), k -> new CopyOnWriteArrayList<>()).add(now);
                    deliveries.incrementAndGet();
                }
            });
        }
        try {
            if (!open.settled.await(300, TimeUnit.SECONDS) || open.caughtUp.get() < streams) {
                throw new IllegalStateException("W3: " + (streams - open.caughtUp.get()) + " streams did not catch up");
            }
            for (int m = 0; m < messages; m++) {
                int k = m % conversationsCount;
                UUID sender = users.get(k * LoadGenerator.MEMBERS);
                Event message = LoadGenerator.sendEvent(conversations.get(k), "w3");
                var stub = EventServiceGrpc.newBlockingStub(sharedChannel.apply(m % 8)).withInterceptors(auth.apply(sender));
                sentAt.put(message.getUuid(), System.nanoTime());
                stub.sync(SyncRequest.newBuilder().addEvents(message).build());
                ackedAt.put(message.getUuid(), System.nanoTime());
                Thread.sleep(5); // pacing: one message every ~5 ms plus its round trip, as in round 1
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (deliveries.get() < messages * LoadGenerator.MEMBERS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            open.cancelAll();
        }
        LoadGenerator.Recorder latencies = new LoadGenerator.Recorder();
        LoadGenerator.Recorder fromSend = new LoadGenerator.Recorder();
        AtomicInteger early = new AtomicInteger();
        arrivals.forEach((uuid, times) -> times.forEach(t -> {
            long sinceAck = t - ackedAt.get(uuid);
            if (sinceAck < 0) {
                early.incrementAndGet();
            }
            latencies.add(Math.max(0, sinceAck));
            fromSend.add(t - sentAt.get(uuid));
        }));
        out.line("W3 fanout streams=%d p50_ms=%.2f p99_ms=%.2f deliveries=%d/%d early=%d send_to_arrival_p99_ms=%.2f", streams,
                latencies.percentileMillis(50), latencies.percentileMillis(99), deliveries.get(),
                messages * LoadGenerator.MEMBERS, early.get(), fromSend.percentileMillis(99));
        results.put("w3_" + streams + "_p50_ms", latencies.percentileMillis(50));
        results.put("w3_" + streams + "_p99_ms", latencies.percentileMillis(99));
        results.put("w3_" + streams + "_send_to_arrival_p99_ms", fromSend.percentileMillis(99));
        awaitStreamsClosed();
    }

    // ---- W4: idle devices on one instance, W1 beside them ----

    /**
     * Opens {@code target} devices, each a channel (one TCP connection) and a follow stream of its
     * own, spread over {@link #LOOPBACK_ADDRESSES} loopback addresses when the server is on
     * loopback. Both processes hold one descriptor per connection, so a device beyond this
     * process's descriptor limit (less {@link #DESCRIPTOR_RESERVE}) cannot have a connection of its
     * own: those are opened on the shared channels and counted apart (shared=), never silently.
     */
    void idleDevices(int target, AppendLoad w1) throws Exception {
        long limit = openFilesLimit();
        int own = (int) Math.max(0, Math.min(target, limit - DESCRIPTOR_RESERVE));
        out.line("(W4: open files limit %s, so %d devices on their own connection and %d on shared ones; targets %s)",
                limit == Long.MAX_VALUE ? "unlimited" : String.valueOf(limit), own, target - own,
                spreads(grpcTarget) ? LOOPBACK_ADDRESSES + " loopback addresses" : grpcTarget);
        // W1 alone first, in the same run: what the devices cost W1 is the difference (this machine's fsync varies by the hour)
        LoadGenerator.Recorder alone = w1.run();
        List<ManagedChannel> channels = new ArrayList<>(own);
        Streams open = new Streams(target);
        Semaphore opening = new Semaphore(OPENING);
        long started = System.nanoTime();
        try {
            for (int i = 0; i < target; i++) {
                Channel channel;
                if (i < own) {
                    ManagedChannel device = ManagedChannelBuilder.forTarget(deviceTarget(grpcTarget, i, LOOPBACK_ADDRESSES))
                            .usePlaintext().build();
                    channels.add(device);
                    channel = device;
                } else {
                    channel = sharedChannel.apply(i % 16);
                }
                if (!opening.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("W4: the last " + OPENING + " devices opened did not catch up within 120 s ("
                            + i + " opened, " + open.caughtUp.get() + " caught up, " + open.failed.get() + " failed)");
                }
                follow(channel, UUID.randomUUID(), open, opening::release, event -> {});
            }
            boolean settled = open.settled.await(300, TimeUnit.SECONDS);
            double openSeconds = (System.nanoTime() - started) / 1e9;
            int caughtUp = open.caughtUp.get();
            long heapOpen = serverHeapMb.call();
            String gauge = serverStreams.call();
            // W1 runs once every device is settled (a device that failed stays counted in failed=)
            LoadGenerator.Recorder latencies = settled ? w1.run() : new LoadGenerator.Recorder();
            long heapLoaded = serverHeapMb.call();
            int stillOpen = open.open.get();
            out.line("W4 streams open=%d target=%d own_connections=%d shared=%d server_heap_mb=%d w1_p99_ms=%.2f failed=%d"
                            + " server_heap_under_w1_mb=%d w1_p50_ms=%.2f w1_events=%d w1_alone_p99_ms=%.2f w1_alone_events=%d"
                            + " server_gauge=%s open_s=%.1f still_open=%d",
                    caughtUp, target, own, target - own, heapOpen, latencies.percentileMillis(99), open.failed.get(), heapLoaded,
                    latencies.percentileMillis(50), latencies.count(), alone.percentileMillis(99), alone.count(), gauge, openSeconds,
                    stillOpen);
            results.put("w4_open", caughtUp);
            results.put("w4_own_connections", own);
            results.put("w4_server_heap_mb", heapOpen);
            results.put("w4_w1_p99_ms", latencies.percentileMillis(99));
            results.put("w4_w1_alone_p99_ms", alone.percentileMillis(99));
        } finally {
            open.cancelAll();
            channels.forEach(ManagedChannel::shutdownNow);
        }
        awaitStreamsClosed();
    }

    /**
     * Device {@code i}'s target: on a loopback server, one of {@code addresses} addresses
     * 127.0.0.1.. in turn (the server listens on all of them), so no (source, destination) pair
     * runs out of ephemeral ports; any other target as given.
     */
    static String deviceTarget(String grpcTarget, int device, int addresses) {
        if (!spreads(grpcTarget)) {
            return grpcTarget;
        }
        String port = grpcTarget.substring(grpcTarget.lastIndexOf(':') + 1);
        return "127.0.0." + (1 + device % addresses) + ":" + port;
    }

    /** Only the usual loopback target is spread: another address says where the server listens. */
    static boolean spreads(String grpcTarget) {
        return grpcTarget.startsWith("127.0.0.1:") || grpcTarget.startsWith("localhost:");
    }

    /** This process's limit of open files (soft; Long.MAX_VALUE when unlimited or unknown). */
    static long openFilesLimit() {
        try {
            return openFilesLimit(Files.readAllLines(Path.of("/proc/self/limits")));
        } catch (IOException | RuntimeException notLinux) {
            return Long.MAX_VALUE;
        }
    }

    /** The soft "Max open files" of a /proc/PID/limits text. */
    static long openFilesLimit(List<String> limits) {
        for (String line : limits) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return Long.MAX_VALUE;
    }

    /** After a workload: the server has closed its streams (the hub's gauge back to 0), so the next starts clean. */
    private void awaitStreamsClosed() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String gauge;
        while ((gauge = serverStreams.call()) != null && Double.parseDouble(gauge) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** The streams of one workload: settled (caught up or failed), caught up, failed, still open, and their calls to cancel. */
    private static final class Streams {
        final CountDownLatch settled;
        final AtomicInteger caughtUp = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final List<ClientCallStreamObserver<?>> calls = new CopyOnWriteArrayList<>();
        private volatile boolean cancelling;

        Streams(int count) {
            settled = new CountDownLatch(count);
        }

        void cancelAll() {
            cancelling = true;
            calls.forEach(call -> call.cancel("benchmark workload over", null));
        }
    }

    /** A follow stream for the user: {@code settled} runs once it caught up or ended before. */
    private void follow(Channel channel, UUID user, Streams streams, Runnable settled, Consumer<Event> each) {
        EventServiceGrpc.newStub(channel).withInterceptors(auth.apply(user)).syncFromServer(
                SyncFromServerRequest.newBuilder().setFollow(true).build(), new ClientResponseObserver<SyncFromServerRequest, Event>() {
                    private boolean waiting = true;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> call) {
                        streams.calls.add(call);
                        streams.open.incrementAndGet();
                    }

                    @Override
                    public void onNext(Event event) {
                        if (event.hasSyncCaughtUp() && waiting) {
                            waiting = false;
                            streams.caughtUp.incrementAndGet();
                            streams.settled.countDown();
                            settled.run();
                        }
                        each.accept(event);
                    }

                    @Override
                    public void onError(Throwable t) {
                        end();
                    }

                    @Override
                    public void onCompleted() {
                        end();
                    }

                    private void end() {
                        streams.open.decrementAndGet();
                        if (!streams.cancelling) {
                            streams.failed.incrementAndGet(); // a follow stream never ends by itself
                        }
                        if (waiting) {
                            waiting = false;
                            streams.settled.countDown();
                            settled.run();
                        }
                    }
                });
    }
}
