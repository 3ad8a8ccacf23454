package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A server stopped and started again on the same database and media folder keeps every committed byte of an upload. */
class MediaRestartTest {

    static final int MIB = 1024 * 1024;

    @Test
    void anUploadResumesAfterARestartFromItsCommittedBytesAndBytesPastThemAreNotTrusted() throws Exception {
        UUID alice = UUID.randomUUID();
        byte[] file = Media.file(6 * MIB, 21);
        String media = Events.newUuid();

        ConfigurableApplicationContext first = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(first))) {
            MediaStatus partial = Media.upload(api.user(alice), Media.start(media, file, 0), Media.chunks(file, 0, 5 * MIB, 512 * 1024));
            assertThat(partial.getCommittedBytes()).isEqualTo(5 * MIB);
        } finally {
            first.close();
        }
        // As if a crash came after bytes were written but before they were recorded: they must not count.
        Path part = Path.of(Servers.MEDIA_ROOT, "incomplete", media + ".part");
        Files.write(part, new byte[100_000], StandardOpenOption.APPEND);

        ConfigurableApplicationContext second = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(second))) {
            Api.User user = api.user(alice);
            assertThat(Media.status(user, media).getCommittedBytes()).isEqualTo(5 * MIB);
            MediaStatus done = Media.upload(user, Media.start(media, file, 5 * MIB), Media.chunks(file, 5 * MIB, file.length, 512 * 1024));
            assertThat(done.getComplete()).isTrue();
            byte[] downloaded = Media.bytes(Media.download(user, media, 0));
            assertThat(Media.sha256(downloaded)).isEqualTo(Media.sha256(file));
            assertThat(downloaded).isEqualTo(file);
        } finally {
            second.close();
        }
    }
}
