package dev.eventsync.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/**
 * The S3 store (any S3-compatible object store). A complete media is the object
 * {@code complete/<uuid>}. An upload is segments, {@code incomplete/<uuid>/<offset>} (the offset
 * of the segment's first byte, zero-padded so keys sort by it), each written whole by a
 * {@link IncompleteBlob#sync sync}: objects cannot be appended to, so a sync writes the bytes
 * since the last full segment as one object, and only what a PUT stored counts. A segment under
 * {@link #PART_MIN} is written again, grown, by the next sync (the same key: the PUT replaces it
 * whole), so every segment but the last is at least {@link #PART_MIN} and completing is a
 * server-side multipart copy of the segments (UploadPartCopy; a plain copy for one segment),
 * no byte read back. Bytes since the last full segment wait in a local spool file, so the heap
 * holds a chunk per call whatever the file's size. One call holds an upload at a time across
 * servers through {@link UploadLocks}.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

    /** S3's smallest multipart part (but the last). */
    static final long PART_MIN = 5L * 1024 * 1024;

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final Duration urlTtl;
    private final UploadLocks locks;

    S3BlobStore(S3Client s3, S3Presigner presigner, String bucket, Duration urlTtl, UploadLocks locks) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.urlTtl = urlTtl;
        this.locks = locks;
    }

    /**
     * A store on the configured bucket, with credentials from the AWS default chain. Checksums are
     * sent and checked only where S3 requires them: the SDK's default (a CRC on every request, in
     * aws-chunked trailers) is refused by several S3-compatible stores, and each PUT here is of a
     * file of known length whose bytes the upload's SHA-256 checks at the end anyway.
     */
    static S3BlobStore connect(MediaProperties.S3 config, DataSource dataSource) {
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        Region region = Region.of(config.region());
        S3ClientBuilder client = S3Client.builder().region(region).credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(config.maxConnections()));
        S3Presigner.Builder presigner = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
        if (config.endpoint() != null) {
            client.endpointOverride(config.endpoint());
            presigner.endpointOverride(config.endpoint());
        }
        S3BlobStore store = new S3BlobStore(client.build(), presigner.build(), config.bucket(), config.urlTtl(), new UploadLocks(dataSource));
        try {
            store.requireBucket(config.endpoint() == null ? "AWS S3 (" + config.region() + ")" : config.endpoint().toString());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    static String completeKey(UUID media) {
        return "complete/" + media;
    }

    static String segmentsPrefix(UUID media) {
        return "incomplete/" + media + "/";
    }

    static String segmentKey(UUID media, long offset) {
        return segmentsPrefix(media) + String.format("%019d", offset);
    }

    /** Fails, saying what to set, when the bucket cannot be reached with these settings and credentials. */
    void requireBucket(String endpoint) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (SdkException e) {
            throw new IllegalStateException("the media bucket " + bucket + " at " + endpoint + " cannot be reached (" + e.getMessage()
                    + "): check eventsync.media.s3.bucket, endpoint, region and path-style, and the AWS credentials"
                    + " (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or a role)", e);
        }
    }

    @Override
    public Optional<IncompleteBlob> openIncomplete(UUID media) throws IOException {
        Optional<UploadLocks.Hold> hold = locks.tryHold(media);
        return hold.map(h -> new Upload(media, h));
    }

    @Override
    public InputStream openComplete(UUID media, long offset) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(completeKey(media)).range("bytes=" + offset + "-"));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream(); // at the very end: nothing left to read
            }
            throw io("read media " + media, e);
        } catch (SdkException e) {
            throw io("read media " + media, e);
        }
    }

    /** Every object of the media, and a multipart copy a crash left behind; nothing if there are none. */
    @Override
    public void erase(UUID media) throws IOException {
        try {
            deleteSegments(media);
            s3.deleteObject(b -> b.bucket(bucket).key(completeKey(media)));
            for (MultipartUpload left : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(completeKey(media))).uploads()) {
                if (left.key().equals(completeKey(media))) {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(left.key()).uploadId(left.uploadId()));
                }
            }
        } catch (SdkException e) {
            throw io("erase media " + media, e);
        }
    }

    @Override
    public Optional<PresignedUrl> presignedUrl(UUID media) {
        PresignedGetObjectRequest presigned = presigner.presignGetObject(p -> p.signatureDuration(urlTtl)
                .getObjectRequest(g -> g.bucket(bucket).key(completeKey(media))));
        return Optional.of(new PresignedUrl(URI.create(presigned.url().toString()), presigned.expiration()));
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
        locks.close();
    }

    private List<Segment> listSegments(UUID media) {
        List<Segment> segments = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(segmentsPrefix(media))).contents()) {
            String offset = object.key().substring(segmentsPrefix(media).length());
            segments.add(new Segment(object.key(), Long.parseLong(offset), object.size()));
        }
        return segments; // in key order, which is offset order
    }

    private void deleteSegments(UUID media) {
        delete(listSegments(media).stream().map(Segment::key).toList());
    }

    /**
     * One DeleteObject a key, not DeleteObjects: that one requires a checksum header, in a form
     * (x-amz-checksum-crc32, since SDK 2.30) some S3-compatible stores refuse, and an upload has a
     * few segments (one per 5 MiB or so).
     */
    private void delete(List<String> keys) {
        for (String key : keys) {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
    }

    private static IOException io(String what, SdkException e) {
        return new IOException("S3 could not " + what + ": " + e.getMessage(), e);
    }

    /** One stored segment: the bytes [offset, offset + length) of the upload. */
    private record Segment(String key, long offset, long length) {
        long end() {
            return offset + length;
        }
    }

    private final class Upload implements IncompleteBlob {
        private final UUID media;
        private final UploadLocks.Hold hold;
        /** The held segments before the spool, in order, each at least PART_MIN. */
        private final List<Segment> full = new ArrayList<>();
        /** Offset of the spool's first byte: the end of the full segments. */
        private long spoolStart;
        /** Bytes held: spoolStart plus the spool's. */
        private long held;
        /** The spool differs from the segment stored at spoolStart (if any): the next sync writes it. */
        private boolean dirty;
        private Path spoolFile;
        private FileChannel spool;
        private boolean closed;

        Upload(UUID media, UploadLocks.Hold hold) {
            this.media = media;
            this.hold = hold;
        }

        /**
         * The contiguous segments from 0, cut at {@code committed}: segments past it (or after a
         * gap) are deleted; a segment across it, or a last one under PART_MIN, is read into the
         * spool, to be written again grown by the next sync.
         */
        @Override
        public long keep(long committed) throws IOException {
            hold.check();
            try {
                List<Segment> stored = listSegments(media);
                full.clear();
                List<String> untrusted = new ArrayList<>();
                Segment last = null;
                long end = 0;
                for (Segment segment : stored) {
                    if (segment.offset() != end || end >= committed || last != null) {
                        untrusted.add(segment.key());
                        continue;
                    }
                    if (segment.end() <= committed && segment.length() >= PART_MIN) {
                        full.add(segment);
                    } else {
                        last = segment; // across committed, or small: it must be the last held one
                    }
                    end = segment.end();
                }
                delete(untrusted);
                spoolStart = full.isEmpty() ? 0 : full.get(full.size() - 1).end();
                truncateSpool();
                held = spoolStart;
                if (last != null) {
                    long length = Math.min(last.end(), committed) - last.offset();
                    readIntoSpool(last, length);
                    held += length;
                    dirty = length < last.length();
                }
                return held;
            } catch (SdkException e) {
                throw io("read the upload of media " + media, e);
            }
        }

        private void readIntoSpool(Segment segment, long length) throws IOException {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(segment.key()).range("bytes=0-" + (length - 1)))) {
                FileChannel out = spool();
                long at = 0;
                byte[] buffer = new byte[64 * 1024];
                int n;
                while (at < length && (n = in.read(buffer, 0, (int) Math.min(buffer.length, length - at))) > 0) {
                    at += out.write(ByteBuffer.wrap(buffer, 0, n), at);
                }
                if (at < length) {
                    throw new IOException("segment " + segment.key() + " is shorter than listed");
                }
            }
        }

        @Override
        public InputStream readHeld() throws IOException {
            Iterator<Segment> segments = List.copyOf(full).iterator();
            Enumeration<InputStream> parts = new Enumeration<>() {
                private boolean spoolGiven;

                @Override
                public boolean hasMoreElements() {
                    return segments.hasNext() || !spoolGiven;
                }

                @Override
                public InputStream nextElement() {
                    if (segments.hasNext()) {
                        String key = segments.next().key();
                        return s3.getObject(b -> b.bucket(bucket).key(key)); // opened only when the previous one is read
                    }
                    spoolGiven = true;
                    return spoolBytes();
                }
            };
            return new SequenceInputStream(parts);
        }

        private InputStream spoolBytes() {
            if (spool == null) {
                return InputStream.nullInputStream();
            }
            try {
                return Channels.newInputStream(FileChannel.open(spoolFile, StandardOpenOption.READ));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void append(ByteBuffer bytes) throws IOException {
            FileChannel out = spool();
            while (bytes.hasRemaining()) {
                held += out.write(bytes, held - spoolStart);
            }
            dirty = true;
        }

        /** The spool as the segment at spoolStart (replacing a shorter one); a full segment starts a new spool. */
        @Override
        public void sync() throws IOException {
            hold.check();
            if (!dirty) {
                return;
            }
            spool.force(false); // what the PUT sends must be what was appended, not a page cache in flux
            try {
                s3.putObject(b -> b.bucket(bucket).key(segmentKey(media, spoolStart)).contentLength(held - spoolStart),
                        RequestBody.fromFile(spoolFile));
            } catch (SdkException e) {
                throw io("store bytes of media " + media, e);
            }
            dirty = false;
            if (held - spoolStart >= PART_MIN) {
                full.add(new Segment(segmentKey(media, spoolStart), spoolStart, held - spoolStart));
                spoolStart = held;
                truncateSpool();
            }
        }

        /** One copy for one segment, else a multipart copy of them all; then the segments go. */
        @Override
        public void complete() throws IOException {
            sync();
            List<Segment> segments = new ArrayList<>(full);
            if (held > spoolStart) {
                segments.add(new Segment(segmentKey(media, spoolStart), spoolStart, held - spoolStart));
            }
            try {
                if (segments.size() == 1) {
                    s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(segments.get(0).key())
                            .destinationBucket(bucket).destinationKey(completeKey(media)));
                } else {
                    multipartCopy(segments);
                }
                deleteSegments(media);
            } catch (SdkException e) {
                throw io("complete media " + media, e);
            }
        }

        private void multipartCopy(List<Segment> segments) {
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(completeKey(media))).uploadId();
            try {
                List<CompletedPart> parts = new ArrayList<>();
                for (int i = 0; i < segments.size(); i++) {
                    int number = i + 1;
                    String source = segments.get(i).key();
                    String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(source).destinationBucket(bucket)
                            .destinationKey(completeKey(media)).uploadId(uploadId).partNumber(number)).copyPartResult().eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(completeKey(media)).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            } catch (SdkException e) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(completeKey(media)).uploadId(uploadId));
                } catch (SdkException alsoFailed) {
                    e.addSuppressed(alsoFailed); // erase aborts what is left
                }
                throw e;
            }
        }

        @Override
        public void discard() throws IOException {
            hold.check();
            try {
                deleteSegments(media);
            } catch (SdkException e) {
                throw io("discard the upload of media " + media, e);
            }
            full.clear();
            spoolStart = 0;
            held = 0;
            truncateSpool();
        }

        private FileChannel spool() throws IOException {
            if (spool == null) {
                spoolFile = Files.createTempFile("eventsync-upload-" + media + "-", ".spool");
                spool = FileChannel.open(spoolFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            return spool;
        }

        private void truncateSpool() throws IOException {
            if (spool != null) {
                spool.truncate(0);
            }
            dirty = false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (spool != null) {
                    spool.close();
                    Files.deleteIfExists(spoolFile);
                }
            } catch (IOException e) {
                // a temporary file: what it held is in S3 up to the last sync, which is all that counts
            } finally {
                hold.close();
            }
        }
    }
}
