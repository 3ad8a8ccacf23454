package dev.eventsync.push;

import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.store.UserLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** The {@code pushers} table (migration V7): each user's registrations with a push gateway. */
public final class Pushers {

    /** Upserts by (app_id, pushkey): the pushkey moves to this user, registered now if it was someone else's. */
    static final String UPSERT = """
            insert into pushers (app_id, pushkey, user_uuid, gateway_url, format, device_display_name, lang, registered_at)
            values (?, ?, ?, ?, ?, ?, ?, now())
            on conflict (app_id, pushkey) do update set
                user_uuid = excluded.user_uuid, gateway_url = excluded.gateway_url, format = excluded.format,
                device_display_name = excluded.device_display_name, lang = excluded.lang,
                registered_at = case when pushers.user_uuid = excluded.user_uuid then pushers.registered_at
                                     else excluded.registered_at end""";

    static final String COUNT = "select count(*) from pushers where user_uuid = ?";

    static final String DELETE = "delete from pushers where user_uuid = ? and app_id = ? and pushkey = ?";

    /** A gateway's {@code rejected} pushkeys, whoever holds them now (API.md: deleted for that app_id). */
    static final String DELETE_REJECTED = "delete from pushers where app_id = ? and pushkey = any(?)";

    static final String LIST = """
            select app_id, pushkey, gateway_url, format, device_display_name, lang from pushers
            where user_uuid = ? order by app_id, pushkey""";

    private final DataSource dataSource;
    private final int maxPerUser;

    public Pushers(DataSource dataSource, int maxPerUser) {
        this.dataSource = dataSource;
        this.maxPerUser = maxPerUser;
    }

    /** Stores the registration for this user; RESOURCE_EXHAUSTED (nothing stored) beyond the per-user limit. */
    public void set(UUID user, PusherRegistration pusher) throws SQLException {
        UserLock.inTransaction(dataSource, user, UserLock.PUSHERS, connection -> {
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
                upsert.setString(1, pusher.key().appId());
                upsert.setString(2, pusher.key().pushkey());
                upsert.setObject(3, user);
                upsert.setString(4, pusher.gatewayUrl());
                upsert.setShort(5, (short) pusher.format().getNumber());
                upsert.setString(6, pusher.deviceDisplayName());
                upsert.setString(7, pusher.lang());
                upsert.executeUpdate();
            }
            if (UserLock.count(connection, COUNT, user) > maxPerUser) {
                throw new CallRejected(CallRejected.Problem.TOO_MANY, "at most " + maxPerUser
                        + " pushers per user (eventsync.push.max-pushers-per-user): delete one first");
            }
        });
    }

    /** Removes this user's pusher; nothing to remove is fine (idempotent). */
    public void delete(UUID user, PusherKey key) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(DELETE)) {
            delete.setObject(1, user);
            delete.setString(2, key.appId());
            delete.setString(3, key.pushkey());
            delete.executeUpdate();
        }
    }

    /** Removes the pushkeys a gateway listed as {@code rejected} for this app. */
    void deleteRejected(String appId, List<String> pushkeys) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(DELETE_REJECTED)) {
            delete.setString(1, appId);
            delete.setArray(2, connection.createArrayOf("text", pushkeys.toArray()));
            delete.executeUpdate();
        }
    }

    public List<Pusher> list(UUID user) throws SQLException {
        List<Pusher> pushers = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(LIST)) {
            select.setObject(1, user);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    pushers.add(Pusher.newBuilder().setAppId(rows.getString(1)).setPushkey(rows.getString(2))
                            .setGatewayUrl(rows.getString(3)).setFormat(Pusher.Format.forNumber(rows.getShort(4)))
                            .setDeviceDisplayName(rows.getString(5)).setLang(rows.getString(6)).build());
                }
            }
        }
        return pushers;
    }
}
