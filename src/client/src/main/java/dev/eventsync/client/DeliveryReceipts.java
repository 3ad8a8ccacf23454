package dev.eventsync.client;

import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessagesDelivered;
import dev.eventsync.proto.v1.NewMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code messages_delivered} by itself after the feed brings others' messages: at most one
 * per conversation per interval, naming the newest message ingested, never for our own messages.
 *
 * <p>What is owed is recorded in the feed transaction that ingests the message ({@link #owe}), so
 * a crash never loses a receipt: the next start sends it. A flush moves the owed receipt into the
 * outbox in one transaction, so it goes (once) like any queued event. A receipt the marker already
 * covers (a read, or another device's receipt) or for a conversation we left is dropped.
 */
final class DeliveryReceipts {

    private static final System.Logger LOG = System.getLogger(DeliveryReceipts.class.getName());

    static final String OWE = """
            insert into receipts_owed (conversation_uuid, message_uuid, feed_order) values (?, ?, ?)
            on conflict (conversation_uuid) do update set message_uuid = excluded.message_uuid, feed_order = excluded.feed_order
            where excluded.feed_order > receipts_owed.feed_order""";
    static final String OWED = "select message_uuid, feed_order from receipts_owed where conversation_uuid = ?";
    static final String ALL_OWED = "select conversation_uuid from receipts_owed";
    static final String PAID = "delete from receipts_owed where conversation_uuid = ?";
    static final String SHIFT = "update receipts_owed set feed_order = feed_order + ? where conversation_uuid = ?";
    static final String FORGIVE = "delete from receipts_owed";

    private final ClientStore store;
    private final String me;
    private final boolean enabled;
    private final long intervalNanos;
    private final Runnable workAdded;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "eventsync-receipts");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Long> lastFlush = new HashMap<>();
    private final Set<String> scheduled = new HashSet<>();

    DeliveryReceipts(ClientStore store, String me, boolean enabled, Duration interval, Runnable workAdded) {
        this.store = store;
        this.me = me;
        this.enabled = enabled;
        this.intervalNanos = interval.toNanos();
        this.workAdded = workAdded;
    }

    /** In the feed transaction: records the receipt a stored event makes us owe; returns its conversation, or null. */
    String owe(Connection c, Event event) throws SQLException {
        if (!enabled || !event.hasNewMessage()) {
            return null;
        }
        NewMessage message = event.getNewMessage();
        if (message.getMessage().getAuthorUuid().equals(me) || message.getMessage().getDeleted()) {
            return null;
        }
        String conversation = message.getMessage().getConversationUuid();
        Sql.update(c, OWE, conversation, message.getUuid(), MessageTable.feedOrder(c, message.getUuid()));
        return conversation;
    }

    /**
     * In a snapshot's transaction: this device now holds the newest of others' messages the
     * snapshot brought, so it owes a receipt for it, as if the feed had brought it (the flush
     * drops it when the server's marker covers it already). Returns its conversation, or null.
     */
    String owe(Connection c, ConversationView view) throws SQLException {
        if (!enabled || !view.getIsMember()) {
            return null;
        }
        for (int i = view.getLastMessagesCount() - 1; i >= 0; i--) {
            Message message = view.getLastMessages(i).getMessage();
            if (!message.getAuthorUuid().equals(me) && !message.getDeleted()) {
                Sql.update(c, OWE, view.getConversationUuid(), message.getUuid(), MessageTable.feedOrder(c, message.getUuid()));
                return view.getConversationUuid();
            }
        }
        return null;
    }

    /** A page of History moved the conversation's messages up in the order: what is owed moves with them. */
    static void shift(Connection c, String conversation, long by) throws SQLException {
        Sql.update(c, SHIFT, by, conversation);
    }

    /** A snapshot replaces the model: what the old model owed is dropped (the snapshot's own receipts are owed anew). */
    static void forgive(Connection c) throws SQLException {
        Sql.update(c, FORGIVE);
    }

    /** Receipts owed from before a restart go now. */
    void start() {
        store.read(c -> Sql.list(c, ALL_OWED, row -> row.getString(1))).forEach(this::owed);
    }

    /** After the commit that recorded a receipt: sends it now, or when the conversation's interval is over. */
    synchronized void owed(String conversation) {
        if (!scheduled.add(conversation)) {
            return; // the flush already due takes the newest owed message
        }
        Long last = lastFlush.get(conversation);
        long delay = last == null ? 0 : Math.max(0, last + intervalNanos - System.nanoTime());
        try {
            timer.schedule(() -> flush(conversation), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            scheduled.remove(conversation); // closing: the owed row stays for the next start
        }
    }

    private void flush(String conversation) {
        synchronized (this) {
            scheduled.remove(conversation);
            // Before reading what is owed: a receipt owed after this read waits a whole interval.
            lastFlush.put(conversation, System.nanoTime());
        }
        try {
            if (store.inTransaction(c -> queue(c, conversation))) {
                workAdded.run();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot queue a delivery receipt; it stays owed until the next start", e);
        }
    }

    private boolean queue(Connection c, String conversation) throws SQLException {
        List<Object[]> owed = Sql.list(c, OWED, row -> new Object[] {row.getString(1), row.getLong(2)}, conversation);
        if (owed.isEmpty()) {
            return false;
        }
        Sql.update(c, PAID, conversation);
        String message = (String) owed.get(0)[0];
        long order = (Long) owed.get(0)[1];
        if (!ConversationTable.joined(c, conversation) || order <= MarkerTable.deliveredOrder(c, conversation, me)) {
            return false;
        }
        Outbox.append(c, Event.newBuilder().setUuid(UUID.randomUUID().toString())
                .setMessagesDelivered(MessagesDelivered.newBuilder().setConversationUuid(conversation)
                        .setUpToMessageUuid(message)).build());
        return true;
    }

    void stop() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
