package dev.eventsync.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Media;
import dev.eventsync.support.S3Server;
import dev.eventsync.support.Servers;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Servers on one database and one bucket: an upload resumes after a restart from its committed
 * bytes, and on another instance while the first still runs (the bytes are in the bucket, the
 * hold in PostgreSQL), so with S3 a user's uploads need not stay on one instance.
 */
class S3MediaRestartTest {

    static final int MIB = 1024 * 1024;

    final String bucket = S3Server.get().newBucket();

    Map<String, Object> properties() {
        Map<String, Object> properties = new HashMap<>(S3Server.get().properties(bucket));
        properties.put("eventsync.media.max-size", "30MB");
        return properties;
    }

    @Test
    void aBucketThatCannotBeReachedFailsStartupNamingWhatToSet() {
        Map<String, Object> properties = properties();
        properties.put("eventsync.media.s3.bucket", "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8));
        assertThatThrownBy(() -> Servers.startOnTestDatabase(properties).close())
                .hasStackTraceContaining("the media bucket no-such-bucket-").hasStackTraceContaining("check eventsync.media.s3.bucket");
    }

    @Test
    void anUploadResumesAfterARestartAndThenOnAnotherInstanceAndDownloadsByteExactFromEither() throws Exception {
        UUID alice = UUID.randomUUID();
        byte[] file = Media.file(14 * MIB + 1, 61);
        String media = Events.newUuid();

        ConfigurableApplicationContext first = Servers.startOnTestDatabase(properties());
        try (Api api = new Api(Servers.port(first))) {
            MediaStatus partial = Media.upload(api.user(alice), Media.start(media, file, 0), Media.chunks(file, 0, 5 * MIB, 512 * 1024));
            assertThat(partial.getCommittedBytes()).isEqualTo(5 * MIB);
        } finally {
            first.close();
        }

        ConfigurableApplicationContext second = Servers.startOnTestDatabase(properties());
        ConfigurableApplicationContext third = Servers.startOnTestDatabase(properties());
        try (Api secondApi = new Api(Servers.port(second)); Api thirdApi = new Api(Servers.port(third))) {
            Api.User onSecond = secondApi.user(alice);
            assertThat(Media.status(onSecond, media).getCommittedBytes()).isEqualTo(5 * MIB);
            MediaStatus more = Media.upload(onSecond, Media.start(media, file, 5 * MIB), Media.chunks(file, 5 * MIB, 11 * MIB, 512 * 1024));
            assertThat(more.getCommittedBytes()).isEqualTo(11 * MIB);

            Api.User onThird = thirdApi.user(alice);
            MediaStatus done = Media.upload(onThird, Media.start(media, file, 11 * MIB), Media.chunks(file, 11 * MIB, file.length, 512 * 1024));
            assertThat(done.getComplete()).isTrue();
            assertThat(Media.bytes(Media.download(onSecond, media, 0))).isEqualTo(file);
            assertThat(Media.bytes(Media.download(onThird, media, 3 * MIB))).isEqualTo(java.util.Arrays.copyOfRange(file, 3 * MIB, file.length));
        } finally {
            second.close();
            third.close();
        }
    }
}
