package dev.eventsync.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.auth.Tokens;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.PushServiceGrpc;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A plain gRPC client of the server under test, over a real port, one user at a time. */
public final class Api implements AutoCloseable {

    /** The JWT secret of test servers (a test value, not a real secret). */
    public static final String SECRET = "eventsync-test-secret-0123456789-abcdefghij";

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;

    /** The call fails with this whole-call status. */
    public static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code));
    }

    public Api(int port) {
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** A new user (a random uuid) with a valid token. */
    public User newUser() {
        return user(UUID.randomUUID());
    }

    public User user(UUID id) {
        return new User(id, Tokens.mint(SECRET, id, Duration.ofHours(1), Instant.now()));
    }

    /** A stub sending exactly this authorization metadata (null: none). */
    public EventServiceGrpc.EventServiceBlockingStub stub(String authorization) {
        EventServiceGrpc.EventServiceBlockingStub stub = EventServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        if (authorization == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    public final class User {
        public final UUID id;
        public final String token;

        User(UUID id, String token) {
            this.id = id;
            this.token = token;
        }

        public String uuid() {
            return id.toString();
        }

        public EventServiceGrpc.EventServiceBlockingStub stub() {
            return Api.this.stub("Bearer " + token);
        }

        /** The channel with this user's token on every call, for calls built by hand (raw bytes). */
        public Channel authorized() {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        }

        public PushServiceGrpc.PushServiceBlockingStub pushStub() {
            return PushServiceGrpc.newBlockingStub(authorized());
        }

        public MediaServiceGrpc.MediaServiceBlockingStub mediaStub() {
            return MediaServiceGrpc.newBlockingStub(authorized()).withDeadlineAfter(60, TimeUnit.SECONDS);
        }

        /** For uploads (client streaming) and downloads read under flow control. */
        public MediaServiceGrpc.MediaServiceStub mediaAsyncStub() {
            return MediaServiceGrpc.newStub(authorized());
        }

        public EventServiceGrpc.EventServiceStub asyncStub() {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            return EventServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }

        public SubmitEventOutput sync(Event... events) {
            return stub().sync(SyncRequest.newBuilder().addAllEvents(Arrays.asList(events)).build());
        }

        /** Submits one event and returns its result. */
        public EventResult submit(Event event) {
            return sync(event).getResults(0);
        }

        /** Everything SyncFromServer(follow = false) streams after the cursor, sync_caught_up included. */
        public List<Event> read(String after) {
            List<Event> events = new ArrayList<>();
            stub().syncFromServer(SyncFromServerRequest.newBuilder().setAfterEventUuid(after).build())
                    .forEachRemaining(events::add);
            return events;
        }

        /** The stored events of the feed after the cursor (sync_caught_up left out). */
        public List<Event> feed(String after) {
            List<Event> events = read(after);
            Event last = events.get(events.size() - 1);
            if (!last.hasSyncCaughtUp()) {
                throw new AssertionError("the stream did not end with sync_caught_up: " + last);
            }
            return events.subList(0, events.size() - 1);
        }

        public List<Event> feed() {
            return feed("");
        }
    }
}
