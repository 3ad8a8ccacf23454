package dev.eventsync.media;

import dev.eventsync.support.S3Server;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 store's contract against MinIO, where Docker runs (GitHub CI; skipped where it does
 * not, as on the development machine): the same store as against S3Proxy, on a second S3
 * implementation that enforces S3's rules (5 MiB parts) as AWS does.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioBlobStoreTest extends BlobStoreContract {

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z")
            .withUserName(S3Server.ACCESS_KEY).withPassword(S3Server.SECRET_KEY);

    final URI endpoint = URI.create(MINIO.getS3URL());
    final S3Client client = S3Client.builder().endpointOverride(endpoint).region(Region.of(S3Server.REGION)).forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
            .build();
    final String bucket = newBucket();
    final S3BlobStore store;
    final S3BlobStore other;

    MinioBlobStoreTest() {
        // the store's credentials come from the default chain, as an operator's
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
        store = S3BlobStoreTest.connect(endpoint, bucket);
        other = S3BlobStoreTest.connect(endpoint, bucket);
    }

    private String newBucket() {
        String name = "media-" + UUID.randomUUID().toString().substring(0, 13);
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    @AfterEach
    void close() {
        store.close();
        other.close();
        client.close();
    }

    @Override
    BlobStore store() {
        return store;
    }

    @Override
    BlobStore otherServer() {
        return other;
    }

    @Override
    boolean holdsAnything(UUID media) {
        return !client.listObjectsV2(b -> b.bucket(bucket).prefix("incomplete/" + media + "/")).contents().isEmpty()
                || !client.listObjectsV2(b -> b.bucket(bucket).prefix(S3BlobStore.completeKey(media))).contents().isEmpty();
    }
}
