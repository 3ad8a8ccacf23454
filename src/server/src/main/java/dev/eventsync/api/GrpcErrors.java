package dev.eventsync.api;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.eventsync.events.CallRejected;
import dev.eventsync.ratelimit.RateLimited;
import dev.eventsync.store.Failures;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;

/**
 * The one place a failure becomes a gRPC status. The set is closed: what a client sent wrong is
 * RESOURCE_EXHAUSTED, INVALID_ARGUMENT or FAILED_PRECONDITION (UNAUTHENTICATED is decided by the
 * auth interceptor); a database that cannot be reached or a server going down is UNAVAILABLE
 * (retry), and so is a media store that fails (DATA_LOSS is only an upload's hash mismatch); only a bug is INTERNAL, and it is logged with its stack trace. Failures that are not
 * a client's are classified once, by {@link Failures}, here as on the append path.
 */
@Component
class GrpcErrors implements GrpcExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    @Override
    public StatusException handleException(Throwable error) {
        return toException(error);
    }

    /**
     * The failure as the status the client gets, trailers included. Every path (the exception
     * handler, a Sync answered off the writer thread, a SyncFromServer stream ending) comes
     * here, so a rate-limited call carries its RetryInfo whichever way it failed.
     */
    StatusException toException(Throwable error) {
        if (unwrap(error) instanceof RateLimited limited) {
            return rateLimited(limited);
        }
        return toStatus(error).asException();
    }

    /** RESOURCE_EXHAUSTED with the standard RetryInfo detail: clients know when to come back. */
    private static StatusException rateLimited(RateLimited limited) {
        RetryInfo retry = RetryInfo.newBuilder()
                .setRetryDelay(Durations.fromNanos(limited.retryAfter().toNanos())).build();
        return StatusProto.toStatusException(com.google.rpc.Status.newBuilder()
                .setCode(Code.RESOURCE_EXHAUSTED_VALUE).setMessage(limited.getMessage())
                .addDetails(Any.pack(retry)).build());
    }

    /** The status alone, for every failure but a rate limit (whose RetryInfo lives in the trailers). */
    private Status toStatus(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CallRejected rejected) {
            Status status = switch (rejected.problem()) {
                case TOO_LARGE -> Status.RESOURCE_EXHAUSTED;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case UNKNOWN_CURSOR -> Status.FAILED_PRECONDITION;
                case NOT_FOUND -> Status.NOT_FOUND;
                case NOT_ALLOWED -> Status.FAILED_PRECONDITION;
                case TOO_MANY -> Status.RESOURCE_EXHAUSTED;
                case CONFLICT -> Status.ALREADY_EXISTS;
                case WRONG_STATE -> Status.FAILED_PRECONDITION;
                case CORRUPT -> Status.DATA_LOSS;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return status.withDescription(rejected.getMessage());
        }
        if (cause instanceof StatusException || cause instanceof StatusRuntimeException) {
            return Status.fromThrowable(cause);
        }
        if (cause instanceof IOException || cause instanceof UncheckedIOException) {
            // The media store (a full or failing disk): nothing of this call past its committed bytes counts.
            log.warn("media store unavailable: {}", cause.toString());
            return Status.UNAVAILABLE.withDescription("the media store is unavailable; resume from the committed bytes, retry");
        }
        if (cause instanceof Failures.CallFault) {
            // The append path logged it with its stack when it isolated the call.
            return Status.INTERNAL.withDescription(cause.getMessage());
        }
        return switch (Failures.classify(cause)) {
            case OUTAGE, CONFLICT -> {
                log.warn("database unavailable: {}", cause.toString());
                yield Status.UNAVAILABLE.withDescription("the database is unavailable; nothing of this call was acknowledged, retry");
            }
            case CALL_FAULT -> {
                log.error("unexpected failure", cause);
                yield Status.INTERNAL.withDescription("unexpected server error");
            }
        };
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
