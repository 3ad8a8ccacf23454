package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.ServerTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Presence on one instance: the reaper never stalls the heartbeat; a flapping user is announced
 * coalesced. The context is closed after the class: its one-second instance expiry would
 * otherwise go on reaping the test servers of later classes, which heartbeat every 5 s.
 */
@ServerTest
@DirtiesContext
@TestPropertySource(properties = {
        "eventsync.live.safety-poll=1h",
        "eventsync.live.heartbeat=100ms",
        "eventsync.live.instance-expiry=1s",
        "eventsync.live.presence-interval=1s"})
class PresenceTest {

    static final Duration LIVE = Duration.ofSeconds(10);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    Presence presence;

    @Autowired
    LiveHub hub;

    Api api;
    final List<Follower> followers = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void closeStreamsAndChannel() throws InterruptedException {
        followers.stream().filter(f -> f.ended() == null).forEach(Follower::cancel);
        api.close();
    }

    JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    Follower follow(Api.User user) {
        Follower follower = Follower.follow(user, "");
        followers.add(follower);
        return follower;
    }

    /**
     * Presence transactions do not wait for their commit's flush (soft state), but only for
     * themselves: the pooled connections, the appends' included, stay synchronous after them.
     */
    @Test
    void presenceChangesLeaveThePooledConnectionsSynchronous() throws Exception {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        alice.submit(Events.createConversation(Events.newUuid(), "soft state", bob.uuid()));
        follow(alice);
        follow(bob);
        await().atMost(LIVE).until(() -> count("select count(*) from presence where user_uuid in (?, ?)", alice.id, bob.id) == 2);

        List<Connection> pool = new ArrayList<>();
        try {
            HikariPoolMXBean hikari = ((HikariDataSource) dataSource).getHikariPoolMXBean();
            while (hikari.getIdleConnections() > 0) { // each idle connection once; the busy ones are the server's
                pool.add(dataSource.getConnection());
            }
            assertThat(pool).as("pooled connections looked at").isNotEmpty();
            for (Connection connection : pool) {
                assertThat(new JdbcTemplate(new SingleConnectionDataSource(connection, true))
                        .queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
            }
        } finally {
            for (Connection connection : pool) {
                connection.close();
            }
        }
    }

    /**
     * Reaping a dead instance waits on its users' locks (here one held by the test): this
     * instance keeps heartbeating meanwhile, so it never looks dead itself. The dead instance's
     * heartbeat is older than this instance's expiry (1 s) but younger than the default one (20 s)
     * of other test servers in this JVM, so this instance is the one that reaps it.
     */
    @Test
    void reapingADeadInstanceThatWaitsOnALockDoesNotStopThisInstancesHeartbeat() throws Exception {
        UUID dead = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        try (Connection locker = dataSource.getConnection()) {
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement(Presence.LOCK_USER)) {
                lock.setLong(1, user.getMostSignificantBits() ^ user.getLeastSignificantBits());
                lock.execute();
            }
            jdbc().update("insert into instances (instance_uuid, heartbeat_at) values (?, now() - interval '3 seconds')", dead);
            jdbc().update("insert into presence (user_uuid, instance_uuid) values (?, ?)", user, dead);

            // The reaper took the dead instance's users and now waits for the lock the test holds.
            await().atMost(LIVE).until(() -> count("select count(*) from instances where instance_uuid = ?", dead) == 0);
            Timestamp stuckAt = heartbeat();
            await().alias("this instance's heartbeat while its reaper waits").atMost(LIVE)
                    .until(() -> heartbeat().after(stuckAt));
            Timestamp later = heartbeat();
            await().atMost(LIVE).until(() -> heartbeat().after(later));
            locker.rollback();
        } finally {
            jdbc().update("delete from instances where instance_uuid = ?", dead);
        }
    }

    /**
     * A user whose streams open and close in a burst (a phone flapping between networks) is
     * announced at most once per presence interval, and the last announcement is their state.
     */
    @Test
    void aUserFlappingBetweenOnlineAndOfflineIsAnnouncedAtMostOncePerIntervalEndingInTheirState() {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        alice.submit(Events.createConversation(Events.newUuid(), "flapping", bob.uuid()));
        Follower aliceLive = follow(alice);
        await().atMost(LIVE).until(aliceLive::caughtUp);

        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            Follower flap = follow(bob);
            await().atMost(LIVE).until(() -> hub.isOnline(bob.id));
            flap.cancel();
            await().atMost(LIVE).until(() -> !hub.isOnline(bob.id));
        }
        Follower last = follow(bob);
        await().atMost(LIVE).until(() -> hub.isOnline(bob.id));
        long flappedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

        await().atMost(LIVE).untilAsserted(() -> assertThat(connectedOf(aliceLive, bob)).isNotEmpty().last()
                .as("bob's last announced state").isEqualTo(true));
        // A publication per interval at most, over the flapping and the interval after it.
        long allowed = 2 + flappedMillis / INTERVAL.toMillis();
        assertThat(connectedOf(aliceLive, bob)).as("announcements of 41 changes in %d ms", flappedMillis)
                .hasSizeLessThanOrEqualTo((int) allowed);

        last.cancel();
        await().atMost(LIVE).untilAsserted(() -> assertThat(connectedOf(aliceLive, bob)).last().isEqualTo(false));
    }

    static List<Boolean> connectedOf(Follower follower, Api.User user) {
        return follower.ofKind(Event.ContentCase.USER_IS_CONNECTED).stream()
                .filter(e -> e.getUserIsConnected().getUserUuid().equals(user.uuid()))
                .map(e -> e.getUserIsConnected().getConnected()).toList();
    }

    Timestamp heartbeat() {
        return jdbc().queryForObject("select heartbeat_at from instances where instance_uuid = ?", Timestamp.class,
                presence.instance());
    }

    long count(String sql, Object... args) {
        return jdbc().queryForObject(sql, Long.class, args);
    }
}
