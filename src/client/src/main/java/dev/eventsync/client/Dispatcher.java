package dev.eventsync.client;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Sends the outbox, oldest first, one batch (a prefix of the outbox) per Sync call, one call at a
 * time; the only thread that sends stored events. Results are applied strictly in order, in one
 * transaction per batch that removes the answered entries. A message with files goes only once
 * its files are complete on the server ({@link MediaUploader}, on this thread): a batch ends
 * before the first entry still waiting for an upload.
 *
 * <p>Why "retry everything unacknowledged" is safe: the server answers only after commit and
 * answers a resend of a stored uuid (same bytes, same content) with {@code duplicate = true}. So
 * when a call fails in transport, whatever the server did with it, sending the same prefix again
 * stores each event at most once and keeps the order. A transport failure keeps every entry and
 * waits with exponential backoff and jitter; a rate limit (RESOURCE_EXHAUSTED with RetryInfo) keeps
 * every entry and waits exactly what the server said.
 */
final class Dispatcher implements Runnable {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final ClientStore store;
    private final LocalModel model;
    private final Transport transport;
    private final ClientListener listener;
    private final int maxEvents;
    private final int maxBytes;
    private final Backoff backoff;
    private final MediaUploader uploader;
    private final Object signal = new Object();
    private boolean workAdded;
    private boolean connectionRestored;
    private volatile boolean stopped;

    Dispatcher(ClientStore store, LocalModel model, Transport transport, ClientListener listener, int maxEvents,
            int maxBytes, Duration initialBackoff, Duration maxBackoff) {
        this.store = store;
        this.model = model;
        this.transport = transport;
        this.listener = listener;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
        this.uploader = new MediaUploader(store, transport);
    }

    /** A new entry is in the outbox: wakes an idle dispatcher (not one backing off). */
    void workAdded() {
        synchronized (signal) {
            workAdded = true;
            signal.notifyAll();
        }
    }

    /** The server answered us on another call: retry now instead of finishing the backoff. */
    void connectionRestored() {
        synchronized (signal) {
            connectionRestored = true;
            signal.notifyAll();
        }
    }

    void stop() {
        stopped = true;
        connectionRestored();
    }

    @Override
    public void run() {
        int limit = maxEvents;
        while (!stopped) {
            int batchLimit = limit;
            List<Outbox.Entry> head;
            int ready;
            try {
                head = store.read(c -> Outbox.head(c, batchLimit, maxBytes));
                ready = store.read(c -> UploadTable.readyPrefix(c, head));
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.log(System.Logger.Level.ERROR, "cannot read the outbox; retrying", e);
                pause(backoff.nextDelay(), false);
                continue;
            }
            if (head.isEmpty()) {
                pause(null, true);
                continue;
            }
            if (ready == 0) {
                // The oldest entry waits for its files; everything after it waits for it.
                uploadFiles(head.get(0));
                continue;
            }
            List<Outbox.Entry> batch = head.subList(0, ready);
            SyncRequest.Builder request = SyncRequest.newBuilder();
            batch.forEach(entry -> request.addEvents(entry.event()));
            SubmitEventOutput output;
            try {
                transport.beforeAttempt();
                output = transport.stub().withDeadlineAfter(30, TimeUnit.SECONDS).sync(request.build());
            } catch (StatusRuntimeException e) {
                if (stopped) {
                    return;
                }
                Status status = e.getStatus();
                Optional<Duration> retryAfter = Backoff.serverDelay(e);
                if (retryAfter.isPresent()) {
                    // Over the user's rate limit: nothing was stored; the same batch goes when the server said.
                    notify(() -> listener.callFailed("sync", status));
                    pause(retryAfter.get(), false, false);
                    continue;
                }
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    if (batch.size() > 1) {
                        // Too many events or bytes for this server: halve the prefix, order unchanged.
                        limit = Math.max(1, batch.size() / 2);
                        continue;
                    }
                    if (batch.get(0).size() > maxBytes) {
                        // One event alone, larger than any request the server must accept: it can never go out.
                        try {
                            refuseLocally(batch.get(0), Rejected.newBuilder().setReason(Rejected.Reason.TOO_LARGE)
                                    .setDetail("the server refused a call holding only this event: " + status.getCode()
                                            + " " + status.getDescription())
                                    .build());
                        } catch (RuntimeException stored) {
                            LOG.log(System.Logger.Level.ERROR, "cannot record the local refusal; retrying", stored);
                            pause(backoff.nextDelay(), false);
                        }
                        continue;
                    }
                    // A small event alone cannot be over the server's limit (>= 4 MiB): a quota, a
                    // proxy or HTTP/2 ENHANCE_YOUR_CALM. Transient: keep it and back off.
                }
                notify(() -> listener.callFailed("sync", status));
                pause(backoff.nextDelay(), false);
                continue;
            }
            if (!answersInOrder(batch, output)) {
                notify(() -> listener.callFailed("sync", Status.INTERNAL.withDescription(
                        "the server's results do not match the batch one for one; keeping the batch")));
                pause(backoff.nextDelay(), false);
                continue;
            }
            try {
                apply(batch, output.getResultsList());
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                // Nothing removed: the batch goes again and comes back as duplicates.
                LOG.log(System.Logger.Level.ERROR, "cannot record the server's results; resending", e);
                pause(backoff.nextDelay(), false);
                continue;
            }
            backoff.reset();
            limit = maxEvents;
        }
    }

    private void uploadFiles(Outbox.Entry entry) {
        MediaUploader.Outcome outcome;
        try {
            transport.beforeAttempt();
            outcome = uploader.uploadAll(entry.event().getUuid());
        } catch (RuntimeException e) {
            if (stopped) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "cannot record an upload's progress; retrying", e);
            pause(backoff.nextDelay(), false);
            return;
        }
        if (stopped) {
            return;
        }
        if (outcome instanceof MediaUploader.Outcome.Retry retry) {
            notify(() -> listener.callFailed("upload", retry.status()));
            pause(backoff.nextDelay(), false);
        } else if (outcome instanceof MediaUploader.Outcome.Refused refused) {
            try {
                refuseLocally(entry, Rejected.newBuilder().setReason(Rejected.Reason.UNKNOWN_MEDIA)
                        .setDetail(refused.detail()).build());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot record the local refusal; retrying", e);
                pause(backoff.nextDelay(), false);
            }
        } else {
            backoff.reset();
        }
    }

    private static boolean answersInOrder(List<Outbox.Entry> batch, SubmitEventOutput output) {
        if (output.getResultsCount() != batch.size()) {
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            EventResult result = output.getResults(i);
            if (!result.getClientEventUuid().equals(batch.get(i).event().getUuid())
                    || (!result.hasAccepted() && !result.hasRejected())) {
                return false;
            }
        }
        return true;
    }

    private void apply(List<Outbox.Entry> batch, List<EventResult> results) {
        store.inTransaction(c -> {
            for (int i = 0; i < batch.size(); i++) {
                Outbox.Entry entry = batch.get(i);
                EventResult result = results.get(i);
                Outbox.remove(c, entry.seq());
                UploadTable.forget(c, entry.event().getUuid());
                if (result.hasAccepted()) {
                    model.accepted(c, entry.event(), result.getAccepted());
                    notify(() -> listener.accepted(entry.event(), result.getAccepted()));
                } else {
                    model.rejected(c, entry.event(), result.getRejected());
                    notify(() -> listener.rejected(entry.event(), result.getRejected()));
                }
            }
            return null;
        });
    }

    /** The entry can never go out: it leaves the outbox with a result made here, as if the server had refused it. */
    private void refuseLocally(Outbox.Entry entry, Rejected rejected) {
        store.inTransaction(c -> {
            Outbox.remove(c, entry.seq());
            UploadTable.forget(c, entry.event().getUuid());
            model.rejected(c, entry.event(), rejected);
            notify(() -> listener.rejected(entry.event(), rejected));
            return null;
        });
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a client listener threw; the queue goes on", e);
        }
    }

    /** Waits for the delay (null: until woken); new work wakes only an idle wait. */
    private void pause(Duration delay, boolean idle) {
        pause(delay, idle, true);
    }

    /** As {@link #pause(Duration, boolean)}; a wait the server asked for is not cut short by a reconnect. */
    private void pause(Duration delay, boolean idle, boolean wakeOnConnection) {
        long deadline = delay == null ? Long.MAX_VALUE : System.nanoTime() + delay.toNanos();
        synchronized (signal) {
            if (!idle) {
                workAdded = false;
            }
            while (!stopped && !(wakeOnConnection && connectionRestored) && !(idle && workAdded)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, Math.min(left, TimeUnit.SECONDS.toNanos(60)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = true;
                }
            }
            workAdded = false;
            connectionRestored = false;
        }
    }

    /** For the outbox view of tests and tools. */
    static List<Event> pending(ClientStore store) {
        return store.read(Outbox::all);
    }
}
