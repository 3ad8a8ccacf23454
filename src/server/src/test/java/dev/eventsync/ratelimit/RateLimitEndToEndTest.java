package dev.eventsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.rpc.RetryInfo;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventResult;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Per-user rate limits over a real port, with limits small enough to hit in a test: 20 events at
 * once then 2 per second; 3 SyncFromServer calls at once then one every 2 s. The refill is slow so
 * that a loaded machine cannot refill a bucket between two calls of a test.
 */
@ServerTest
@TestPropertySource(properties = {
        "eventsync.rate-limit.sync-events-per-second=2",
        "eventsync.rate-limit.sync-events-burst=20",
        "eventsync.rate-limit.stream-opens-per-second=0.5",
        "eventsync.rate-limit.stream-opens-burst=3"
})
class RateLimitEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @LocalGrpcServerPort
    int port;

    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void close() throws InterruptedException {
        api.close();
    }

    @Test
    void eventsOverTheLimitFailTheWholeCallWithRetryInfoStoreNothingAndPassAfterTheDelay() {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        String conversation = Events.newUuid();
        List<Event> burst = new ArrayList<>(List.of(Events.createConversation(conversation, "limits", bob.uuid())));
        for (int i = 0; i < 19; i++) {
            burst.add(Events.send(conversation, "within " + i));
        }
        assertAccepted(alice.sync(burst.toArray(Event[]::new)), 20, false);

        Event[] over = {Events.send(conversation, "over 0"), Events.send(conversation, "over 1"),
                Events.send(conversation, "over 2"), Events.send(conversation, "over 3")};
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, () -> alice.sync(over));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription()).contains("rate limit", "nothing of this call was done");
        // 4 events at 2 per second: at most 2 s from the burst's call on.
        assertThat(retryDelay(refused)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(texts(bob.feed())).as("nothing of the refused call stored").hasSize(19).noneMatch(t -> t.startsWith("over"));

        Api.User carol = api.newUser();
        assertAccepted(carol.sync(Events.createConversation(Events.newUuid(), "unaffected", bob.uuid())), 1, false);

        // Refused tries take nothing, so trying until it passes ends once the delay has gone by.
        SubmitEventOutput resent = await().atMost(WAIT).ignoreExceptionsMatching(RateLimitEndToEndTest::rateLimited)
                .until(() -> alice.sync(over), output -> true);
        assertAccepted(resent, 4, false);
        assertThat(texts(bob.feed())).hasSize(23).endsWith("over 0", "over 1", "over 2", "over 3");
    }

    @Test
    void streamOpensOverTheLimitAreRefusedWithRetryInfoAndOtherUsersStillRead() {
        Api.User dave = api.newUser();
        for (int i = 0; i < 3; i++) {
            assertThat(dave.feed()).isEmpty();
        }
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, dave::feed);
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(retryDelay(refused)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));

        Api.User erin = api.newUser();
        assertThat(erin.feed()).isEmpty();

        List<Event> read = await().atMost(WAIT).ignoreExceptionsMatching(RateLimitEndToEndTest::rateLimited)
                .until(dave::feed, feed -> true);
        assertThat(read).isEmpty();
    }

    static boolean rateLimited(Throwable e) {
        return Status.fromThrowable(e).getCode() == Status.Code.RESOURCE_EXHAUSTED && retryDelay(e) != null;
    }

    /** The RetryInfo of a failure, or null. */
    static Duration retryDelay(Throwable failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            return null;
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    return Duration.ofNanos(Durations.toNanos(detail.unpack(RetryInfo.class).getRetryDelay()));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return null;
    }

    static void assertAccepted(SubmitEventOutput output, int count, boolean duplicate) {
        assertThat(output.getResultsList()).hasSize(count).allMatch(EventResult::hasAccepted)
                .allMatch(r -> r.getAccepted().getDuplicate() == duplicate);
    }

    static List<String> texts(List<Event> feed) {
        return feed.stream().filter(Event::hasNewMessage).map(e -> e.getNewMessage().getMessage().getText()).toList();
    }
}
