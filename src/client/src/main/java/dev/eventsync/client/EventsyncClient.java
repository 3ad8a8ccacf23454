package dev.eventsync.client;

import com.google.protobuf.Timestamp;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.ConversationSettingsChanged;
import dev.eventsync.proto.v1.ConversationNameChanged;
import dev.eventsync.proto.v1.DisplayNameChanged;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.MemberJoined;
import dev.eventsync.proto.v1.MemberLeft;
import dev.eventsync.proto.v1.MemberRoleChanged;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.MessageDeleted;
import dev.eventsync.proto.v1.MessageEdited;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.proto.v1.ReactionsChanged;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.proto.v1.UserBlocked;
import dev.eventsync.proto.v1.UserIsTyping;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The offline-first eventsync client: a durable outbox, a dispatcher that empties it in order, a
 * feed that keeps the local model and a cursor in step, in one SQLite file.
 *
 * <p>Guarantees: {@link #send} returns once the event is committed to the outbox (it survives the
 * process dying the next instant). Queued events reach the server in send order, each stored at
 * most once, however often a call fails or the process restarts; each gets exactly one result
 * ({@link ClientListener#accepted}/{@link ClientListener#rejected}), after which it leaves the
 * outbox. Every change shows in the {@link #model()} at once and is rolled back if the server
 * rejects it; {@code messages_delivered} receipts are sent by the client itself. Stored feed
 * events reach the {@link FeedHandler} in feed order, never skipped, possibly again after a crash. The caller's duty: {@link #start()} once, {@link #close()} at the end.
 */
public final class EventsyncClient implements AutoCloseable {

    private final ClientStore store;
    private final LocalModel model;
    private final Transport transport;
    private final Dispatcher dispatcher;
    private final FeedSync feed;
    private final DeliveryReceipts receipts;
    private final MediaDownloader downloads;
    private final ClientListener listener;
    private final PushRegistrations pushers;
    private final List<Consumer<ConnectionState>> stateListeners = new CopyOnWriteArrayList<>();
    private final Thread dispatcherThread;
    private final Thread feedThread;
    private volatile ConnectionState state = ConnectionState.OFFLINE;

    private EventsyncClient(Builder builder, ClientStore store) {
        this.store = store;
        this.model = new LocalModel(store, builder.user != null ? builder.user : BearerToken.subject(builder.token.get()));
        ManagedChannel channel = builder.channel != null ? builder.channel : channel(builder.target, builder.plaintext);
        this.transport = new Transport(channel, builder.token, builder.interceptors);
        this.listener = builder.listener;
        this.pushers = new PushRegistrations(transport);
        this.dispatcher = new Dispatcher(store, model, transport, listener, builder.maxBatchEvents, builder.maxBatchBytes,
                builder.initialBackoff, builder.maxBackoff);
        this.receipts = new DeliveryReceipts(store, model.me(), builder.receipts, builder.receiptInterval,
                dispatcher::workAdded);
        this.feed = new FeedSync(store, model, transport, builder.handler, builder.transitory, listener, dispatcher,
                receipts, builder.initialBackoff, builder.maxBackoff, this::changeState, builder.messagesPerConversation);
        this.downloads = new MediaDownloader(builder.mediaCache != null ? builder.mediaCache
                : builder.database.resolveSibling(builder.database.getFileName() + ".media"), transport);
        this.dispatcherThread = new Thread(dispatcher, "eventsync-dispatcher");
        this.feedThread = new Thread(feed, "eventsync-feed");
        dispatcherThread.setDaemon(true);
        feedThread.setDaemon(true);
    }

    private static ManagedChannel channel(String target, boolean plaintext) {
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forTarget(target)
                .maxInboundMessageSize(16 * 1024 * 1024)
                // A follow stream on a dead network would otherwise wait forever for the next event.
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS);
        if (plaintext) {
            builder.usePlaintext();
        }
        return builder.build();
    }

    /** A client of the server at {@code target} ("host:port"), keeping its state in {@code database}. */
    public static Builder builder(String target, Path database) {
        return new Builder(target, database);
    }

    /** Starts sending the outbox and following the feed. */
    public EventsyncClient start() {
        dispatcherThread.start();
        feedThread.start();
        receipts.start();
        return this;
    }

    // ---- sending ----------------------------------------------------------------------------

    /**
     * Queues a stored event: returns its uuid once it is durably in the outbox. A missing uuid is
     * generated here (the uuid is the idempotency key the server deduplicates resends on).
     */
    public String send(Event event) {
        return queue(c -> event);
    }

    /**
     * Builds the event from the model's state and queues it, in one transaction: two settings
     * changes queued at once each start from the other's result, none is lost.
     */
    private String queue(ClientStore.Work<Event> build) {
        return queue(build, List.of());
    }

    /** As {@link #queue(ClientStore.Work)}, with the files the event waits for, in the same transaction. */
    private String queue(ClientStore.Work<Event> build, List<OutgoingFiles.Prepared> files) {
        Event queued = store.inTransaction(c -> {
            Event event = build.apply(c);
            Event withUuid = event.getUuid().isEmpty() ? event.toBuilder().setUuid(newUuid()).build() : event;
            if (withUuid.hasUserIsTyping()) {
                throw new IllegalArgumentException("typing is transitory: use typing(), it is never queued");
            }
            Outbox.append(c, withUuid);
            OutgoingFiles.waitFor(c, withUuid.getUuid(), files);
            model.queued(c, withUuid);
            return withUuid;
        });
        dispatcher.workAdded();
        return queued.getUuid();
    }

    /** Creates a conversation (shown at once, removed again if the server rejects it); returns its uuid. */
    public String createConversation(String name, Collection<String> members) {
        String conversation = newUuid();
        send(Event.newBuilder().setConversationCreated(ConversationCreated.newBuilder()
                .setConversationUuid(conversation).setName(name).addAllMemberUuids(members)).build());
        return conversation;
    }

    public String addMember(String conversation, String user) {
        return send(Event.newBuilder().setMemberJoined(MemberJoined.newBuilder()
                .setConversationUuid(conversation).setUserUuid(user)).build());
    }

    /**
     * Removes a member (admins only; shown at once, back if the server refuses: FORBIDDEN when we
     * are no longer admin by then). {@code user} null or empty: this user leaves.
     */
    public String removeMember(String conversation, String user) {
        return send(Event.newBuilder().setMemberLeft(MemberLeft.newBuilder()
                .setConversationUuid(conversation).setUserUuid(user == null ? "" : user)).build());
    }

    /** This user leaves (always allowed; the last admin's leaving promotes the earliest member). */
    public String leave(String conversation) {
        return removeMember(conversation, "");
    }

    /** Makes a member admin, or revokes it (admins only; the last admin cannot revoke themself). */
    public String setAdmin(String conversation, String user, boolean admin) {
        return send(Event.newBuilder().setMemberRoleChanged(MemberRoleChanged.newBuilder()
                .setConversationUuid(conversation).setUserUuid(user).setAdmin(admin)).build());
    }

    public String rename(String conversation, String name) {
        return send(Event.newBuilder().setConversationNameChanged(ConversationNameChanged.newBuilder()
                .setConversationUuid(conversation).setNewName(name)).build());
    }

    /** Sends a message (pending at once in the model); returns its local uuid. */
    public String sendMessage(String conversation, String text) {
        return sendMessage(conversation, text, MessageOptions.NONE);
    }

    /** Sends a message replying to one and/or mentioning members; returns its local uuid. */
    public String sendMessage(String conversation, String text, MessageOptions options) {
        String local = newUuid();
        send(Event.newBuilder().setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(local)
                .setMessage(Message.newBuilder().setConversationUuid(conversation).setText(text)
                        .setReplyToMessageUuid(options.replyTo()).addAllMentionedUserUuids(options.mentions()))).build());
        return local;
    }

    /**
     * Sends a message with files (text may be empty then). Reads each file once here, for its size
     * and hash: a blocking call, not on a UI thread. Returns once the message and its uploads are
     * durably in the outbox: the files are uploaded in the outbox's order (resumed from where the
     * server stands after a cut or a restart), and the message goes once all of them are complete.
     * A file that changes or goes away before that fails the message (UNKNOWN_MEDIA, locally).
     */
    public String sendMessage(String conversation, String text, AttachmentFile... files) {
        return sendMessage(conversation, text, MessageOptions.NONE, List.of(files));
    }

    /** {@link #sendMessage(String, String, AttachmentFile...)} replying to one and/or mentioning members. */
    public String sendMessage(String conversation, String text, MessageOptions options, List<AttachmentFile> files) {
        List<OutgoingFiles.Prepared> prepared = OutgoingFiles.prepare(files);
        String local = newUuid();
        Message.Builder message = Message.newBuilder().setConversationUuid(conversation).setText(text)
                .setReplyToMessageUuid(options.replyTo()).addAllMentionedUserUuids(options.mentions());
        prepared.forEach(file -> message.addAttachments(file.attachment()));
        queue(c -> Event.newBuilder().setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(local)
                .setMessage(message)).build(), prepared);
        return local;
    }

    /**
     * Replaces the text and mentions of one of this user's messages (its server uuid: a pending
     * message has none yet). Shown at once; rolled back if refused (MESSAGE_DELETED when it was
     * deleted meanwhile). Of two edits, the later in the server's order wins.
     */
    public String editMessage(String conversation, String messageUuid, String text, String... mentions) {
        return send(Event.newBuilder().setMessageEdited(MessageEdited.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(serverUuid(messageUuid)).setText(text).addAllMentionedUserUuids(List.of(mentions))).build());
    }

    /** Deletes a message for everyone (its author or an admin): a tombstone at once, its text gone locally too. */
    public String deleteMessage(String conversation, String messageUuid) {
        return send(Event.newBuilder().setMessageDeleted(MessageDeleted.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(serverUuid(messageUuid))).build());
    }

    /** Sets this user's whole set of reactions on a message (none: removes them all). */
    public String react(String conversation, String messageUuid, String... reactions) {
        return send(Event.newBuilder().setReactionsChanged(ReactionsChanged.newBuilder().setConversationUuid(conversation)
                .setMessageUuid(serverUuid(messageUuid)).addAllReactions(List.of(reactions))).build());
    }

    private static String serverUuid(String messageUuid) {
        if (messageUuid == null || messageUuid.isEmpty()) {
            throw new IllegalArgumentException("name the message by its server uuid; a pending message has none yet");
        }
        return messageUuid;
    }

    /** Moves this user's read marker to this message (and every earlier one); an older one changes nothing. */
    public String markRead(String conversation, String messageUuid) {
        return send(Event.newBuilder().setReadNewMessage(ReadNewMessage.newBuilder()
                .setConversationUuid(conversation).setUuid(messageUuid)).build());
    }

    /** Mutes the conversation until then (null: unmutes; {@link Instant#MAX} is not sent: use a far future). */
    public String mute(String conversation, Instant until) {
        return changeSettings(conversation, s -> new LocalModel.Settings(until, s.archived(), s.pinned()));
    }

    public String archive(String conversation, boolean archived) {
        return changeSettings(conversation, s -> new LocalModel.Settings(s.mutedUntil(), archived, s.pinned()));
    }

    public String pin(String conversation, boolean pinned) {
        return changeSettings(conversation, s -> new LocalModel.Settings(s.mutedUntil(), s.archived(), pinned));
    }

    /** Each settings event carries the whole settings: the shown ones (pending changes included) with one field changed. */
    private String changeSettings(String conversation, UnaryOperator<LocalModel.Settings> change) {
        return queue(c -> {
            LocalModel.Settings next = change.apply(model.settings(c, conversation));
            ConversationSettingsChanged.Builder settings = ConversationSettingsChanged.newBuilder()
                    .setConversationUuid(conversation).setArchived(next.archived()).setPinned(next.pinned());
            if (next.mutedUntil() != null) {
                settings.setMutedUntil(Timestamp.newBuilder().setSeconds(next.mutedUntil().getEpochSecond())
                        .setNanos(next.mutedUntil().getNano()));
            }
            return Event.newBuilder().setConversationSettingsChanged(settings).build();
        });
    }

    /** Blocks a user (or lifts it): their typing and presence stop reaching us; their messages stay for the app to hide. */
    public String block(String user, boolean blocked) {
        return send(Event.newBuilder().setUserBlocked(UserBlocked.newBuilder().setUserUuid(user).setBlocked(blocked)).build());
    }

    public String setDisplayName(String name) {
        return send(Event.newBuilder().setDisplayNameChanged(DisplayNameChanged.newBuilder().setDisplayName(name)).build());
    }

    /**
     * Tells the other members this user is typing. Transitory: sent now or never (a queued
     * "typing" delivered after an outage would be a lie). Returns whether the server accepted it.
     */
    public boolean typing(String conversation, boolean typing) {
        Event event = Event.newBuilder().setUuid(newUuid())
                .setUserIsTyping(UserIsTyping.newBuilder().setConversationUuid(conversation).setTyping(typing)).build();
        try {
            return transport.stub().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .sync(SyncRequest.newBuilder().addEvents(event).build()).getResults(0).hasAccepted();
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    // ---- history ----------------------------------------------------------------------------

    /** {@link #loadOlder(String, int)} with the server's default page (50 messages). */
    public LocalModel.OlderMessages loadOlder(String conversation) {
        return loadOlder(conversation, 0);
    }

    /**
     * Fetches the page of messages before the oldest one the model holds of this conversation
     * (the newest ones when it holds none) and adds them to the model, each as the server shows it
     * now; newer messages are left as they are. Returns what it added and whether the server has
     * anything older; once it has said so, this asks nothing and adds nothing. A blocking call
     * (30 s at most): not on a UI thread. Throws {@link UnknownConversationException} when the
     * server does not show this user the conversation, {@link StatusRuntimeException} when the
     * call fails otherwise (UNAVAILABLE: try again later).
     */
    public LocalModel.OlderMessages loadOlder(String conversation, int limit) {
        if (limit < 0 || limit > 200) {
            throw new IllegalArgumentException("limit must be 0 (the server's default) to 200; got " + limit);
        }
        String before = store.read(c -> model.historyComplete(c, conversation) ? null : model.oldestMessage(c, conversation));
        if (before == null) {
            return new LocalModel.OlderMessages(List.of(), true);
        }
        HistoryPage page;
        try {
            page = transport.stub().withDeadlineAfter(30, TimeUnit.SECONDS).history(HistoryRequest.newBuilder()
                    .setConversationUuid(conversation).setBeforeMessageUuid(before).setLimit(limit).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new UnknownConversationException(conversation, e.getStatus().getDescription());
            }
            throw e;
        }
        return store.inTransaction(c -> model.older(c, conversation, page));
    }

    // ---- push ------------------------------------------------------------------------------

    /**
     * Registers this device with a push gateway (PushService.SetPusher): the server then notifies
     * it through {@code pusher.gateway_url} of new messages while this user has no open stream.
     * Upserts by (app_id, pushkey); returns the pusher as stored (an unspecified format reads as
     * FULL). A direct call of at most 10 s, never queued: call it again on every app start, and
     * when the platform hands out a new pushkey. Throws {@link StatusRuntimeException}:
     * FAILED_PRECONDITION when the operator does not allow that gateway, INVALID_ARGUMENT for a
     * malformed pusher, RESOURCE_EXHAUSTED beyond the server's pushers per user, UNAVAILABLE when
     * the server is not reached (try again later).
     */
    public Pusher registerPusher(Pusher pusher) {
        return pushers.register(pusher);
    }

    /** Removes this device's registration (PushService.DeletePusher); an unknown one is no error. Throws as {@link #registerPusher}. */
    public void unregisterPusher(String appId, String pushkey) {
        pushers.unregister(appId, pushkey);
    }

    /** This user's pushers, on every device (PushService.ListPushers). Throws as {@link #registerPusher}. */
    public List<Pusher> listPushers() {
        return pushers.list();
    }

    // ---- media ------------------------------------------------------------------------------

    /**
     * Writes the media (an attachment's {@link LocalAttachment#mediaUuid()}) to {@code target}.
     * Served from the local cache when it holds the media; otherwise downloaded into the cache
     * first, resuming from the bytes a cut download left on disk (so calling again after a
     * failure costs only the rest), and checked against the server's SHA-256 at the end. A
     * blocking call, not on a UI thread. Throws {@link StatusRuntimeException} when the call
     * fails (NOT_FOUND: unknown, or not visible to this user; UNAVAILABLE and the like: call
     * again), {@link MediaHashMismatchException} when the bytes do not hash right (they were
     * discarded: call again), {@link java.io.IOException} for the local disk.
     */
    public Path download(String mediaUuid, Path target) throws java.io.IOException {
        transport.beforeAttempt();
        return downloads.download(mediaUuid, target);
    }

    /** Whether {@link #download} of this media is served from the local cache (asks the server nothing). */
    public boolean cached(String mediaUuid) {
        return downloads.cached(mediaUuid);
    }

    // ---- state ------------------------------------------------------------------------------

    public LocalModel model() {
        return model;
    }

    /** The events not answered by the server yet, in send order. */
    public List<Event> pending() {
        return Dispatcher.pending(store);
    }

    public String cursor() {
        return store.cursor();
    }

    public ConnectionState connectionState() {
        return state;
    }

    public void onConnectionState(Consumer<ConnectionState> consumer) {
        stateListeners.add(consumer);
    }

    private void changeState(ConnectionState next) {
        if (state == next || state == ConnectionState.CLOSED) {
            return;
        }
        state = next;
        listener.connectionChanged(next);
        stateListeners.forEach(l -> l.accept(next));
    }

    /** Stops the threads, closes the channel and the store. The outbox stays for the next start. */
    @Override
    public void close() {
        stopThreads();
        changeState(ConnectionState.CLOSED);
        store.close();
    }

    /**
     * Stops everything abruptly without closing the store, like a process being killed: in-flight
     * calls are cut, whatever was not committed is lost. For tests of crash recovery.
     */
    void abandon() {
        stopThreads();
        store.releaseOwnership(); // as the OS would for a killed process; the connection is left as it was
    }

    private void stopThreads() {
        receipts.stop();
        dispatcher.stop();
        feed.stop();
        transport.shutdownNow();
        dispatcherThread.interrupt();
        feedThread.interrupt();
        try {
            dispatcherThread.join(TimeUnit.SECONDS.toMillis(10));
            feedThread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String newUuid() {
        return UUID.randomUUID().toString();
    }

    /** How to reach the server and whom to tell what. */
    public static final class Builder {
        private final String target;
        private final Path database;
        private ManagedChannel channel;
        private boolean plaintext;
        private Supplier<String> token;
        private String user;
        private FeedHandler handler = event -> { };
        private Consumer<Event> transitory = event -> { };
        private ClientListener listener = new ClientListener() { };
        private final List<ClientInterceptor> interceptors = new ArrayList<>();
        private int maxBatchEvents = 100;
        private int maxBatchBytes = 3 * 1024 * 1024;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration receiptInterval = Duration.ofSeconds(3);
        private boolean receipts = true;
        private int messagesPerConversation = 20;
        private Path mediaCache;

        private Builder(String target, Path database) {
            this.target = target;
            this.database = Objects.requireNonNull(database, "database");
        }

        /** The token sent on every call; its {@code sub} is this device's user unless {@link #user} says otherwise. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            return token(() -> token);
        }

        /** A token read on every call (refresh it without rebuilding the client). */
        public Builder token(Supplier<String> token) {
            this.token = token;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** No TLS (a development server, or TLS terminated elsewhere on a trusted network). */
        public Builder plaintext(boolean plaintext) {
            this.plaintext = plaintext;
            return this;
        }

        /** Use this channel instead of building one from the target (its owner is this client). */
        public Builder channel(ManagedChannel channel) {
            this.channel = channel;
            return this;
        }

        public Builder handler(FeedHandler handler) {
            this.handler = handler;
            return this;
        }

        /** Typing and presence events, as they arrive on the live stream. */
        public Builder transitoryListener(Consumer<Event> transitory) {
            this.transitory = transitory;
            return this;
        }

        public Builder listener(ClientListener listener) {
            this.listener = listener;
            return this;
        }

        /** An extra interceptor on every call (tracing, tests). */
        public Builder interceptor(ClientInterceptor interceptor) {
            interceptors.add(interceptor);
            return this;
        }

        /** Events per Sync call at most (the server accepts at least 100). */
        public Builder maxBatchEvents(int maxBatchEvents) {
            if (maxBatchEvents < 1) {
                throw new IllegalArgumentException("maxBatchEvents must be at least 1; got " + maxBatchEvents);
            }
            this.maxBatchEvents = maxBatchEvents;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < initial <= max; got " + initial + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * How long at least between two delivery receipts of one conversation (default 3 s): a
         * burst of messages is acknowledged by its first and its last, not one by one.
         */
        public Builder deliveryReceiptInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("deliveryReceiptInterval must not be negative; got " + interval);
            }
            this.receiptInterval = interval;
            return this;
        }

        /**
         * Whether this client sends {@code messages_delivered} by itself (default true, as API.md
         * says of the reference client). Off only for a harness that counts the stored events
         * exactly: receipts are stored events too, delivered to some members and not others.
         */
        public Builder deliveryReceipts(boolean receipts) {
            this.receipts = receipts;
            return this;
        }

        /**
         * How many of each conversation's latest messages a snapshot (the first sync of a new
         * device, or a resync) brings (1 to 100, default 20); older ones come with {@code loadOlder}.
         */
        public Builder messagesPerConversation(int messages) {
            if (messages < 1 || messages > 100) {
                throw new IllegalArgumentException("messagesPerConversation must be 1 to 100; got " + messages);
            }
            this.messagesPerConversation = messages;
            return this;
        }

        /**
         * The folder of downloaded media (default: beside the store, {@code <database>.media}).
         * The app may empty it when space is short: a later download fetches again.
         */
        public Builder mediaCache(Path folder) {
            this.mediaCache = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /** Opens the store; call {@link EventsyncClient#start()} to go online. */
        public EventsyncClient build() {
            if (token == null) {
                throw new IllegalStateException("set a token: builder.token(jwt)");
            }
            if (channel == null && target == null) {
                throw new IllegalStateException("set a target (host:port) or a channel");
            }
            ClientStore store = ClientStore.open(database);
            try {
                return new EventsyncClient(this, store);
            } catch (RuntimeException | Error e) {
                // A bad token (no readable sub) must not leave the file locked: the app's next
                // build on the same file would be refused "in use by another client".
                try {
                    store.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
    }
}
