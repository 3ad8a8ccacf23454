package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.events.Decider;
import dev.eventsync.events.Limits;
import dev.eventsync.events.Reason;
import dev.eventsync.events.Result;
import dev.eventsync.events.Submission;
import dev.eventsync.events.Submissions;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.PositionLock;
import dev.eventsync.support.ServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The appender's writer lanes: a call goes to the lane of its first conversation, and two lanes'
 * batches are read, decided and written at once, meeting only at the position lock, so positions
 * stay dense and in commit order.
 */
@ServerTest
class AppendLanesTest {

    static final int LANES = 2;

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    Api api;
    JdbcTemplate jdbc;
    Appender appender;
    final Submissions submissions = new Submissions(Limits.defaults());

    @BeforeEach
    void start() {
        api = new Api(port);
        jdbc = new JdbcTemplate(dataSource);
        appender = new Appender(dataSource, new Decider(Limits.defaults()), StoreProperties.of(2000, 100, Duration.ofSeconds(5)).withWriters(LANES),
                new SimpleMeterRegistry());
        appender.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        appender.stop();
        api.close();
    }

    @Test
    void aCallGoesToTheLaneOfItsFirstConversationOrOfItsCaller() {
        UUID caller = UUID.randomUUID();
        String first = Events.newUuid();
        List<Submission> call = submissions.parseCall(List.of(Events.send(first, "a"), Events.send(Events.newUuid(), "b")));
        assertThat(Appender.laneKey(caller, call)).isEqualTo(UUID.fromString(first));
        String created = Events.newUuid();
        assertThat(Appender.laneKey(caller, submissions.parseCall(List.of(Events.createConversation(created, "c")))))
                .isEqualTo(UUID.fromString(created));
        assertThat(Appender.laneKey(caller, submissions.parseCall(List.of(Events.displayName("me"))))).isEqualTo(caller);
    }

    @Test
    void twoLanesDecideAndWriteTheirBatchesAtOnceAndCommitInPositionOrder() throws Exception {
        Api.User alice = api.newUser();
        String first = conversationInLane(alice, 0);
        String second = conversationInLane(alice, 1);
        long before = lastPosition();
        CompletableFuture<List<Result>> one;
        CompletableFuture<List<Result>> two;
        Event inFirst = Events.send(first, "lane 0");
        Event inSecond = Events.send(second, "lane 1");
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            one = submit(alice, inFirst);
            // Both batches have done everything but the position lock: their lanes wait there together.
            PositionLock.awaitWaiters(jdbc, 1);
            two = submit(alice, inSecond);
            PositionLock.awaitWaiters(jdbc, 2);
            assertThat(one).isNotDone();
            assertThat(two).isNotDone();
            lock.release();
        }
        assertThat(one.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
        assertThat(two.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
        List<String> appended = jdbc.queryForList("select event_uuid::text from events where position > ? order by position",
                String.class, before);
        assertThat(appended).containsExactlyInAnyOrder(inFirst.getUuid(), inSecond.getUuid());
        // Each lane's commit made its position visible before the other lane took the lock: no gap.
        assertThat(lastPosition() - before).isEqualTo(2);
        assertThat(alice.feed()).extracting(Event::getUuid).containsSubsequence(appended);
    }

    @Test
    void aLaneWaitingForTheLockDoesNotHoldUpTheOtherLanesConversations() throws Exception {
        Api.User alice = api.newUser();
        String first = conversationInLane(alice, 0);
        String second = conversationInLane(alice, 1);
        // A row lock of the first conversation held elsewhere stalls only its lane.
        try (var connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (var lock = connection.prepareStatement(
                    "select 1 from conversations where conversation_uuid = ?::uuid for no key update")) {
                lock.setString(1, first);
                lock.executeQuery().close();
            }
            CompletableFuture<List<Result>> stalled = submit(alice, Events.send(first, "waits for its conversation"));
            PositionLock.awaitWaiters(jdbc, 1);
            List<Result> other = submit(alice, Events.send(second, "the other lane goes on")).get(10, TimeUnit.SECONDS);
            assertThat(other.get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(stalled).isNotDone();
            connection.rollback();
            assertThat(stalled.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
        }
    }

    @Test
    void aBlockAndAnAddOfTheBlockedUserInTwoLanesAreDecidedOneAfterTheOther() throws Exception {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        // bob's conversation is in the other lane than alice's block (which goes by its caller).
        String bobs = conversationInLane(bob, 1 - Appender.laneOf(alice.id, LANES));
        Event block = Events.block(bob.uuid(), true);
        try (PositionLock lock = PositionLock.hold(dataSource)) {
            CompletableFuture<List<Result>> blocked = submit(alice, block);
            PositionLock.awaitWaiters(jdbc, 1); // decided and written, waiting for its positions
            CompletableFuture<List<Result>> added = submit(bob, Events.addMember(bobs, alice.uuid()));
            PositionLock.awaitWaiters(jdbc, 2); // waits for the block's commit before it reads the blocks
            lock.release();
            assertThat(blocked.get(10, TimeUnit.SECONDS).get(0)).isInstanceOf(Result.Accepted.class);
            assertThat(added.get(10, TimeUnit.SECONDS).get(0)).isInstanceOfSatisfying(Result.Refused.class,
                    refused -> assertThat(refused.rejection().reason()).isEqualTo(Reason.FORBIDDEN));
        }
    }

    private String conversationInLane(Api.User creator, int lane) {
        while (true) {
            String conversation = Events.newUuid();
            if (Appender.laneOf(UUID.fromString(conversation), LANES) == lane) {
                assertThat(creator.submit(Events.createConversation(conversation, "lane " + lane)).hasAccepted()).isTrue();
                return conversation;
            }
        }
    }

    private CompletableFuture<List<Result>> submit(Api.User user, Event event) {
        return appender.submit(user.id, submissions.parseCall(List.of(event)), event.getSerializedSize());
    }

    private long lastPosition() {
        return jdbc.queryForObject("select last_position from log_head", Long.class);
    }
}
