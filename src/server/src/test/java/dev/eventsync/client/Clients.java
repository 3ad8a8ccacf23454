package dev.eventsync.client;

import dev.eventsync.auth.Tokens;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import dev.eventsync.support.Api;
import dev.eventsync.support.Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.ConfigurableApplicationContext;

/** Test clients with fast retries, and servers on a fixed port so a client can outlive one. */
final class Clients {

    private Clients() {}

    static String token(UUID user) {
        return Tokens.mint(Api.SECRET, user, Duration.ofHours(1), Instant.now());
    }

    /** A client builder for this user on this port, retrying quickly (tests wait seconds, not minutes). */
    static EventsyncClient.Builder builder(int port, Path database, UUID user) {
        return EventsyncClient.builder("127.0.0.1:" + port, database)
                .plaintext(true)
                .token(token(user))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    /** A port nothing listens on (now). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A whole server on the shared test database, on exactly this gRPC port. */
    static ConfigurableApplicationContext serverOn(int port) {
        Map<String, Object> properties = Servers.testDatabase();
        properties.put("spring.grpc.server.port", String.valueOf(port));
        properties.put("spring.grpc.server.shutdown.grace-period", "1s");
        return Servers.run(properties);
    }

    /** Records every result, cursor reset and applied snapshot (its cursor) the client reports. */
    static final class Recorder implements ClientListener {
        final List<Event> accepted = new CopyOnWriteArrayList<>();
        final List<Accepted> acceptances = new CopyOnWriteArrayList<>();
        final List<Event> rejected = new CopyOnWriteArrayList<>();
        final List<Rejected> rejections = new CopyOnWriteArrayList<>();
        final List<String> cursorResets = new CopyOnWriteArrayList<>();
        final List<String> snapshots = new CopyOnWriteArrayList<>();

        @Override
        public void accepted(Event event, Accepted result) {
            accepted.add(event);
            acceptances.add(result);
        }

        @Override
        public void rejected(Event event, Rejected result) {
            rejected.add(event);
            rejections.add(result);
        }

        @Override
        public void cursorReset(String detail) {
            cursorResets.add(detail);
        }

        @Override
        public void snapshotApplied(String cursor, int conversations) {
            snapshots.add(cursor);
        }
    }
}
