package dev.eventsync.push;

import dev.eventsync.proto.v1.Pusher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The pending retries ({@code push_retries}, migration V8): a queue per pusher, oldest first.
 * Only a queue's head is ever sent, so a pusher's notifications reach it in feed order; the
 * notifier puts a pusher's newer notifications behind a pending one instead of sending them.
 */
final class RetryQueue {

    /** A queued notification; {@code registered}: its pusher is still its user's. */
    record Pending(long id, Notification notification, Instant firstFailedAt, Instant nextAttemptAt, int attempts,
                   boolean registered) {}

    static final String ENQUEUE = """
            insert into push_retries (user_uuid, app_id, pushkey, gateway_url, body, event_uuid, stored_at,
                                      first_failed_at, next_attempt_at, attempts)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    static final String PUSHERS = "select distinct app_id, pushkey from push_retries";

    private static final String COLUMNS = """
            r.id, r.user_uuid, r.app_id, r.pushkey, r.gateway_url, r.body, r.event_uuid, r.stored_at, r.first_failed_at,
            r.next_attempt_at, r.attempts,
            exists (select 1 from pushers p where p.app_id = r.app_id and p.pushkey = r.pushkey and p.user_uuid = r.user_uuid)""";

    /** Each queue's head whose time has come. */
    static final String DUE_HEADS = "select * from (select distinct on (r.app_id, r.pushkey) " + COLUMNS + """
             from push_retries r order by r.app_id, r.pushkey, r.id) h
            where h.next_attempt_at <= now()""";

    static final String HEAD_OF = "select " + COLUMNS + " from push_retries r where r.app_id = ? and r.pushkey = ? order by r.id limit 1";

    static final String NEXT_ATTEMPT = """
            select min(next_attempt_at) from (select distinct on (app_id, pushkey) next_attempt_at from push_retries
                                              order by app_id, pushkey, id) h""";

    static final String COUNT = "select count(*) from push_retries";
    static final String DELETE = "delete from push_retries where id = ?";
    static final String RESCHEDULE = "update push_retries set next_attempt_at = ?, attempts = ? where id = ?";

    private final DataSource dataSource;

    RetryQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void enqueue(Notification notification, Instant firstFailedAt, Instant nextAttemptAt, int attempts) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(ENQUEUE)) {
            PushTarget target = notification.target();
            insert.setObject(1, target.user());
            insert.setString(2, target.key().appId());
            insert.setString(3, target.key().pushkey());
            insert.setString(4, target.gatewayUrl());
            insert.setString(5, notification.body());
            insert.setObject(6, notification.eventUuid());
            insert.setTimestamp(7, Timestamp.from(notification.storedAt()));
            insert.setTimestamp(8, Timestamp.from(firstFailedAt));
            insert.setTimestamp(9, Timestamp.from(nextAttemptAt));
            insert.setInt(10, attempts);
            insert.executeUpdate();
        }
    }

    /** The pushers with a queue (read when this instance takes the notifier over). */
    Set<PusherKey> pushers() throws SQLException {
        Set<PusherKey> keys = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(PUSHERS);
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                keys.add(new PusherKey(rows.getString(1), rows.getString(2)));
            }
        }
        return keys;
    }

    List<Pending> dueHeads() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(DUE_HEADS)) {
            return read(select);
        }
    }

    /** The pusher's oldest queued notification, or null when its queue is empty. */
    Pending headOf(PusherKey key) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(HEAD_OF)) {
            select.setString(1, key.appId());
            select.setString(2, key.pushkey());
            List<Pending> head = read(select);
            return head.isEmpty() ? null : head.get(0);
        }
    }

    /** When the earliest head is due (null: no queue). */
    Instant nextAttempt() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(NEXT_ATTEMPT);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getTimestamp(1) == null ? null : row.getTimestamp(1).toInstant();
        }
    }

    long count() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(COUNT);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    void delete(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(DELETE)) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    void reschedule(long id, Instant nextAttemptAt, int attempts) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(RESCHEDULE)) {
            update.setTimestamp(1, Timestamp.from(nextAttemptAt));
            update.setInt(2, attempts);
            update.setLong(3, id);
            update.executeUpdate();
        }
    }

    private static List<Pending> read(PreparedStatement select) throws SQLException {
        List<Pending> pending = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                // the format and pushkey_ts are already in the body: the target only routes it
                PushTarget target = new PushTarget(rows.getObject(2, UUID.class), new PusherKey(rows.getString(3), rows.getString(4)),
                        rows.getString(5), Pusher.Format.FULL, 0);
                Notification notification = new Notification(target, rows.getString(6), rows.getObject(7, UUID.class),
                        rows.getTimestamp(8).toInstant());
                pending.add(new Pending(rows.getLong(1), notification, rows.getTimestamp(9).toInstant(),
                        rows.getTimestamp(10).toInstant(), rows.getInt(11), rows.getBoolean(12)));
            }
        }
        return pending;
    }
}
