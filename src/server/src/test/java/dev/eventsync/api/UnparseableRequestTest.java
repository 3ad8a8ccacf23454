package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.support.Api;
import dev.eventsync.support.RawCalls;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Bytes that are not a request (API.md, errors): INVALID_ARGUMENT for both RPCs, never UNKNOWN or
 * INTERNAL, never a stack trace in the server's log (at most one rate-limited WARN line), and the
 * server goes on serving. Sent over a real port by a raw channel whose marshaller sends any bytes.
 */
@ServerTest
@ExtendWith(OutputCaptureExtension.class)
class UnparseableRequestTest {

    /** Requests that are not protobuf, or not this protobuf. */
    static final List<String> GARBAGE = List.of(
            "ff",            // one byte 0xff: a truncated varint tag
            "0a040a02c328",  // SyncRequest.events[0].uuid = invalid UTF-8 (0xc3 0x28)
            "0a02c328",      // SyncFromServerRequest.after_event_uuid = invalid UTF-8; as a SyncRequest, a truncated Event
            "0f01",          // field 1 with wire type 7, which does not exist
            "0a05ffffffff",  // a length that runs past the end
            "0c");           // an end-group tag that closes nothing


    @LocalGrpcServerPort
    int port;

    Api api;
    Api.User alice;

    @BeforeEach
    void connect() {
        api = new Api(port);
        alice = api.newUser();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Test
    void garbageIsInvalidArgumentForBothRpcsWithoutAStackTraceAndTheServerGoesOn(CapturedOutput output) {
        int before = output.getAll().length();
        long started = System.nanoTime();
        for (String hex : GARBAGE) {
            byte[] request = HexFormat.of().parseHex(hex);
            assertThat(unary(syncMethod(MethodDescriptor.MethodType.UNARY), List.of(request)))
                    .as("Sync(%s)", hex).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(streaming(request)).as("SyncFromServer(%s)", hex).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        // A unary method given two requests, or none: the client's fault too (grpc-java says INTERNAL).
        byte[] empty = new byte[0];
        assertThat(unary(syncMethod(MethodDescriptor.MethodType.BIDI_STREAMING), List.of(empty, empty)))
                .as("Sync with two requests").isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(unary(syncMethod(MethodDescriptor.MethodType.BIDI_STREAMING), List.of()))
                .as("Sync with no request").isEqualTo(Status.Code.INVALID_ARGUMENT);

        // Still serving, the same connection included.
        assertThat(alice.submit(Events.displayName("Alice")).hasAccepted()).isTrue();
        assertThat(alice.feed()).hasSize(1);

        String log = output.getAll().substring(before);
        assertThat(log).as("the server's log while it refused garbage")
                .doesNotContain("\tat ", "Exception", "ERROR", "Application error processing RPC");
        long warnings = log.lines().filter(line -> line.contains("refused a request that does not parse")).count();
        long intervals = 1 + (System.nanoTime() - started) / RequestGuard.LOG_INTERVAL_NANOS;
        assertThat(warnings).as("rate-limited WARN lines for %d bad requests", 2 * GARBAGE.size() + 1).isLessThanOrEqualTo(intervals);
    }

    MethodDescriptor<byte[], byte[]> syncMethod(MethodDescriptor.MethodType type) {
        return RawCalls.raw(EventServiceGrpc.getSyncMethod(), type);
    }

    /** Sends these request messages, half-closes, and returns how the call ended. */
    Status.Code unary(MethodDescriptor<byte[], byte[]> method, List<byte[]> requests) {
        ClientCall<byte[], byte[]> call = authorized().newCall(method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        requests.forEach(call::sendMessage);
        call.halfClose();
        return closed.join().getCode();
    }

    Status.Code streaming(byte[] request) {
        MethodDescriptor<byte[], byte[]> method = RawCalls.raw(EventServiceGrpc.getSyncFromServerMethod());
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () -> ClientCalls
                .blockingServerStreamingCall(authorized(), method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request)
                .forEachRemaining(response -> {}));
        return error == null ? Status.Code.OK : error.getStatus().getCode();
    }

    Channel authorized() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + alice.token);
        return ClientInterceptors.intercept(api.channel(), MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
