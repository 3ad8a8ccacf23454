package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/** The traps of DESIGN.md decision 1: stalled writers, rolled-back batches, positions without gaps. */
@ServerTest
@TestPropertySource(properties = "eventsync.store.lock-timeout=500ms")
class AppendFailureTest {

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;
    JdbcTemplate jdbc;

    @BeforeEach
    void connect() {
        api = new Api(port);
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Test
    void aWriterStalledOnThePositionLockGivesUpWithUnavailableAndStoresNothing() throws Exception {
        Api.User alice = api.newUser();
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "stall"));
        Event message = Events.send(conversation, "waits for the lock");

        try (Connection stalled = dataSource.getConnection()) {
            stalled.setAutoCommit(false);
            try (Statement statement = stalled.createStatement()) {
                statement.execute("update log_head set last_position = last_position"); // holds the position lock
            }
            assertThatThrownBy(() -> alice.submit(message))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            stalled.rollback();
        }

        EventResult resent = alice.submit(message);
        assertThat(resent.getAccepted().getDuplicate()).as("the first attempt wrote nothing").isFalse();
        assertThat(alice.feed()).extracting(Event::getUuid).containsOnlyOnce(message.getUuid());
        assertPositionsAreDense();
    }

    @Test
    void aCallFailingInTheDatabaseIsRolledBackWholeAndTakesNoPosition() {
        Api.User alice = api.newUser();
        String conversation = Events.newUuid();
        alice.submit(Events.createConversation(conversation, "rollback"));
        Event first = Events.send(conversation, "fine");
        Event poisoned = Events.send(conversation, "fails in the database");
        String poisonedLocalUuid = poisoned.getSendingNewMessage().getLocalUuid();
        jdbc.execute("""
                create function test_poison() returns trigger language plpgsql as $$
                begin
                    if new.local_uuid = '%s' then raise exception 'poisoned row'; end if;
                    return new;
                end $$""".formatted(poisonedLocalUuid));
        jdbc.execute("create trigger test_poison before insert on messages for each row execute function test_poison()");
        try {
            assertThatThrownBy(() -> alice.sync(first, poisoned))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            jdbc.execute("drop trigger test_poison on messages");
            jdbc.execute("drop function test_poison()");
        }

        assertThat(alice.feed()).extracting(Event::getUuid).doesNotContain(first.getUuid(), poisoned.getUuid());
        assertThat(alice.sync(first, poisoned).getResultsList())
                .allSatisfy(r -> assertThat(r.getAccepted().getDuplicate()).isFalse());
        assertPositionsAreDense();
    }

    /**
     * Positions are handed out 1, 2, 3, … with none lost to a failed or rolled-back batch, and
     * every feed row belongs to a stored event.
     */
    private void assertPositionsAreDense() {
        Long gaps = jdbc.queryForObject("select (select last_position from log_head) - count(*) from events", Long.class);
        assertThat(gaps).isZero();
        Long orphanFeedRows = jdbc.queryForObject(
                "select count(*) from feed f where not exists (select 1 from events e where e.position = f.position)", Long.class);
        assertThat(orphanFeedRows).isZero();
        // Still written for instances of the previous version during a rolling deploy (V3).
        Long feedRowsNamingAnotherEvent = jdbc.queryForObject(
                "select count(*) from feed f join events e on e.position = f.position where f.event_uuid <> e.event_uuid",
                Long.class);
        assertThat(feedRowsNamingAnotherEvent).isZero();
    }
}
