package dev.eventsync.support;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 protocol server inside the test JVM (S3Proxy over HTTP on a free port, its objects in
 * memory), one per JVM, for the S3 media store. The servers under test find its credentials as an
 * operator's would, through the AWS default chain (the {@code aws.accessKeyId} and
 * {@code aws.secretAccessKey} system properties, which that chain reads first).
 */
public final class S3Server {

    public static final String ACCESS_KEY = "eventsync-test";
    public static final String SECRET_KEY = "eventsync-test-secret";
    public static final String REGION = "us-east-1";

    private static S3Server server;

    private final URI endpoint;
    private final S3Client client;

    private S3Server(URI endpoint) {
        this.endpoint = endpoint;
        this.client = S3Client.builder().endpointOverride(endpoint).region(Region.of(REGION)).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public static synchronized S3Server get() {
        if (server == null) {
            server = start();
        }
        return server;
    }

    private static S3Server start() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        BlobStoreContext context = ContextBuilder.newBuilder("transient-nio2").overrides(new Properties())
                .credentials(ACCESS_KEY, SECRET_KEY).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        try {
            proxy.start(); // Jetty's start returns once it listens
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
        return new S3Server(URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client of the test's own, to look into the bucket (not the store's). */
    public S3Client client() {
        return client;
    }

    /** A new, empty bucket: each test class (or test) sees only its own objects. */
    public String newBucket() {
        String bucket = "media-" + UUID.randomUUID().toString().substring(0, 13);
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** The properties choosing the S3 store on this bucket. */
    public Map<String, Object> properties(String bucket) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("eventsync.media.s3.endpoint", endpoint.toString());
        properties.put("eventsync.media.s3.bucket", bucket);
        properties.put("eventsync.media.s3.region", REGION);
        properties.put("eventsync.media.s3.path-style", "true");
        return properties;
    }

    /** The keys in the bucket under a prefix. */
    public java.util.List<String> keys(String bucket, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
    }
}
