package dev.eventsync.client;

import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.ProfileView;
import dev.eventsync.proto.v1.SnapshotEnd;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps one {@code SyncFromServer(after = stored cursor, follow = true)} open: on start and after
 * every failure (with backoff). Each stored event goes to the local model and the app's handler,
 * and the cursor moves past it, in one SQLite transaction (with the delivery receipt it makes us
 * owe): an event is never skipped, and the model never applies one twice. Reading one event at a time from the blocking iterator is the
 * flow control: the server sends no faster than this thread commits.
 *
 * <p>With no cursor (a new device), and after FAILED_PRECONDITION (the server does not know our
 * cursor: reported, then forgotten), it first takes a {@code Snapshot} and applies all of it with
 * its cursor in one transaction: a crash meanwhile leaves the old model and the old cursor. The
 * snapshot of an empty feed has no cursor: then the feed is followed from its start. A rate limit
 * (RESOURCE_EXHAUSTED with RetryInfo) is waited out exactly, instead of the backoff.
 */
final class FeedSync implements Runnable {

    private static final System.Logger LOG = System.getLogger(FeedSync.class.getName());

    private final ClientStore store;
    private final LocalModel model;
    private final Transport transport;
    private final FeedHandler handler;
    private final Consumer<Event> transitory;
    private final ClientListener listener;
    private final Dispatcher dispatcher;
    private final DeliveryReceipts receipts;
    private final Backoff backoff;
    private final Consumer<ConnectionState> state;
    private final int messagesPerConversation;
    private volatile boolean stopped;
    private volatile Context.CancellableContext call;

    FeedSync(ClientStore store, LocalModel model, Transport transport, FeedHandler handler, Consumer<Event> transitory,
            ClientListener listener, Dispatcher dispatcher, DeliveryReceipts receipts, Duration initialBackoff,
            Duration maxBackoff, Consumer<ConnectionState> state, int messagesPerConversation) {
        this.store = store;
        this.model = model;
        this.transport = transport;
        this.handler = handler;
        this.transitory = transitory;
        this.listener = listener;
        this.dispatcher = dispatcher;
        this.receipts = receipts;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
        this.state = state;
        this.messagesPerConversation = messagesPerConversation;
    }

    void stop() {
        stopped = true;
        Context.CancellableContext current = call;
        if (current != null) {
            current.cancel(null);
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            Context.CancellableContext context = Context.current().withCancellation();
            call = context;
            try {
                context.run(this::follow);
                // follow = true streams end only with an error; a clean end is treated as a drop.
                state.accept(ConnectionState.OFFLINE);
                sleep(backoff.nextDelay());
            } catch (StatusRuntimeException e) {
                if (stopped) {
                    return;
                }
                safely(() -> state.accept(ConnectionState.OFFLINE));
                // Only SyncFromServer with a cursor answers this; from Snapshot it is a failure to retry.
                if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && !store.cursor().isEmpty()) {
                    safely(() -> listener.cursorReset(e.getStatus().getDescription()));
                    try {
                        store.inTransaction(c -> {
                            ClientStore.putState(c, "cursor", null);
                            ClientStore.putState(c, SNAPSHOT, null);
                            return null;
                        });
                        continue;
                    } catch (RuntimeException stored) {
                        LOG.log(System.Logger.Level.WARNING, "cannot reset the cursor; retrying", stored);
                    }
                } else {
                    safely(() -> listener.callFailed("feed", e.getStatus()));
                }
                sleep(Backoff.serverDelay(e).orElseGet(backoff::nextDelay));
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                // The handler or the store failed: nothing of this event was committed; it comes again.
                LOG.log(System.Logger.Level.WARNING, "feed event not processed; reconnecting to get it again", e);
                safely(() -> state.accept(ConnectionState.OFFLINE));
                sleep(backoff.nextDelay());
            } finally {
                context.cancel(null);
            }
        }
    }

    /** Set once a snapshot is applied: an empty cursor then means an empty feed, not a new device. */
    static final String SNAPSHOT = "snapshot";

    private void follow() {
        transport.beforeAttempt();
        String cursor = store.cursor();
        if (cursor.isEmpty() && store.read(c -> ClientStore.state(c, SNAPSHOT)) == null) {
            cursor = snapshot();
        }
        Iterator<Event> events = transport.stub().syncFromServer(
                SyncFromServerRequest.newBuilder().setAfterEventUuid(cursor).setFollow(true).build());
        boolean answered = false;
        while (!stopped && events.hasNext()) {
            Event event = events.next();
            if (!answered) {
                answered = true;
                state.accept(ConnectionState.CATCHING_UP);
                // The server is reachable again: let the outbox go now rather than after its backoff.
                dispatcher.connectionRestored();
            }
            if (!event.getUuid().isEmpty()) {
                String owedIn = store.inTransaction(c -> {
                    model.stored(c, event);
                    String owed = receipts.owe(c, event);
                    try {
                        handler.handle(event);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("the feed handler failed on " + event.getUuid(), e);
                    }
                    ClientStore.putState(c, "cursor", event.getUuid());
                    return owed;
                });
                if (owedIn != null) {
                    receipts.owed(owedIn);
                }
                backoff.reset(); // progress, not merely a connection: a poison event keeps backing off
            } else if (event.hasSyncCaughtUp()) {
                backoff.reset();
                state.accept(ConnectionState.LIVE);
            } else {
                try {
                    transitory.accept(event);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "the transitory listener threw", e);
                }
            }
        }
    }

    /**
     * Reads the whole snapshot, then applies it in one transaction with its cursor. It is read
     * first so the store is not locked while the network is slow; its size is bounded by the
     * conversations and the messages per conversation, not by the history.
     */
    private String snapshot() {
        Iterator<SnapshotItem> items = transport.stub().snapshot(
                SnapshotRequest.newBuilder().setMessagesPerConversation(messagesPerConversation).build());
        List<ProfileView> profiles = new ArrayList<>();
        List<ConversationView> conversations = new ArrayList<>();
        SnapshotEnd end = null;
        while (!stopped && end == null && items.hasNext()) {
            SnapshotItem item = items.next();
            if (profiles.isEmpty() && conversations.isEmpty()) {
                state.accept(ConnectionState.CATCHING_UP);
                dispatcher.connectionRestored();
            }
            switch (item.getItemCase()) {
                case PROFILE -> profiles.add(item.getProfile());
                case CONVERSATION -> conversations.add(item.getConversation());
                case END -> end = item.getEnd();
                default -> {
                    // an item kind this version does not know
                }
            }
        }
        if (end == null) {
            throw new IllegalStateException("the snapshot ended without its SnapshotEnd; taking it again");
        }
        SnapshotEnd last = end;
        List<String> owed = store.inTransaction(c -> {
            model.replaceWith(c, profiles, conversations, last);
            ClientStore.putState(c, "cursor", last.getCursor().isEmpty() ? null : last.getCursor());
            ClientStore.putState(c, SNAPSHOT, "applied");
            List<String> receiptsOwed = new ArrayList<>();
            for (ConversationView view : conversations) {
                String conversation = receipts.owe(c, view);
                if (conversation != null) {
                    receiptsOwed.add(conversation);
                }
            }
            return receiptsOwed;
        });
        owed.forEach(receipts::owed);
        safely(() -> listener.snapshotApplied(last.getCursor(), conversations.size()));
        return last.getCursor();
    }

    private static void safely(Runnable appCallback) {
        try {
            appCallback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a client listener threw; the feed goes on", e);
        }
    }

    private void sleep(Duration delay) {
        try {
            TimeUnit.MILLISECONDS.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }
}
