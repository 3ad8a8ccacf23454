package dev.eventsync.client;

import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.PushServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The channel to the server, with the bearer token on every call. */
final class Transport {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final Channel intercepted;

    Transport(ManagedChannel channel, Supplier<String> token, List<ClientInterceptor> interceptors) {
        this.channel = channel;
        ClientInterceptor bearer = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        // Read per call, so an app can refresh its token without rebuilding the client.
                        headers.put(AUTHORIZATION, "Bearer " + token.get());
                        super.start(listener, headers);
                    }
                };
            }
        };
        Channel withExtras = ClientInterceptors.intercept(channel, interceptors);
        this.intercepted = ClientInterceptors.intercept(withExtras, bearer);
    }

    EventServiceGrpc.EventServiceBlockingStub stub() {
        return EventServiceGrpc.newBlockingStub(intercepted);
    }

    MediaServiceGrpc.MediaServiceBlockingStub mediaStub() {
        return MediaServiceGrpc.newBlockingStub(intercepted);
    }

    /** For the client-streaming upload, which sends under flow control. */
    MediaServiceGrpc.MediaServiceStub mediaAsyncStub() {
        return MediaServiceGrpc.newStub(intercepted);
    }

    /**
     * Our backoff, not the channel's, decides when to retry: after a long outage the channel's
     * own reconnect backoff (up to two minutes) would otherwise delay the first call after the
     * server is back.
     */
    void beforeAttempt() {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
    }

    PushServiceGrpc.PushServiceBlockingStub pushStub() {
        return PushServiceGrpc.newBlockingStub(intercepted);
    }

    void shutdownNow() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
