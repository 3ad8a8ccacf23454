package dev.eventsync.bench;

import dev.eventsync.client.cli.DevelopmentTokens;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar eventsync-tools.jar bench-live [host:port] [messages]}: live send-to-receive latency
 * with one follower. Alice sends messages one at a time (each Sync waits for its
 * acknowledgement); Bob's follow stream receives them. Latency is from just before Alice's Sync
 * to Bob's stream receiving the event. Tokens are signed with EVENTSYNC_AUTH_JWT_SECRET or the
 * development secret.
 */
public final class LiveLatency {

    private LiveLatency() {}

    public static int run(String[] args, PrintStream out) throws InterruptedException {
        String target = args.length > 0 ? args[0] : "127.0.0.1:9090";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String secret = System.getenv().getOrDefault("EVENTSYNC_AUTH_JWT_SECRET", DevelopmentTokens.DEVELOPMENT_SECRET);
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            UUID alice = UUID.randomUUID();
            UUID bob = UUID.randomUUID();
            var aliceStub = EventServiceGrpc.newBlockingStub(channel).withInterceptors(auth(secret, alice));
            var bobStub = EventServiceGrpc.newStub(channel).withInterceptors(auth(secret, bob));
            String conversation = UUID.randomUUID().toString();
            aliceStub.sync(SyncRequest.newBuilder().addEvents(Event.newBuilder().setUuid(UUID.randomUUID().toString())
                    .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(conversation)
                            .setName("latency").addMemberUuids(bob.toString()))).build());

            Map<String, Long> received = new ConcurrentHashMap<>();
            CountDownLatch caughtUp = new CountDownLatch(1);
            bobStub.syncFromServer(SyncFromServerRequest.newBuilder().setFollow(true).build(), new StreamObserver<>() {
                @Override
                public void onNext(Event event) {
                    long now = System.nanoTime();
                    if (event.hasSyncCaughtUp()) {
                        caughtUp.countDown();
                    } else if (event.hasNewMessage()) {
                        received.put(event.getUuid(), now);
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            if (!caughtUp.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the follow stream did not catch up");
            }

            long[] latencies = new long[messages];
            long[] acks = new long[messages];
            for (int i = 0; i < messages + 20; i++) { // the first 20 warm up
                String uuid = UUID.randomUUID().toString();
                long start = System.nanoTime();
                aliceStub.sync(SyncRequest.newBuilder().addEvents(Event.newBuilder().setUuid(uuid)
                        .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(UUID.randomUUID().toString())
                                .setMessage(Message.newBuilder().setConversationUuid(conversation).setText("ping " + i))))
                        .build());
                long acked = System.nanoTime();
                long deadline = acked + TimeUnit.SECONDS.toNanos(10);
                while (!received.containsKey(uuid)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("message " + i + " did not arrive within 10 s");
                    }
                    Thread.onSpinWait();
                }
                if (i >= 20) {
                    latencies[i - 20] = received.get(uuid) - start;
                    acks[i - 20] = acked - start;
                }
            }
            out.printf("LIVE send_to_receive p50_ms=%.2f p99_ms=%.2f max_ms=%.2f messages=%d followers=1%n",
                    percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100), messages);
            out.printf("LIVE sync_ack p50_ms=%.2f p99_ms=%.2f%n", percentile(acks, 50), percentile(acks, 99));
            return 0;
        } finally {
            channel.shutdownNow();
        }
    }

    private static io.grpc.ClientInterceptor auth(String secret, UUID user) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + DevelopmentTokens.mint(secret, user, Duration.ofHours(1), Instant.now()));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }
}
