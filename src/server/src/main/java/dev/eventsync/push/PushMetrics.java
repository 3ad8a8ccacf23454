package dev.eventsync.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** The notifier's meters ({@code eventsync.push.*}); only the instance holding the notifier moves them. */
final class PushMetrics {

    final Counter sent;
    final Counter failed;
    final Counter retried;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong holder = new AtomicLong();
    private final Timer lag;

    PushMetrics(MeterRegistry meters) {
        sent = Counter.builder("eventsync.push.notifications.sent").description("notifications a gateway accepted (2xx)").register(meters);
        failed = Counter.builder("eventsync.push.notifications.failed")
                .description("notifications given up: a 4xx other than 429, retried for longer than retry-for, gateway no longer allowed, pusher gone")
                .register(meters);
        retried = Counter.builder("eventsync.push.notifications.retried")
                .description("attempts that failed and were scheduled again (network error, timeout, 429, 5xx)").register(meters);
        Gauge.builder("eventsync.push.notifications.pending", pending, AtomicLong::get)
                .description("notifications in push_retries (waiting for a retry or behind one)").register(meters);
        Gauge.builder("eventsync.push.notifier.holder", holder, AtomicLong::get)
                .description("1 on the instance holding the notifier, 0 on the others").register(meters);
        lag = Timer.builder("eventsync.push.lag").description("from an event's commit to its notification's POST being answered")
                .register(meters);
    }

    void delivered(Instant storedAt, Instant now) {
        sent.increment();
        lag.record(Duration.between(storedAt, now).isNegative() ? Duration.ZERO : Duration.between(storedAt, now));
    }

    void pending(long count) {
        pending.set(count);
    }

    void holding(boolean holding) {
        holder.set(holding ? 1 : 0);
    }
}
