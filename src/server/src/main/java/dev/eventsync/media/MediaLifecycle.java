package dev.eventsync.media;

import dev.eventsync.store.MediaEraser;
import dev.eventsync.store.MediaRefs;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The media lifecycle (API.md v1.1; DESIGN.md decision 13), off the append path: every
 * {@code cleanup-interval} it erases uploads that have not moved for {@code incomplete-ttl},
 * complete media no event has referenced for {@code unreferenced-ttl} after their upload, and
 * finishes erasures left 'erasing' (a crash or a store failure after a delete committed). It also
 * erases a deleted message's media right after the delete commits ({@link #eraseNow}).
 *
 * <p>Every instance runs it; nothing needs one instance at a time. Each media is decided in a
 * transaction that locks its row first and checks again under the lock (an upload resumed, a
 * reference added meanwhile: the media stays), then marks it 'erasing'; the bytes go after that
 * commit, then the row. Erasing bytes twice, or a row already gone, is nothing: two runs racing
 * do the same work twice, never a wrong one.
 */
public final class MediaLifecycle implements MediaEraser, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MediaLifecycle.class);
    /** Media handled per kind and run, at most: a run's work is bounded; the next run goes on. */
    static final int BATCH = 500;
    /**
     * An 'erasing' row younger than this is left to the delete that marked it (erasing right after
     * its commit): the job finishes only the ones that were left behind.
     */
    static final Duration LEFT_BEHIND = Duration.ofMinutes(1);

    static final String EXPIRED_UPLOADS = """
            select media_uuid from media where state = 'uploading' and updated_at < ? order by updated_at limit ?""";

    static final String UNREFERENCED = """
            select media_uuid from media m where state = 'complete' and updated_at < ?
            and not exists (select 1 from media_refs r where r.media_uuid = m.media_uuid)
            order by updated_at limit ?""";

    static final String LEFT_ERASING = """
            select media_uuid from media where state = 'erasing' and updated_at < ? order by updated_at limit ?""";

    /** Under the part's hold: an upload that moved meanwhile is younger than the cutoff and stays. */
    static final String MARK_EXPIRED_UPLOAD = """
            update media set state = 'erasing', updated_at = now() where media_uuid = ? and state = 'uploading' and updated_at < ?""";

    static final String DELETE_ERASED = "delete from media where media_uuid = ? and state = 'erasing'";

    static final String TOTALS = """
            select coalesce(sum(committed_bytes), 0), count(*) filter (where state = 'uploading')
            from media where state <> 'erasing'""";

    /** What one run did. */
    public record Run(int expiredIncomplete, int expiredUnreferenced, int erased) {}

    private final DataSource dataSource;
    private final BlobStore store;
    private final MediaProperties properties;
    private final MediaMetrics metrics;
    private final Clock clock;
    private ScheduledExecutorService schedule;

    MediaLifecycle(DataSource dataSource, BlobStore store, MediaProperties properties, MediaMetrics metrics, Clock clock) {
        this.dataSource = dataSource;
        this.store = store;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** One run as of {@code now} (the schedule passes the clock's time; tests pass the time they want). */
    public Run runOnce(Instant now) throws SQLException {
        int incomplete = 0;
        for (UUID media : select(EXPIRED_UPLOADS, now.minus(properties.incompleteTtl()))) {
            if (expireUpload(media, now.minus(properties.incompleteTtl())) && finishErasure(media)) {
                metrics.expiredIncomplete.increment();
                incomplete++;
            }
        }
        int unreferenced = 0;
        for (UUID media : select(UNREFERENCED, now.minus(properties.unreferencedTtl()))) {
            if (markUnreferenced(media) && finishErasure(media)) {
                metrics.expiredUnreferenced.increment();
                unreferenced++;
            }
        }
        int erased = 0;
        for (UUID media : select(LEFT_ERASING, now.minus(LEFT_BEHIND))) {
            if (finishErasure(media)) {
                erased++;
            }
        }
        totals();
        return new Run(incomplete, unreferenced, erased);
    }

    /** Right after a delete's commit: the bytes, then the rows. A failure is left 'erasing' for the job. */
    @Override
    public void eraseNow(Set<UUID> media) {
        media.forEach(this::finishErasure);
    }

    /**
     * Holds the part while deciding, so a call uploading right now (which holds it) keeps its
     * upload: the job tries again next run. Returns whether the upload is now 'erasing'.
     */
    private boolean expireUpload(UUID media, Instant cutoff) throws SQLException {
        Optional<BlobStore.IncompleteBlob> held;
        try {
            held = store.openIncomplete(media);
        } catch (IOException e) {
            log.warn("media lifecycle: cannot hold the part of expired upload {}: {}", media, e.toString());
            return false;
        }
        if (held.isEmpty()) {
            return false;
        }
        try (BlobStore.IncompleteBlob blob = held.get();
             Connection connection = dataSource.getConnection();
             PreparedStatement mark = connection.prepareStatement(MARK_EXPIRED_UPLOAD)) {
            mark.setObject(1, media);
            mark.setTimestamp(2, Timestamp.from(cutoff));
            return mark.executeUpdate() == 1;
        }
    }

    /** The same lock-then-check as a delete's, in a transaction of its own. */
    private boolean markUnreferenced(UUID media) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                boolean marked = !MediaRefs.markErasingIfUnreferenced(connection, Set.of(media)).isEmpty();
                connection.commit();
                return marked;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** Bytes first, then the row: a crash between them leaves the row 'erasing', which the next run finishes. */
    private boolean finishErasure(UUID media) {
        try {
            store.erase(media);
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement delete = connection.prepareStatement(DELETE_ERASED)) {
                delete.setObject(1, media);
                delete.executeUpdate();
            }
            metrics.erased.increment();
            return true;
        } catch (IOException | SQLException | RuntimeException e) {
            metrics.eraseFailures.increment();
            log.warn("media lifecycle: erasing media {} failed, left for the next run: {}", media, e.toString());
            return false;
        }
    }

    private List<UUID> select(String sql, Instant cutoff) throws SQLException {
        List<UUID> media = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setTimestamp(1, Timestamp.from(cutoff));
            select.setInt(2, BATCH);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    media.add(r.getObject(1, UUID.class));
                }
            }
        }
        return media;
    }

    /** A scan of the media table per run: the price of gauges that never query on a scrape. */
    private void totals() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(TOTALS);
             ResultSet r = select.executeQuery()) {
            r.next();
            metrics.totals(r.getLong(1), r.getLong(2));
        }
    }

    @Override
    public void start() {
        schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "eventsync-media-lifecycle");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.cleanupInterval().toMillis();
        schedule.scheduleWithFixedDelay(this::scheduledRun, every, every, TimeUnit.MILLISECONDS);
    }

    private void scheduledRun() {
        try {
            Run run = runOnce(clock.instant());
            if (run.expiredIncomplete() + run.expiredUnreferenced() + run.erased() > 0) {
                log.info("media lifecycle: {} expired uploads, {} unreferenced media and {} left-behind erasures erased",
                        run.expiredIncomplete(), run.expiredUnreferenced(), run.erased());
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("media lifecycle run failed, trying again in {}: {}", properties.cleanupInterval(), e.toString());
        }
    }

    @Override
    public void stop() {
        if (schedule != null) {
            schedule.shutdownNow();
            schedule = null;
        }
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }
}
