package dev.eventsync.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time between half
 * and all of {@code min(max, initial * 2^n)}. The jitter keeps a fleet of phones from
 * reconnecting in lockstep after a server restart.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait before the next attempt, counting this failure. */
    Duration nextDelay() {
        long ceiling = initial.toMillis() << Math.min(failures, 20);
        ceiling = Math.min(Math.max(ceiling, 1), max.toMillis());
        failures++;
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    void reset() {
        failures = 0;
    }

    /**
     * The wait a RESOURCE_EXHAUSTED carries in its {@code google.rpc.RetryInfo} (the server's rate
     * limit says when a token is there), rounded up to the millisecond; empty for any other failure.
     * It replaces the backoff: retrying sooner is refused again, waiting longer is needless.
     */
    static Optional<Duration> serverDelay(Throwable failure) {
        if (Status.fromThrowable(failure).getCode() != Status.Code.RESOURCE_EXHAUSTED) {
            return Optional.empty();
        }
        com.google.rpc.Status details = StatusProto.fromThrowable(failure);
        if (details == null) {
            return Optional.empty();
        }
        for (com.google.protobuf.Any detail : details.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
                    long nanos = delay.getSeconds() * 1_000_000_000L + delay.getNanos();
                    long millis = Math.max(0, Math.floorDiv(nanos + 999_999, 1_000_000));
                    return Optional.of(Duration.ofMillis(millis));
                } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                    return Optional.empty(); // a malformed detail: the normal backoff
                }
            }
        }
        return Optional.empty();
    }
}
