package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import com.google.rpc.RetryInfo;
import dev.eventsync.events.CallRejected;
import dev.eventsync.ratelimit.RateLimited;
import dev.eventsync.store.Failures;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;

/**
 * Every kind of failure on the append path, its classification (DESIGN.md decision 10) and the
 * status a client sees for it, from the closed set the README lists. No database: the failures
 * are built as pgjdbc, Hikari and the append writer raise them.
 */
class FailureStatusTest {

    /**
     * The README's closed set of whole-call statuses (NOT_FOUND: the v1.1 History; ALREADY_EXISTS
     * and DATA_LOSS: the v1.1 MediaService, API.md).
     */
    static final Set<Status.Code> CLOSED_SET = Set.of(Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.UNAVAILABLE,
            Status.Code.ALREADY_EXISTS, Status.Code.DATA_LOSS, Status.Code.INTERNAL);

    static Stream<Arguments> failures() {
        return Stream.of(
                row("connection lost (08006)", sql("08006"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("connection refused (08001)", sql("08001"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("connection closed (08003)", sql("08003"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("too many connections (53300)", sql("53300"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("database shutting down (57P01)", sql("57P01"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("statement timeout (57014)", sql("57014"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("lock timeout (55P03)", sql("55P03"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("pool timeout (Hikari)", new SQLTransientConnectionException("HikariPool-1 - Connection is not available"),
                        Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("no SQLState", new SQLException("I/O error"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("Spring query timeout", new QueryTimeoutException("timeout"), Failures.Kind.OUTAGE, Status.Code.UNAVAILABLE),
                row("serialization failure (40001)", sql("40001"), Failures.Kind.CONFLICT, Status.Code.UNAVAILABLE),
                row("deadlock (40P01)", sql("40P01"), Failures.Kind.CONFLICT, Status.Code.UNAVAILABLE),
                row("data exception (22P05, U+0000)", sql("22P05"), Failures.Kind.CALL_FAULT, Status.Code.INTERNAL),
                row("check violation (23514)", sql("23514"), Failures.Kind.CALL_FAULT, Status.Code.INTERNAL),
                row("raise (P0001)", sql("P0001"), Failures.Kind.CALL_FAULT, Status.Code.INTERNAL),
                row("Spring-wrapped constraint (23505)", new DataIntegrityViolationException("dup", sql("23505")),
                        Failures.Kind.CALL_FAULT, Status.Code.INTERNAL),
                row("RuntimeException deciding a call", new IllegalStateException("bug"), Failures.Kind.CALL_FAULT,
                        Status.Code.INTERNAL),
                row("media store failing (disk full)", new IOException("No space left on device"), Failures.Kind.CALL_FAULT,
                        Status.Code.UNAVAILABLE),
                row("a call isolated by the writer", new Failures.CallFault(new IllegalStateException("bug")),
                        Failures.Kind.CALL_FAULT, Status.Code.INTERNAL));
    }

    static Arguments row(String name, Throwable failure, Failures.Kind kind, Status.Code code) {
        return Arguments.of(name, failure, kind, code);
    }

    static SQLException sql(String state) {
        return new SQLException("from PostgreSQL", state);
    }

    final GrpcErrors errors = new GrpcErrors();

    @ParameterizedTest(name = "{0}: {2}, {3}")
    @MethodSource("failures")
    void isClassifiedOnceAndAnsweredWithItsStatus(String name, Throwable failure, Failures.Kind kind, Status.Code code) {
        if (!(failure instanceof Failures.CallFault) && !(failure instanceof IOException)) {
            assertThat(Failures.classify(failure)).isEqualTo(kind);
        }
        Status status = errors.toException(new CompletionException(failure)).getStatus();
        assertThat(status.getCode()).isEqualTo(code).isIn(CLOSED_SET);
        assertThat(status.getDescription()).isNotBlank();
    }

    @ParameterizedTest
    @MethodSource("rejections")
    void aCallRejectedForWhatTheClientSentIsNeverInternal(CallRejected.Problem problem) {
        Status.Code code = errors.toException(new CallRejected(problem, "detail")).getStatus().getCode();
        assertThat(code).isIn(CLOSED_SET).isNotEqualTo(Status.Code.INTERNAL);
    }

    /** The exception handler (a refused stream open) and a Sync answered off the writer thread (wrapped) alike. */
    @ParameterizedTest(name = "wrapped: {0}")
    @ValueSource(booleans = {false, true})
    void aRateLimitedCallIsResourceExhaustedWithRetryInfoOnEveryPath(boolean wrapped) throws Exception {
        RateLimited limited = new RateLimited("slow down", Duration.ofMillis(1500));
        StatusException answer = wrapped ? errors.toException(new CompletionException(limited)) : errors.handleException(limited);

        assertThat(answer.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        com.google.rpc.Status details = StatusProto.fromThrowable(answer);
        assertThat(details).as("the google.rpc.Status in the trailers").isNotNull();
        assertThat(details.getDetailsList()).hasSize(1);
        RetryInfo retry = details.getDetails(0).unpack(RetryInfo.class);
        assertThat(Durations.toMillis(retry.getRetryDelay())).isEqualTo(1500);
    }

    static Stream<CallRejected.Problem> rejections() {
        return Stream.of(CallRejected.Problem.values());
    }
}
