package dev.eventsync.media;

import dev.eventsync.live.Listener;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Which call holds an upload when several servers share the bytes (the S3 store, whose objects
 * have no lock of their own): a PostgreSQL session advisory lock per media, all of this server's
 * on one connection of its own (not the pool's: a pooled connection would carry its locks to
 * whoever borrows it next), plus a set for the calls of this server (the same session may take
 * its own lock twice). A dead server's locks go with its session. A session lost while calls
 * hold locks lost them too: those calls learn it at their next {@link Hold#check} and fail, so a
 * call never writes bytes another server may hold.
 */
final class UploadLocks implements AutoCloseable {

    /** pg_stat_activity's name for the locks' connection. */
    static final String APPLICATION_NAME = "eventsync-media-uploads";
    /** Advisory keys are shared by the whole database: these are named after what they lock. */
    static final String TRY = "select pg_try_advisory_lock(hashtextextended('eventsync.media.upload:' || ?, 0))";
    static final String UNLOCK = "select pg_advisory_unlock(hashtextextended('eventsync.media.upload:' || ?, 0))";
    static final String PING = "select 1";

    private final DataSource dataSource;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    private Connection session;
    /** Counts the sessions opened: a hold taken on an earlier one is lost. */
    private long generation;

    UploadLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The hold of one media's upload, or empty when another call (of any server) has it. */
    Optional<Hold> tryHold(UUID media) throws IOException {
        if (!held.add(media)) {
            return Optional.empty();
        }
        try {
            Optional<Hold> hold = tryLock(media);
            if (hold.isEmpty()) {
                held.remove(media);
            }
            return hold;
        } catch (SQLException | RuntimeException e) {
            held.remove(media);
            throw new IOException("cannot lock the upload of media " + media + " in PostgreSQL: " + e, e);
        }
    }

    private synchronized Optional<Hold> tryLock(UUID media) throws SQLException {
        if (session == null || !session.isValid(2)) {
            closeSession();
            session = Listener.dedicated(dataSource, APPLICATION_NAME);
            session.setAutoCommit(true);
            generation++;
        }
        try (PreparedStatement lock = session.prepareStatement(TRY)) {
            lock.setString(1, media.toString());
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getBoolean(1) ? Optional.of(new Hold(media, generation)) : Optional.empty();
            }
        }
    }

    private synchronized boolean stillHeld(long taken) {
        if (session == null || generation != taken) {
            return false;
        }
        try (PreparedStatement ping = session.prepareStatement(PING)) {
            ping.execute();
            return true;
        } catch (SQLException e) {
            closeSession(); // the session is gone, and its locks with it
            return false;
        }
    }

    private synchronized void unlock(UUID media, long taken) {
        if (session != null && generation == taken) {
            try (PreparedStatement unlock = session.prepareStatement(UNLOCK)) {
                unlock.setString(1, media.toString());
                unlock.execute();
            } catch (SQLException e) {
                closeSession(); // a session that cannot unlock is dropped, which unlocks everything it held
            }
        }
        held.remove(media);
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // gone already: so are its locks
            }
            session = null;
        }
    }

    @Override
    public synchronized void close() {
        closeSession();
    }

    /** One call's hold on one upload. */
    final class Hold implements AutoCloseable {
        private final UUID media;
        private final long generation;
        private boolean closed;

        private Hold(UUID media, long generation) {
            this.media = media;
            this.generation = generation;
        }

        /** Fails when the hold was lost (its session dropped): another server may hold the upload now. */
        void check() throws IOException {
            if (closed || !stillHeld(generation)) {
                throw new IOException("the hold on the upload of media " + media
                        + " was lost with its PostgreSQL session: the client resumes from the committed bytes");
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                unlock(media, generation);
            }
        }
    }
}
