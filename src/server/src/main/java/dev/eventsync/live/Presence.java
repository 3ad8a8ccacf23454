package dev.eventsync.live;

import dev.eventsync.events.Delivery;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.UserIsConnected;
import java.sql.Array;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Who is online, across instances: a user is online while they have at least one follow stream
 * open on any instance. Each instance keeps a {@code presence} row per user it serves and a
 * heartbeat in {@code instances}; an instance that stops heartbeating is presumed dead and its
 * users go offline. Changes are announced to the user's contacts as {@code user_is_connected}
 * over NOTIFY, in the same transaction as the change, so every instance delivers them.
 *
 * <p>Changes are coalesced per user ({@link PresenceChanges}): at most one announcement per user
 * per {@code eventsync.live.presence-interval}, of the state the user is in by then. They run on
 * one thread per instance; a per-user advisory lock orders the changes of one user across
 * instances. Three threads, each with one job: the heartbeat (nothing else may delay it, or this
 * instance looks dead to others), the reaper of dead instances (whose announcements may wait on
 * locks), and the changes.
 */
@Component
public class Presence implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Presence.class);

    static final String REGISTER_INSTANCE = """
            insert into instances (instance_uuid) values (?)
            on conflict (instance_uuid) do update set heartbeat_at = now()""";
    static final String HEARTBEAT = """
            update instances set heartbeat_at = now() where instance_uuid = ?""";
    static final String EXPIRED_INSTANCES = """
            select instance_uuid from instances where heartbeat_at < now() - make_interval(secs => ?)""";
    static final String USERS_OF_INSTANCE = """
            select user_uuid from presence where instance_uuid = ?""";
    /** Whoever deletes the rows announces: two instances reaping one dead instance announce once. */
    static final String TAKE_USERS_OF_INSTANCE = """
            delete from presence where instance_uuid = ? returning user_uuid""";
    static final String DELETE_INSTANCE = """
            delete from instances where instance_uuid = ?""";
    /**
     * Presence is soft state, not an acknowledged event: a change lost with the last instant
     * of a crashed database is repaired by {@link #reconcile()} and the instance expiry. So
     * its transactions do not wait for their commit's flush (for this transaction only: the
     * pooled connection stays synchronous), which matters twice: ten thousand phones coming
     * online are ten thousand of these transactions, serial on one thread, and every commit that
     * NOTIFYs holds PostgreSQL's notify lock through its flush, so waiting flushes here would
     * delay the appends' wake-ups too (W3 at 10,000 streams).
     */
    static final String SOFT_STATE = """
            set local synchronous_commit = off""";
    static final String LOCK_USER = """
            select pg_advisory_xact_lock(?)""";
    static final String ADD = """
            insert into presence (user_uuid, instance_uuid) values (?, ?) on conflict do nothing""";
    static final String REMOVE = """
            delete from presence where user_uuid = ? and instance_uuid = ?""";
    static final String INSTANCES_OF_USER = """
            select count(*) from presence where user_uuid = ?""";
    /** Presence never crosses a block, in either direction (API.md v1.1, Blocking). */
    private static final String NOT_BLOCKED = """
              and not exists (select 1 from blocks b
                              where (b.user_uuid, b.blocked_uuid) in ((mine.user_uuid, other.user_uuid), (other.user_uuid, mine.user_uuid)))
            """;
    static final String CONTACTS = """
            select distinct other.user_uuid
            from memberships mine join memberships other on other.conversation_uuid = mine.conversation_uuid
            where mine.user_uuid = ? and other.user_uuid <> mine.user_uuid
            """ + NOT_BLOCKED;
    /** A page of them, in uuid order after the last one sent (keyset: each page costs the same). */
    static final String ONLINE_CONTACTS = """
            select distinct other.user_uuid
            from memberships mine join memberships other on other.conversation_uuid = mine.conversation_uuid
                 join presence p on p.user_uuid = other.user_uuid
            where mine.user_uuid = ? and other.user_uuid <> mine.user_uuid and other.user_uuid > ?
            """ + NOT_BLOCKED + """
            order by other.user_uuid limit ?""";
    /** Below every user uuid (the nil uuid is no user's: API.md). */
    private static final UUID BEFORE_ALL = new UUID(0, 0);
    static final String NOTIFY = """
            select count(pg_notify(?, p)) from unnest(?::text[]) as p""";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate transactions;
    private final LiveHub hub;
    private final LiveProperties properties;
    private final UUID instance = UUID.randomUUID();
    /** opened/closed and their reconciliation, in order. */
    private volatile ScheduledExecutorService worker;
    private volatile PresenceChanges changes;
    /**
     * The heartbeat, on its own thread: neither a backlog of presence changes nor reaping another
     * instance (its users' locks, their announcements) may delay it and make us look dead.
     */
    private volatile ScheduledExecutorService heartbeats;
    /** Removes the instances that stopped heartbeating, off the heartbeat thread. */
    private volatile ScheduledExecutorService reaper;

    public Presence(DataSource dataSource, TransactionTemplate transactions, LiveHub hub, LiveProperties properties) {
        this.jdbc = JdbcClient.create(dataSource);
        this.template = new JdbcTemplate(dataSource);
        this.transactions = transactions;
        this.hub = hub;
        this.properties = properties;
    }

    /**
     * The user's first follow stream on this instance opened, or their last one closed: their
     * state (as {@link LiveHub} has it when the coalesced change runs) is recorded and announced.
     */
    public void changed(UUID user) {
        PresenceChanges current = changes;
        if (current != null) {
            current.changed(user);
        }
    }

    /** This instance, as it appears in {@code instances} and {@code presence}. */
    UUID instance() {
        return instance;
    }

    /** Records and announces the user's state on this instance now. */
    private void publish(UUID user) {
        try {
            change(user, hub.isOnline(user));
        } catch (RuntimeException e) {
            log.warn("presence update failed: {}", e.getMessage()); // reconcile() repairs it
        }
    }

    /** Records (or removes) this instance's row; announces when it was the user's first (or last). */
    private void change(UUID user, boolean online) {
        transactions.executeWithoutResult(tx -> {
            jdbc.sql(SOFT_STATE).update();
            lock(user);
            // Idempotent: only a change of this instance's row can announce (reconcile() and a
            // queued opened()/closed() may both ask for the same change).
            boolean changed = jdbc.sql(online ? ADD : REMOVE).params(user, instance).update() == 1;
            if (changed && instancesOf(user) == (online ? 1 : 0)) {
                announce(user, online);
            }
        });
    }

    /**
     * The user's contacts that are online now, on any instance: at most {@code limit} of them, in
     * uuid order, after {@code after} (null: from the first).
     */
    public List<UUID> onlineContacts(UUID user, UUID after, int limit) {
        return jdbc.sql(ONLINE_CONTACTS).params(user, after == null ? BEFORE_ALL : after, limit).query(UUID.class).list();
    }

    @Override
    public void start() {
        jdbc.sql(REGISTER_INSTANCE).param(instance).update();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("eventsync-presence"));
        changes = new PresenceChanges(properties.presenceInterval(), Later.on(executor), this::publish);
        worker = executor;
        heartbeats = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("eventsync-heartbeat"));
        reaper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("eventsync-presence-reaper"));
        long period = properties.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
        reaper.scheduleWithFixedDelay(this::reapExpired, period, period, TimeUnit.MILLISECONDS);
        worker.scheduleWithFixedDelay(() -> run(this::reconcile), period, period, TimeUnit.MILLISECONDS);
    }

    /** Runs after the gRPC server stopped: every stream is closed; then this instance leaves. */
    @Override
    public void stop() {
        ScheduledExecutorService executor = worker;
        worker = null;
        if (executor == null) {
            return;
        }
        heartbeats.shutdownNow();
        reaper.shutdownNow();
        executor.shutdownNow(); // queued changes are moot: leave() removes all of this instance's rows
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            leave(instance);
        } catch (RuntimeException e) {
            log.warn("could not remove this instance's presence on shutdown: {}", e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2000;
    }

    private void heartbeat() {
        try {
            if (jdbc.sql(HEARTBEAT).param(instance).update() == 0) {
                // Presumed dead by another instance (a long pause?): come back; reconcile() re-adds our users.
                jdbc.sql(REGISTER_INSTANCE).param(instance).update();
            }
        } catch (RuntimeException e) {
            log.warn("presence heartbeat failed: {}", e.getMessage());
        }
    }

    private void reapExpired() {
        try {
            List<UUID> expired = jdbc.sql(EXPIRED_INSTANCES).param(properties.instanceExpiry().toMillis() / 1000.0) // sub-second expiries too
                    .query(UUID.class).list();
            for (UUID dead : expired) {
                log.warn("instance {} stopped heartbeating; its users go offline", dead);
                leave(dead);
            }
        } catch (RuntimeException e) {
            log.warn("reaping dead instances failed: {}", e.getMessage());
        }
    }

    /**
     * Repairs this instance's rows against its open streams: an opened/closed that failed (a
     * database blip), or rows removed while we were presumed dead. A repair is a change like
     * any other (coalesced): a user whose streams are flapping right now is not announced twice.
     */
    private void reconcile() {
        Set<UUID> local = hub.onlineUsers();
        Set<UUID> recorded = new HashSet<>(jdbc.sql(USERS_OF_INSTANCE).param(instance).query(UUID.class).list());
        for (UUID user : local) {
            if (!recorded.contains(user)) {
                changed(user);
            }
        }
        for (UUID user : recorded) {
            if (!local.contains(user)) {
                changed(user);
            }
        }
    }

    /** Removes an instance and announces its users offline where it was their last. */
    private void leave(UUID gone) {
        List<UUID> users = jdbc.sql(TAKE_USERS_OF_INSTANCE).param(gone).query(UUID.class).list();
        jdbc.sql(DELETE_INSTANCE).param(gone).update();
        for (UUID user : users) {
            transactions.executeWithoutResult(tx -> {
                jdbc.sql(SOFT_STATE).update();
                lock(user);
                if (instancesOf(user) == 0) {
                    announce(user, false);
                }
            });
        }
    }

    private void announce(UUID user, boolean connected) {
        Event event = Event.newBuilder()
                .setAuthorUuid(user.toString())
                .setOccurredAt(Delivery.timestamp(Instant.now()))
                .setUserIsConnected(UserIsConnected.newBuilder().setUserUuid(user.toString()).setConnected(connected))
                .build();
        List<UUID> contacts = jdbc.sql(CONTACTS).param(user).query(UUID.class).list();
        List<String> payloads = Notifications.transitory(event, contacts);
        if (!payloads.isEmpty()) {
            template.execute((ConnectionCallback<Object>) connection -> {
                Array array = connection.createArrayOf("text", payloads.toArray());
                return jdbc.sql(NOTIFY).params(Notifications.CHANNEL, array).query().singleValue();
            });
        }
    }

    private void lock(UUID user) {
        jdbc.sql(LOCK_USER).param(user.getMostSignificantBits() ^ user.getLeastSignificantBits()).query().singleValue();
    }

    private long instancesOf(UUID user) {
        return jdbc.sql(INSTANCES_OF_USER).param(user).query(Long.class).single();
    }

    private void run(Runnable task) {
        ScheduledExecutorService executor = worker;
        if (executor == null) {
            return;
        }
        executor.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("presence update failed: {}", e.getMessage());
            }
        });
    }
}
