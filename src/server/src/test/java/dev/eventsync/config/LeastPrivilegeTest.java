package dev.eventsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.eventsync.proto.v1.DeletePusherRequest;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.ListPushersRequest;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Follower;
import dev.eventsync.support.Media;
import dev.eventsync.support.Servers;
import dev.eventsync.support.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The server as the least-privilege role of db/roles.sql, with the schema migrated by the owner
 * role, on a database of its own: everything the server does works, and the log's history is out
 * of the role's reach (no UPDATE, DELETE, TRUNCATE, nor the triggers, which only an owner or a
 * superuser could disable).
 */
class LeastPrivilegeTest {

    static final String OWNER = "eventsync_owner";
    static final String APP = "eventsync_app";
    static final String OWNER_PASSWORD = "owner-password-for-tests";
    static final String APP_PASSWORD = "app-password-for-tests";
    static final List<String> LOG = List.of("events", "feed", "event_ids");
    /** Port 1 on loopback: nothing listens, the connection is refused (a retry), nothing leaves the machine. */
    static final String UNREACHABLE_GATEWAY = "http://127.0.0.1:1/_matrix/push/v1/notify";

    final String database = "least_privilege_" + UUID.randomUUID().toString().replace("-", "");
    String url;

    @BeforeEach
    void createTheRolesOnADatabaseOfItsOwn() throws Exception {
        JdbcTemplate admin = new JdbcTemplate(dataSource(TestDatabase.get().url(), TestDatabase.get().username(),
                TestDatabase.get().password()));
        assumeThat(admin.queryForObject("select rolsuper from pg_roles where rolname = current_user", Boolean.class))
                .as("creating roles needs a superuser test database").isTrue();
        admin.execute("create database " + database);
        url = TestDatabase.urlOf(database);
        String roles = Files.readString(Path.of("../../db/roles.sql")) // psql's :'name' variables, as psql -v would set them
                .replace(":'owner_password'", "'" + OWNER_PASSWORD + "'")
                .replace(":'app_password'", "'" + APP_PASSWORD + "'");
        superuserOnOwnDatabase().execute(roles);
    }

    @AfterEach
    void dropTheDatabase() {
        if (url != null) {
            new JdbcTemplate(dataSource(TestDatabase.get().url(), TestDatabase.get().username(), TestDatabase.get().password()))
                    .execute("drop database " + database + " with (force)");
        }
    }

    @Test
    void afterMigrateAsTheOwnerTheServerRunsAsTheAppRoleAndCannotRewriteTheLog() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MigrateCommand.run(arguments(Map.of(
                "spring.datasource.url", url, "spring.datasource.username", OWNER, "spring.datasource.password", OWNER_PASSWORD)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("migrate's exit code; stderr: " + err).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("schema migrated: version ");

        everyKindOfWriteAndReadWorksAsTheAppRole(Map.of());

        JdbcTemplate app = new JdbcTemplate(dataSource(url, APP, APP_PASSWORD));
        for (String table : LOG) {
            assertThat(app.queryForObject("select count(*) from " + table, Long.class)).as(table).isPositive();
            refused(() -> app.update("update " + table + " set event_uuid = event_uuid"), "permission denied for table " + table);
            refused(() -> app.update("delete from " + table), "permission denied for table " + table);
            refused(() -> app.execute("truncate " + table), "permission denied for table " + table);
            refused(() -> app.execute("alter table " + table + " disable trigger user"), "must be owner of table " + table);
        }
        refused(() -> app.execute("create table history_copy (position bigint)"), "permission denied for schema public");
        refused(() -> app.execute("set session_replication_role = replica"), "permission denied to set parameter");
        assertThat(app.queryForObject("""
                select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles where rolname = current_user""",
                Boolean.class)).as("superuser or another power").isFalse();
        assertThat(app.queryForList("select tableowner from pg_tables where schemaname = 'public'", String.class))
                .as("owners of the tables").containsOnly(OWNER);
    }

    @Test
    void givenTheOwnerAsFlywayUserTheServerMigratesAtStartupAndRunsAsTheAppRole() throws Exception {
        everyKindOfWriteAndReadWorksAsTheAppRole(Map.of("spring.flyway.user", OWNER, "spring.flyway.password", OWNER_PASSWORD));
        assertThat(new JdbcTemplate(dataSource(url, APP, APP_PASSWORD))
                .queryForList("select tableowner from pg_tables where schemaname = 'public'", String.class))
                .as("owners of the tables").containsOnly(OWNER);
    }

    @Test
    void asTheAppRoleOnAnUnmigratedDatabaseTheServerRefusesToStartAndSaysHowToMigrate() {
        assertThatThrownBy(() -> Servers.start(asAppRole(Map.of())).close())
                .rootCause()
                .hasMessageContaining("may not change the schema")
                .hasMessageContaining("(" + APP + ")")
                .hasMessageContaining("java -jar eventsync.jar migrate")
                .hasMessageContaining("SPRING_FLYWAY_USER/PASSWORD");
    }

    @Test
    void migrateWithoutADatabaseSaysWhatToSet() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MigrateCommand.run(new String[0], new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("SPRING_DATASOURCE_URL");
    }

    /** PostgreSQL refused the statement for want of a privilege (SQLSTATE 42501), with this message. */
    private static void refused(Runnable statement, String message) {
        assertThatThrownBy(statement::run).rootCause().isInstanceOf(SQLException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("SQLSTATE").isEqualTo("42501"));
    }

    /**
     * A server as the app role (with these properties too) writes each projection, presence, push
     * and media table, through the public API, and reads its feeds.
     */
    private void everyKindOfWriteAndReadWorksAsTheAppRole(Map<String, Object> extra) throws Exception {
        ConfigurableApplicationContext server = Servers.start(asAppRole(extra));
        try (Api api = new Api(Servers.port(server))) {
            assertThat(new JdbcTemplate(server.getBean(DataSource.class)).queryForObject("select current_user", String.class))
                    .isEqualTo(APP);
            Api.User alice = api.newUser();
            Api.User bob = api.newUser();
            Follower bobFollows = Follower.follow(bob, ""); // presence rows
            String conversation = Events.newUuid();
            List<Event> events = List.of(
                    Events.createConversation(conversation, "least privilege", bob.uuid()),
                    Events.rename(conversation, "renamed"),
                    Events.displayName("Alice"),
                    Events.send(conversation, "hello"),
                    Events.removeMember(conversation, bob.uuid()));
            for (Event event : events) {
                EventResult result = alice.submit(event);
                assertThat(result.hasAccepted()).as(event.getContentCase() + ": " + result).isTrue();
            }
            assertThat(alice.feed()).extracting(Event::getUuid).containsAll(events.stream().map(Event::getUuid).toList());
            await().atMost(Duration.ofSeconds(30)).until(() -> bobFollows.storedUuids().contains(events.get(4).getUuid()));
            // push registrations: changed and removed in place
            Pusher pusher = Pusher.newBuilder().setAppId("app").setPushkey("key")
                    .setGatewayUrl("https://push.example.com/_matrix/push/v1/notify").build();
            alice.pushStub().setPusher(pusher);
            bob.pushStub().setPusher(pusher); // moves to bob
            assertThat(bob.pushStub().listPushers(ListPushersRequest.getDefaultInstance()).getPushersCount()).isEqualTo(1);
            bob.pushStub().deletePusher(DeletePusherRequest.newBuilder().setAppId("app").setPushkey("key").build());
            // the notifier: its position moves, and a gateway that refuses connections queues a retry
            Api.User carol = api.newUser();
            carol.pushStub().setPusher(pusher.toBuilder().setGatewayUrl(UNREACHABLE_GATEWAY).build());
            String withCarol = Events.newUuid();
            assertThat(alice.submit(Events.createConversation(withCarol, "push", carol.uuid())).hasAccepted()).isTrue();
            assertThat(alice.submit(Events.send(withCarol, "to carol's phone")).hasAccepted()).isTrue();
            JdbcTemplate asApp = new JdbcTemplate(server.getBean(DataSource.class));
            await().atMost(Duration.ofSeconds(30)).until(() -> asApp.queryForObject(
                    "select (select position from push_position) = (select last_position from log_head)"
                            + " and exists (select 1 from push_retries where user_uuid = ?::uuid)", Boolean.class, carol.uuid()));
            // media: a row inserted, its committed bytes updated, completed, and a failed upload's row deleted
            byte[] file = Media.file(5 * 1024 * 1024, 1);
            String picture = Events.newUuid();
            assertThat(Media.upload(alice, Media.start(picture, file, 0), Media.chunks(file, 0, 1024 * 1024, 256 * 1024))
                    .getCommittedBytes()).isEqualTo(1024 * 1024);
            assertThat(Media.upload(alice, Media.start(picture, file, 1024 * 1024), Media.chunks(file, 1024 * 1024, file.length, 256 * 1024))
                    .getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(alice, picture, 0))).isEqualTo(file);
            String corrupt = Events.newUuid();
            assertThatThrownBy(() -> Media.upload(alice, Media.start(corrupt, file, 0), Media.chunks(new byte[file.length], 0, file.length, 1024 * 1024)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS));
            assertThat(new JdbcTemplate(dataSource(url, APP, APP_PASSWORD)).queryForObject(
                    "select count(*) from media where media_uuid = ?::uuid", Long.class, corrupt)).isZero();
        } finally {
            server.close();
        }
    }

    private Map<String, Object> asAppRole(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(Servers.testDatabase());
        properties.put("spring.datasource.url", url);
        properties.put("spring.datasource.username", APP);
        properties.put("spring.datasource.password", APP_PASSWORD);
        properties.put("eventsync.push.allowed-gateways", "https://push.example.com/," + UNREACHABLE_GATEWAY);
        properties.putAll(extra);
        return properties;
    }

    private static String[] arguments(Map<String, String> properties) {
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private JdbcTemplate superuserOnOwnDatabase() {
        return new JdbcTemplate(dataSource(url, TestDatabase.get().username(), TestDatabase.get().password()));
    }

    /** The test database's URL for another database on the same server, without its parameters (a user=). */
    /** A connection per statement, closed after it: nothing left open on the database dropped after the test. */
    private static DataSource dataSource(String url, String username, String password) {
        return new DriverManagerDataSource(url, username, password == null ? "" : password);
    }
}
