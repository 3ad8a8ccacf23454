package dev.eventsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.SubmitEventOutput;
import dev.eventsync.proto.v1.SyncRequest;
import dev.eventsync.support.Api;
import dev.eventsync.support.ServerTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;

/** The README's quick start, call for call: the same JSON bodies, over a real port. */
@ServerTest
class QuickStartTest {

    @LocalGrpcServerPort
    int port;

    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        api.close();
    }

    @Test
    void readmeExampleCreatesAConversationAndReadsItBack() throws Exception {
        Api.User alice = api.newUser();
        Api.User bob = api.newUser();
        String conversation = java.util.UUID.randomUUID().toString();
        String createEvent = java.util.UUID.randomUUID().toString();
        String sendEvent = java.util.UUID.randomUUID().toString();
        String json = """
                {"events": [
                  {"uuid": "%s", "conversationCreated": {"conversationUuid": "%s", "name": "Lunch", "memberUuids": ["%s"]}},
                  {"uuid": "%s", "sendingNewMessage": {"localUuid": "%s", "message": {"conversationUuid": "%s", "text": "Noon?"}}}
                ]}""".formatted(createEvent, conversation, bob.uuid(), sendEvent, java.util.UUID.randomUUID(), conversation);
        SyncRequest.Builder request = SyncRequest.newBuilder();
        JsonFormat.parser().merge(json, request);

        SubmitEventOutput output = alice.stub().sync(request.build());

        assertThat(output.getResultsList()).allSatisfy(r -> assertThat(r.hasAccepted()).isTrue());
        List<Event> bobsFeed = bob.feed();
        assertThat(bobsFeed).extracting(Event::getUuid).containsExactly(createEvent, sendEvent);
        assertThat(bobsFeed.get(0).getConversationCreated().getMemberUuidsList())
                .containsExactlyInAnyOrder(alice.uuid(), bob.uuid());
        assertThat(bobsFeed.get(1).getNewMessage().getMessage().getText()).isEqualTo("Noon?");
        assertThat(bobsFeed.get(1).getAuthorUuid()).isEqualTo(alice.uuid());
    }
}
