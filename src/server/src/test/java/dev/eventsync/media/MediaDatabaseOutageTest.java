package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.support.Api;
import dev.eventsync.support.ControlledPostgres;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.Servers;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** With its database gone, every MediaService call is UNAVAILABLE (retry), as every other RPC: never INTERNAL. */
class MediaDatabaseOutageTest {

    @TempDir
    Path dir;

    @Test
    void everyMediaCallIsUnavailableWhileTheDatabaseIsUnreachable() throws Exception {
        byte[] file = Media.file(64 * 1024, 22);
        String complete = Events.newUuid();
        String partial = Events.newUuid();
        ControlledPostgres postgres = ControlledPostgres.start(dir.resolve("postgres"));
        ConfigurableApplicationContext server = null;
        try {
            server = Servers.start(Servers.onDatabase(postgres.connection()));
            try (Api api = new Api(Servers.port(server))) {
                Api.User alice = api.newUser();
                Media.uploadWhole(alice, complete, file);
                Media.upload(alice, Media.start(partial, file, 0), Media.chunks(file, 0, 1024, 1024));

                postgres.close();

                unavailable(() -> Media.status(alice, partial));
                unavailable(() -> Media.upload(alice, Media.start(partial, file, 1024), Media.chunks(file, 1024, file.length, 1024)));
                unavailable(() -> Media.uploadWhole(alice, Events.newUuid(), file));
                unavailable(() -> Media.download(alice, complete, 0));
            }
        } finally {
            if (server != null) {
                server.close();
            }
            postgres.close();
        }
    }

    private static void unavailable(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE));
    }

}
