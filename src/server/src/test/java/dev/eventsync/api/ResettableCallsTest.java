package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.eventsync.feed.FeedStreams;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.ProfilePictureChanged;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The context {@link ResettableCalls} gives a SyncFromServer call resets its stream when
 * cancelled, over a real HTTP/2 connection, while the client reads nothing: what was queued for
 * it on the server is dropped, which is what a stalled stream's reset relies on to free the
 * transport's buffers (public gRPC API only).
 */
class ResettableCallsTest {

    /** Far more than the HTTP/2 windows: most of it stays queued on the server. */
    static final int EVENTS = 64;
    static final ByteString PICTURE = ByteString.copyFrom(new byte[256 * 1024]);

    final CompletableFuture<Context.CancellableContext> own = new CompletableFuture<>();
    final CompletableFuture<ServerCallStreamObserver<Event>> serverCall = new CompletableFuture<>();
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        NettyServerBuilder builder = NettyServerBuilder.forPort(0).addService(new EventServiceGrpc.EventServiceImplBase() {
            @Override
            public void syncFromServer(SyncFromServerRequest request, StreamObserver<Event> observer) {
                own.complete(FeedStreams.CALL.get());
                serverCall.complete((ServerCallStreamObserver<Event>) observer);
                for (int i = 0; i < EVENTS; i++) { // regardless of isReady(): the transport queues it
                    observer.onNext(Event.newBuilder()
                            .setProfilePictureChanged(ProfilePictureChanged.newBuilder().setPngImage(PICTURE)).build());
                }
            }
        });
        new ResettableCalls<NettyServerBuilder>().customize(builder);
        server = builder.build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .maxInboundMessageSize(1024 * 1024).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void cancellingTheCallsOwnContextResetsTheStreamOfAClientThatReadsNothing() throws Exception {
        AtomicReference<Status> ended = new AtomicReference<>();
        AtomicInteger received = new AtomicInteger();
        AtomicReference<ClientCallStreamObserver<SyncFromServerRequest>> client = new AtomicReference<>();
        EventServiceGrpc.newStub(channel).syncFromServer(SyncFromServerRequest.newBuilder().setFollow(true).build(),
                new ClientResponseObserver<SyncFromServerRequest, Event>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SyncFromServerRequest> call) {
                        call.disableAutoRequestWithInitial(0); // reads nothing
                        client.set(call);
                    }

                    @Override
                    public void onNext(Event event) {
                        received.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.set(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        ended.set(Status.OK);
                    }
                });
        Context.CancellableContext context = own.get(10, TimeUnit.SECONDS);
        assertThat(context).as("the call's resettable context").isNotNull();
        ServerCallStreamObserver<Event> call = serverCall.get(10, TimeUnit.SECONDS);
        await().alias("the transport is full: the client reads nothing").atMost(Duration.ofSeconds(10))
                .until(() -> !call.isReady());

        context.cancel(new TimeoutException("the client did not read"));

        await().atMost(Duration.ofSeconds(10)).until(call::isCancelled);
        assertThat(received.get()).as("events the client took").isZero();
        // The client sees the reset after what had reached it: the rest, queued on the server, is gone.
        client.get().request(EVENTS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ended.get()).as("how the client sees its stream end").isNotNull()
                        .extracting(Status::getCode).isNotEqualTo(Status.Code.OK));
        assertThat(received.get()).as("events that reached the client before the reset").isLessThan(EVENTS);
    }
}
