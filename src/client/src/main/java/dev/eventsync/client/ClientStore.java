package dev.eventsync.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client's one SQLite file: outbox, feed cursor and local model live in it together, so one
 * transaction can change all three. Every commit is durable when it returns: WAL journal with
 * {@code synchronous=FULL} fsyncs the log on each commit, so a row committed here survives the
 * process (or the phone) dying the next instant.
 *
 * <p>One JDBC connection, one transaction at a time: SQLite has a single writer anyway, and a
 * connection shared between the dispatcher, the feed and the app's thread must never interleave
 * two transactions. Callers do all their work through {@link #inTransaction} or {@link #read}.
 */
public final class ClientStore implements AutoCloseable {

    /** Work done inside one transaction on the store's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    static final String SCHEMA = """
            create table if not exists outbox (
                seq         integer primary key autoincrement,  -- send order; never reused
                event_uuid  text    not null unique,
                body        blob    not null,                   -- the serialized Event, sent byte for byte on every retry
                enqueued_at integer not null
            );
            create table if not exists sync_state (
                name  text primary key,
                value text not null
            );
            create table if not exists conversations (
                uuid      text primary key,
                name      text    not null,
                joined    integer not null,     -- 0 once we left or were removed
                confirmed integer not null      -- 0 while only our own pending conversation_created knows it
            );
            create table if not exists members (
                conversation_uuid text not null,
                user_uuid         text not null,
                primary key (conversation_uuid, user_uuid)
            );
            create table if not exists messages (
                local_uuid        text primary key,   -- the sender's temporary id: ours while pending, theirs otherwise
                uuid              text unique,        -- the server's message uuid, once known
                conversation_uuid text not null,
                author_uuid       text not null,
                text              text not null,
                sent_at           integer,            -- server time (ms), once stored
                feed_order        integer,            -- arrival order in our feed; null while pending
                state             text not null check (state in ('pending', 'sent', 'failed')),
                failure           text
            );
            create index if not exists messages_by_conversation on messages (conversation_uuid, feed_order);
            create table if not exists users (
                uuid         text primary key,
                display_name text
            );
            """;

    /**
     * Version 2 (API v1.1): the message lifecycle, markers, admins, settings, blocks, optimistic
     * changes and owed delivery receipts. The cursor is dropped so the feed is read again from the
     * start: version 1 skipped the v1.1 kinds, and the model's upserts absorb a replay.
     */
    static final String SCHEMA_V2 = """
            alter table messages add column reply_to_uuid text;
            alter table messages add column mentions      text    not null default '';  -- user uuids, comma-separated
            alter table messages add column edited_at     integer;                      -- server time (ms) of the latest edit
            alter table messages add column deleted       integer not null default 0;   -- a tombstone: text, mentions, reply gone
            alter table members add column admin integer not null default 0;
            drop table if exists reads;
            create table reactions (
                conversation_uuid text not null,
                message_uuid      text not null,
                user_uuid         text not null,
                reactions         text not null,  -- the user's whole set, in order, newline-separated (no reaction holds white space)
                primary key (message_uuid, user_uuid)
            );
            create table markers (
                conversation_uuid text not null,
                user_uuid         text not null,
                read_uuid         text,
                read_order        integer not null default 0,  -- feed_order of the message named; 0: none or not visible to us
                delivered_uuid    text,
                delivered_order   integer not null default 0,
                primary key (conversation_uuid, user_uuid)
            );
            create table settings (
                conversation_uuid text primary key,
                muted_until       integer,  -- ms; null: not muted
                archived          integer not null,
                pinned            integer not null
            );
            create table blocks (
                user_uuid text primary key
            );
            create table pending_changes (
                seq               integer primary key autoincrement,  -- queue order
                event_uuid        text    not null unique,
                conversation_uuid text,                               -- null for blocks
                body              blob    not null,
                queued_at         integer not null
            );
            create table receipts_owed (
                conversation_uuid text primary key,
                message_uuid      text    not null,  -- the newest message of others ingested and not yet acknowledged
                feed_order        integer not null
            );
            delete from sync_state where name = 'cursor';
            pragma user_version = 2;
            """;

    /**
     * Version 3: a first sync by Snapshot holds only each conversation's last messages, so what
     * lies before them is kept per conversation (whether the server has older ones, and how many
     * of those are unread). The cursor and its snapshot mark are not touched: a replayed model
     * stays valid.
     */
    static final String SCHEMA_V3 = """
            create table history (
                conversation_uuid text primary key,
                complete          integer not null,            -- the server has nothing older than our oldest message
                older_unread      integer not null default 0,  -- unread messages older than our oldest one (Snapshot's count)
                older_mentions    integer not null default 0
            );
            pragma user_version = 3;
            """;

    /**
     * Version 4 (media): the attachments a message shows, and the uploads a queued message waits
     * for. An upload row belongs to its outbox entry (by event uuid) and leaves with it; it holds
     * what a restart needs to resume: the file's path, size and hash (the bytes stay in the file).
     */
    static final String SCHEMA_V4 = """
            alter table messages add column attachments blob;  -- a serialized Message holding only the attachments; null: none
            create table uploads (
                media_uuid   text    primary key,  -- our choice, the server's idempotency key
                event_uuid   text    not null,     -- the outbox entry sent once this and its siblings are complete
                position     integer not null,     -- the attachment's place in the message
                path         text    not null,
                content_type text    not null,
                size_bytes   integer not null,
                sha256       blob    not null,
                complete     integer not null default 0
            );
            create index uploads_by_event on uploads (event_uuid, position);
            pragma user_version = 4;
            """;

    private final Connection connection;
    private final FileChannel ownership;
    private final ReentrantLock lock = new ReentrantLock();

    private ClientStore(Connection connection, FileChannel ownership) {
        this.connection = connection;
        this.ownership = ownership;
    }

    /**
     * Opens (creating if needed) the store at this path. One client per file: a second one
     * (another process, or another instance in this one) would move the cursor backwards and
     * send the outbox twice, so it is refused with a clear error instead. The OS releases the
     * lock when the owning process dies, however it dies.
     */
    public static ClientStore open(Path file) {
        FileChannel ownership = own(file);
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement statement = connection.createStatement()) {
                // WAL + FULL: a commit returns only after the WAL is fsynced (durable send()).
                statement.execute("pragma journal_mode = wal");
                statement.execute("pragma synchronous = full");
                // Another process (or an abandoned instance) may still hold the file briefly.
                statement.execute("pragma busy_timeout = 10000");
                statement.execute("pragma foreign_keys = on");
                // A deleted message's text is overwritten in the file, not left in a free page.
                statement.execute("pragma secure_delete = on");
                statement.executeUpdate(SCHEMA);
            }
            connection.setAutoCommit(false);
            migrate(connection);
            connection.commit();
            return new ClientStore(connection, ownership);
        } catch (SQLException e) {
            closeQuietly(ownership);
            throw new ClientStoreException("cannot open the client store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Brings an older file (or a new one) to version 4 in one transaction: all of it or nothing. */
    private static void migrate(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            int version;
            try (ResultSet rows = statement.executeQuery("pragma user_version")) {
                version = rows.next() ? rows.getInt(1) : 0;
            }
            if (version < 2) {
                statement.executeUpdate(SCHEMA_V2);
            }
            if (version < 3) {
                statement.executeUpdate(SCHEMA_V3);
            }
            if (version < 4) {
                statement.executeUpdate(SCHEMA_V4);
            }
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }

    /** Runs the work in one transaction: committed (durably) when it returns, rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        if (lock.isHeldByCurrentThread()) {
            // Nested (a FeedHandler or ClientListener reading the model): part of the outer
            // transaction, never a commit of it half-way.
            try {
                return work.apply(connection);
            } catch (SQLException e) {
                throw new ClientStoreException("client store: " + e.getMessage(), e);
            }
        }
        lock.lock();
        try {
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new ClientStoreException("client store: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads in a transaction of its own (a consistent snapshot of the file). */
    public <T> T read(Work<T> work) {
        return inTransaction(work);
    }

    static final String GET_STATE = "select value from sync_state where name = ?";
    static final String PUT_STATE = """
            insert into sync_state (name, value) values (?, ?)
            on conflict (name) do update set value = excluded.value""";
    static final String DELETE_STATE = "delete from sync_state where name = ?";

    static String state(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(GET_STATE)) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    static void putState(Connection connection, String name, String value) throws SQLException {
        if (value == null) {
            try (PreparedStatement statement = connection.prepareStatement(DELETE_STATE)) {
                statement.setString(1, name);
                statement.executeUpdate();
            }
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(PUT_STATE)) {
            statement.setString(1, name);
            statement.setString(2, value);
            statement.executeUpdate();
        }
    }

    /** The uuid of the last stored event the feed handed over and committed; empty: from the start. */
    public String cursor() {
        return read(c -> {
            String cursor = state(c, "cursor");
            return cursor == null ? "" : cursor;
        });
    }

    /** An app setting kept in the same file (the terminal client keeps its login here); null when unset. */
    public String setting(String name) {
        return read(c -> state(c, "setting." + name));
    }

    public void putSetting(String name, String value) {
        inTransaction(c -> {
            putState(c, "setting." + name, value);
            return null;
        });
    }

    /** Replaces the cursor (tests and tools; the feed moves it itself). */
    public void setCursor(String cursor) {
        inTransaction(c -> {
            putState(c, "cursor", cursor == null || cursor.isEmpty() ? null : cursor);
            return null;
        });
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is what the caller needs to see.
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new ClientStoreException("cannot close the client store: " + e.getMessage(), e);
        } finally {
            closeQuietly(ownership);
            lock.unlock();
        }
    }

    /** What the OS does for a killed process: the file is free again, nothing else is touched. */
    void releaseOwnership() {
        closeQuietly(ownership);
    }

    private static FileChannel own(Path file) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by another client in this process
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ClientStoreException("cannot lock the client store " + lockFile + ": " + e.getMessage(), e);
        }
        closeQuietly(channel);
        throw new ClientStoreException("the client store " + file + " is in use by another client (one client per"
                + " file: stop the other one, e.g. a running `chat watch`, or use another --db)", null);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }
}
