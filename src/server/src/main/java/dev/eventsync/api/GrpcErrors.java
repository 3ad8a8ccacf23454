package dev.eventsync.api;

import dev.eventsync.events.CallRejected;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;

/**
 * The one place a failure becomes a gRPC status. The set is closed: what a client sent wrong is
 * RESOURCE_EXHAUSTED, INVALID_ARGUMENT or FAILED_PRECONDITION (UNAUTHENTICATED is decided by the
 * auth interceptor); a database that cannot be reached or a server going down is UNAVAILABLE
 * (retry); only a bug is INTERNAL, and it is logged with its stack trace.
 */
@Component
class GrpcErrors implements GrpcExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    @Override
    public StatusException handleException(Throwable error) {
        return toStatus(error).asException();
    }

    Status toStatus(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CallRejected rejected) {
            Status status = switch (rejected.problem()) {
                case TOO_LARGE -> Status.RESOURCE_EXHAUSTED;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case UNKNOWN_CURSOR -> Status.FAILED_PRECONDITION;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return status.withDescription(rejected.getMessage());
        }
        if (cause instanceof StatusException || cause instanceof StatusRuntimeException) {
            return Status.fromThrowable(cause);
        }
        if (cause instanceof SQLException || cause instanceof DataAccessException) {
            log.warn("database unavailable: {}", cause.toString());
            return Status.UNAVAILABLE.withDescription("the database is unavailable; nothing of this call was acknowledged, retry");
        }
        log.error("unexpected failure", cause);
        return Status.INTERNAL.withDescription("unexpected server error");
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
