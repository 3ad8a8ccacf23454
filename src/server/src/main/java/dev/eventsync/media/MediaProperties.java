package dev.eventsync.media;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Media ({@code eventsync.media.*}; API.md v1.1, MediaService).
 *
 * @param maxSize              a file's size at most; a larger upload is RESOURCE_EXHAUSTED before any byte is kept
 * @param maxIncompleteUploads a user's uploads not complete yet, at most; one more is RESOURCE_EXHAUSTED,
 *                             so a client cannot fill the store with abandoned parts
 * @param quotaBytes           a user's media at most, complete and incomplete (declared sizes); an upload
 *                             that would pass it is RESOURCE_EXHAUSTED before any byte is kept
 * @param incompleteTtl        an upload that has not moved for this long is erased
 * @param unreferencedTtl      a complete media that no event references this long after its upload is erased
 * @param cleanupInterval      how often the lifecycle job looks for media to erase
 * @param filesystem           the filesystem store (the default)
 * @param s3                   the S3 store, used instead when its bucket is set
 */
@ConfigurationProperties("eventsync.media")
public record MediaProperties(
        @DefaultValue("100MB") DataSize maxSize,
        @DefaultValue("20") int maxIncompleteUploads,
        @DefaultValue("10GB") DataSize quotaBytes,
        @DefaultValue("24h") Duration incompleteTtl,
        @DefaultValue("7d") Duration unreferencedTtl,
        @DefaultValue("10m") Duration cleanupInterval,
        @DefaultValue Filesystem filesystem,
        @DefaultValue S3 s3) {

    /** Outside development mode, and unless set: the image's volume, the conventional place of a service's state. */
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/eventsync/media");
    /** Under the development data folder ({@code .eventsync}), beside the embedded database. */
    public static final String DEVELOPMENT_ROOT = "media";

    public MediaProperties {
        if (maxSize.toBytes() < 1) {
            throw new IllegalArgumentException("eventsync.media.max-size must be positive, is " + maxSize);
        }
        if (quotaBytes.toBytes() < maxSize.toBytes()) {
            throw new IllegalArgumentException("eventsync.media.quota-bytes must be at least max-size (" + maxSize + "), is " + quotaBytes);
        }
        for (Duration d : new Duration[] {incompleteTtl, unreferencedTtl, cleanupInterval}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("eventsync.media.incomplete-ttl, unreferenced-ttl and cleanup-interval must be positive, are "
                        + incompleteTtl + ", " + unreferencedTtl + ", " + cleanupInterval);
            }
        }
        if (maxIncompleteUploads < 1) {
            throw new IllegalArgumentException("eventsync.media.max-incomplete-uploads must be at least 1, is " + maxIncompleteUploads);
        }
    }

    /**
     * @param root where the bytes live: {@code incomplete/} and {@code complete/} under it; null
     *             for the default ({@link #DEVELOPMENT_ROOT} under the development data folder,
     *             else {@link #DEFAULT_ROOT})
     */
    public record Filesystem(Path root) {}

    /**
     * An S3-compatible object store (AWS S3, MinIO, Ceph, R2…); credentials come from the AWS
     * SDK's default chain (environment, system properties, profile, container or instance role),
     * never from here.
     *
     * @param endpoint  the store's URL; null for AWS S3 of the region
     * @param bucket    the bucket; set, it chooses this store
     * @param region    the signing region (S3-compatible stores mostly accept any)
     * @param pathStyle bucket in the path ({@code endpoint/bucket/key}) rather than the host name:
     *                  what MinIO and most self-hosted stores need
     * @param urlTtl    how long a GetMediaUrl URL is valid (SigV4 allows up to 7 days)
     * @param maxConnections HTTP connections to the store, at most: each download in progress
     *                  holds one while it streams, each upload one per request
     */
    public record S3(URI endpoint, String bucket, @DefaultValue("us-east-1") String region,
                     @DefaultValue("false") boolean pathStyle, @DefaultValue("5m") Duration urlTtl,
                     @DefaultValue("200") int maxConnections) {

        public S3 {
            if (urlTtl.isNegative() || urlTtl.isZero() || urlTtl.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("eventsync.media.s3.url-ttl must be positive and at most 7d (SigV4), is " + urlTtl);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("eventsync.media.s3.max-connections must be at least 1, is " + maxConnections);
            }
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("eventsync.media.s3.region must be set (us-east-1 by default)");
            }
        }

        /** Whether this store is chosen. */
        public boolean configured() {
            return bucket != null && !bucket.isBlank();
        }
    }
}
