package dev.eventsync.media;

import dev.eventsync.config.DevelopmentMode;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Media is plain Java; this wires it with the configured limits and store. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MediaProperties.class)
class MediaConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MediaConfiguration.class);

    /** The S3 store when its bucket is set, else the filesystem store. Spring closes the S3 store's clients at shutdown. */
    @Bean
    BlobStore blobStore(MediaProperties properties, ObjectProvider<DevelopmentMode> developmentMode, DataSource dataSource) {
        MediaProperties.S3 s3 = properties.s3();
        if (s3.configured()) {
            log.info("media bytes are stored in S3 bucket {} at {} (eventsync.media.s3.*)", s3.bucket(),
                    s3.endpoint() == null ? "AWS S3 " + s3.region() : s3.endpoint());
            return S3BlobStore.connect(s3, dataSource);
        }
        Path root = root(properties, developmentMode.getIfAvailable());
        log.info("media bytes are stored under {} (eventsync.media.filesystem.root)", root.toAbsolutePath());
        return new FilesystemBlobStore(root);
    }

    static Path root(MediaProperties properties, DevelopmentMode developmentMode) {
        if (properties.filesystem().root() != null) {
            return properties.filesystem().root();
        }
        return developmentMode != null ? developmentMode.dataFolder().resolve(MediaProperties.DEVELOPMENT_ROOT)
                : MediaProperties.DEFAULT_ROOT;
    }

    @Bean
    MediaRules mediaRules(MediaProperties properties) {
        return new MediaRules(properties.maxSize().toBytes(), properties.maxIncompleteUploads(), properties.quotaBytes().toBytes());
    }

    @Bean
    MediaTable mediaTable(DataSource dataSource) {
        return new MediaTable(dataSource);
    }

    @Bean
    Uploads uploads(MediaRules rules, MediaTable table, BlobStore store) {
        return new Uploads(rules, table, store);
    }

    @Bean
    MediaAccess mediaAccess(MediaRules rules, MediaTable table, DataSource dataSource) {
        return new MediaAccess(rules, table, dataSource);
    }

    @Bean
    Downloads downloads(MediaRules rules, MediaAccess access, BlobStore store) {
        return new Downloads(rules, access, store);
    }

    /** Also the append path's {@link dev.eventsync.store.MediaEraser}: a deleted message's media is erased right after its commit. */
    @Bean
    MediaLifecycle mediaLifecycle(DataSource dataSource, BlobStore store, MediaProperties properties, MeterRegistry meters) {
        return new MediaLifecycle(dataSource, store, properties, new MediaMetrics(meters), Clock.systemUTC());
    }
}
