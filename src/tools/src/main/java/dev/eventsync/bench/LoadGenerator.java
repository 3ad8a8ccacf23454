package dev.eventsync.bench;

import dev.eventsync.client.cli.DevelopmentTokens;
import dev.eventsync.proto.v1.ConversationCreated;
import dev.eventsync.proto.v1.ConversationView;
import dev.eventsync.proto.v1.HistoryPage;
import dev.eventsync.proto.v1.HistoryRequest;
import dev.eventsync.proto.v1.SnapshotItem;
import dev.eventsync.proto.v1.SnapshotRequest;
import dev.eventsync.proto.v1.MessagesDelivered;
import dev.eventsync.proto.v1.ReadNewMessage;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.EventServiceGrpc;
import dev.eventsync.proto.v1.Message;
import dev.eventsync.proto.v1.NewMessage;
import dev.eventsync.proto.v1.PushServiceGrpc;
import dev.eventsync.proto.v1.Pusher;
import dev.eventsync.proto.v1.SendingNewMessage;
import dev.eventsync.proto.v1.SyncFromServerRequest;
import dev.eventsync.proto.v1.SyncRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator of {@code bench/run.sh}: a separate process that drives a running server
 * over real gRPC (and its PostgreSQL directly, for the BASE ceilings), prints one line per
 * workload and writes them as JSON. {@code java -jar eventsync-tools.jar bench --grpc host:port
 * --http host:port --jdbc url [--quick] [--only BASE,W1,W1R,W2,W3,W4,W5,W6,W7,W8] [--warmup seconds] [--out file]
 * [--push-gateway host:port] [--disk-dir folder] (W7's BASE files: a folder on the filesystem of the server's media root)
 * [--i-know-this-is-not-production]}. It writes only to a benchmark database ({@link BenchmarkDatabase}).
 * BASE measures the ceilings of W1 and W2: its insert runs before W1, its feed read before W2.
 */
public final class LoadGenerator {

    static final List<String> WORKLOADS = List.of("BASE", "W1", "W1R", "W2", "W3", "W4", "W5", "W6", "W7", "W8");
    /** W1R: how often each client marks what others sent (the reference client coalesces markers alike). */
    static final Duration RECEIPT_INTERVAL = Duration.ofSeconds(2);
    private static final Set<String> OPTIONS = Set.of("grpc", "http", "jdbc", "quick", "only", "warmup", "out", "push-gateway", "disk-dir",
            BenchmarkDatabase.CONFIRMATION.substring(2));
    static final int W1_CLIENTS = 64;
    static final int MEMBERS = 10;

    private final String grpcTarget;
    private final String httpBase;
    private final String jdbcUrl;
    /** W8's gateway, served here: the server must allow http://this/ in eventsync.push.allowed-gateways. */
    private final String pushGateway;
    private final boolean quick;
    private final Set<String> only;
    private final String secret;
    private final PrintStream out;
    /** What the database behind --jdbc is (null without --jdbc), checked before anything runs. */
    private BenchmarkDatabase.Kind database;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    /**
     * Both JVMs compile the hot paths during the first seconds of load (on a 2-core machine the
     * JIT alone took most of a core): W1 and BASE are measured after a warm-up of the same work.
     */
    private final Duration warmup;
    private final Path diskDir;
    /** W7: each user on a channel of its own, with its token. */
    private final Map<UUID, Channel> mediaChannels = new java.util.concurrent.ConcurrentHashMap<>();

    private LoadGenerator(Map<String, String> options, PrintStream out) {
        this.grpcTarget = options.getOrDefault("grpc", "127.0.0.1:9090");
        this.httpBase = "http://" + options.getOrDefault("http", "127.0.0.1:9091");
        this.jdbcUrl = options.get("jdbc");
        this.pushGateway = options.getOrDefault("push-gateway", "127.0.0.1:19092");
        this.quick = options.containsKey("quick");
        this.only = Set.copyOf(workloads(options));
        this.secret = System.getenv().getOrDefault("EVENTSYNC_AUTH_JWT_SECRET", DevelopmentTokens.DEVELOPMENT_SECRET);
        this.out = out;
        this.warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", quick ? "5" : "90")));
        this.diskDir = Path.of(options.getOrDefault("disk-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "eventsync-bench-disk-" + UUID.randomUUID()).toString()));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (name.equals("quick") || args[i].equals(BenchmarkDatabase.CONFIRMATION)) {
                options.put(name, "true");
            } else if (!OPTIONS.contains(name)) {
                return usage(err, args[i] + " is not an option");
            } else if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                return usage(err, args[i] + " needs a value");
            } else {
                options.put(name, args[++i]);
            }
        }
        List<String> workloads = workloads(options);
        if (!WORKLOADS.containsAll(workloads)) {
            return usage(err, "--only takes a comma-separated list of " + String.join(", ", WORKLOADS));
        }
        if (options.containsKey("warmup") && !options.get("warmup").matches("\\d{1,5}")) {
            return usage(err, "--warmup takes whole seconds");
        }
        if (!options.containsKey("jdbc") && workloads.stream().anyMatch(List.of("BASE", "W1", "W2", "W5", "W6", "W8")::contains)) {
            return usage(err, "--jdbc <url> is required for BASE, W1, W2, W5, W6 and W8 (they also read and write PostgreSQL directly)");
        }
        if (options.containsKey("push-gateway") && !options.get("push-gateway").matches("[^:/]+:\\d{1,5}")) {
            return usage(err, "--push-gateway takes host:port");
        }
        LoadGenerator generator = new LoadGenerator(options, out);
        if (generator.jdbcUrl != null) {
            try (Connection connection = generator.jdbc()) {
                generator.database = BenchmarkDatabase.check(connection, options.containsKey(BenchmarkDatabase.CONFIRMATION.substring(2)));
            } catch (BenchmarkDatabase.Refused refused) {
                err.println("bench: " + refused.getMessage());
                return 2;
            }
        }
        try {
            generator.all();
        } finally {
            generator.channels.forEach(ManagedChannel::shutdownNow);
        }
        Path file = Path.of(options.getOrDefault("out", "bench/results/run-" + Instant.now().toString().replace(':', '-') + ".json"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, json(generator.results));
        out.println("results written to " + file);
        return 0;
    }

    private static List<String> workloads(Map<String, String> options) {
        return List.of(options.getOrDefault("only", String.join(",", WORKLOADS)).split(",", -1));
    }

    private static int usage(PrintStream err, String problem) {
        err.println("bench: " + problem);
        err.println("usage: bench --grpc host:port --http host:port --jdbc url [--quick] [--only "
                + String.join(",", WORKLOADS) + "] [--warmup seconds] [--out file] [--push-gateway host:port] [--disk-dir folder] ["
                + BenchmarkDatabase.CONFIRMATION + "]");
        return 2;
    }

    private void all() throws Exception {
        LiveScale live = new LiveScale(grpcTarget, this::channel, this::auth, this::line, results, this::serverHeapMb,
                () -> metric("eventsync.follow.streams", null));
        Duration duration = quick ? Duration.ofSeconds(8) : Duration.ofSeconds(20);
        int w2Events = quick ? 100_000 : 1_000_000;
        // W3 at round 1's scale and at ten times it; --quick at smaller counts, by the same code
        int[] w3Streams = quick ? new int[] {300, 3000} : new int[] {1000, 10_000};
        int w4Devices = quick ? 5000 : 50_000;

        recycleWalSegments(quick ? 32 : 192);
        double onePerTx = only.contains("BASE") ? baseOnePerTx(warmup, duration) : Double.NaN;
        double groupCommit = only.contains("BASE") ? baseGroupCommit(warmup, duration) : Double.NaN;
        double w1 = Double.NaN;
        if (only.contains("W1")) {
            w1 = withWalFigures("W1, warm-up included", () -> appendWorkload(warmup, duration, false, false, null));
            if (!Double.isNaN(groupCommit)) {
                line("RATIO W1/BASE group_commit=%.2f one_per_tx=%.2f", w1 / groupCommit, w1 / onePerTx);
                results.put("ratio_w1_base_group_commit", w1 / groupCommit);
                results.put("ratio_w1_base_one_per_tx", w1 / onePerTx);
            }
            if (only.contains("W1R")) {
                double w1r = withWalFigures("W1R, warm-up included", () -> appendWorkload(warmup, duration, true, false, null));
                line("RATIO W1R/W1 messages=%.2f", w1r / w1);
            }
        } else if (only.contains("W1R")) {
            withWalFigures("W1R, warm-up included", () -> appendWorkload(warmup, duration, true, false, null));
        }
        if (only.contains("W8")) {
            push(warmup, duration, w1);
        }
        if (only.contains("BASE") || only.contains("W2")) {
            UUID reader = UUID.randomUUID();
            seedFeed(reader, w2Events);
            // Warm-up: the same catch-up, not reported. It also leaves the freshly seeded rows as
            // the measured reads find them (cached, hint bits set), for BASE and W2 alike.
            catchUp(reader, w2Events, false);
            double baseRead = only.contains("BASE") ? baseFeedRead(reader, w2Events) : Double.NaN;
            double w2 = only.contains("W2") ? catchUp(reader, w2Events, true) : Double.NaN;
            if (!Double.isNaN(baseRead) && !Double.isNaN(w2)) {
                line("RATIO W2/BASE read=%.2f", w2 / baseRead);
                results.put("ratio_w2_base_read", w2 / baseRead);
            }
        }
        if (only.contains("W3")) {
            withWalFigures("W3", () -> {
                for (int streams : w3Streams) {
                    live.fanout(streams, quick ? 100 : 300);
                }
                return null;
            });
        }
        if (only.contains("W4")) {
            live.idleDevices(w4Devices, () -> appendRun(warmup, duration, false, false, null).latencies());
        }
        if (only.contains("W5")) {
            firstSync(quick ? 100 : 1000, quick ? 50_000 : 1_000_000);
        }
        if (only.contains("W6")) {
            history(quick ? new int[] {0, 1000, 50_000} : new int[] {0, 10_000, 1_000_000});
        }
        if (only.contains("W7")) {
            new MediaBenchmark(this::mediaChannel, this::line, results, this::serverHeapMb, diskDir, quick).run();
        }
    }

    private Channel mediaChannel(UUID user) {
        return mediaChannels.computeIfAbsent(user, u -> {
            ManagedChannel channel = ManagedChannelBuilder.forTarget(grpcTarget).usePlaintext().build();
            synchronized (this) {
                channels.add(channel);
            }
            return ClientInterceptors.intercept(channel, auth(u));
        });
    }

    /** A timed run: work starts now, is counted once the warm-up is over, and stops at the end. */
    record Window(long measureFrom, long end, Duration duration) {
        Window(Duration warmup, Duration duration) {
            this(System.nanoTime() + warmup.toNanos(), duration);
        }

        private Window(long measureFrom, Duration duration) {
            this(measureFrom, measureFrom + duration.toNanos(), duration);
        }

        /** Whether work started at this {@link System#nanoTime()} counts. */
        boolean measures(long started) {
            return started >= measureFrom;
        }

        double perSecond(long counted) {
            return counted / (duration.toMillis() / 1000.0);
        }
    }

    // ---- BASE: the rows the server writes for W1's events, straight into PostgreSQL ----

    /** The old ceiling: one event per transaction, 64 clients; a design nobody would ship, kept for comparison. */
    private double baseOnePerTx(Duration warmup, Duration duration) throws Exception {
        List<UUID> users = randomUsers(W1_CLIENTS);
        List<UUID> conversations = new ArrayList<>();
        try (Connection connection = jdbc()) {
            insertUsersAndConversations(connection, users, conversations);
        }
        AtomicLong events = new AtomicLong();
        Window window = new Window(warmup, duration);
        ExecutorService pool = Executors.newFixedThreadPool(W1_CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < W1_CLIENTS; c++) {
            UUID author = users.get(c);
            UUID conversation = conversations.get(c / MEMBERS % conversations.size());
            List<UUID> members = members(users, c / MEMBERS % conversations.size());
            done.add(pool.submit(() -> {
                try (Connection connection = jdbc()) {
                    connection.setAutoCommit(false);
                    long start;
                    while ((start = System.nanoTime()) < window.end()) {
                        insertOneEvent(connection, author, conversation, members);
                        if (window.measures(start)) {
                            events.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double perSecond = window.perSecond(events.get());
        line("BASE jdbc_one_per_tx events_per_s=%.0f clients=%d", perSecond, W1_CLIENTS);
        results.put("base_one_per_tx_events_per_s", Math.round(perSecond));
        return perSecond;
    }

    /**
     * The ceiling W1 is held to: W1's messages (its 64 users, conversations of 10) written with
     * the best group commit written by hand ({@link GroupCommitCeiling}), in every configuration
     * of batch size and connections; prints the best, then the others. The first configuration
     * has the full warm-up (the JIT of this process, the database's caches); the same code is
     * compiled by then, so the later ones warm up for at most {@link #RETRY_WARMUP} each and are
     * measured for the same duration.
     */
    private double baseGroupCommit(Duration warmup, Duration duration) throws Exception {
        List<UUID> users = randomUsers(W1_CLIENTS);
        List<UUID> conversations = new ArrayList<>();
        try (Connection connection = jdbc()) {
            insertUsersAndConversations(connection, users, conversations);
        }
        List<GroupCommitCeiling.Author> authors = new ArrayList<>();
        for (int c = 0; c < W1_CLIENTS; c++) {
            authors.add(new GroupCommitCeiling.Author(users.get(c), conversations.get(c / MEMBERS % conversations.size())));
        }
        GroupCommitCeiling ceiling = new GroupCommitCeiling(this::jdbc, authors);
        List<GroupCommitCeiling.Run> runs = new ArrayList<>();
        for (int connections : GroupCommitCeiling.CONNECTIONS) {
            for (int batch : GroupCommitCeiling.BATCHES) {
                Duration warm = runs.isEmpty() || warmup.compareTo(RETRY_WARMUP) < 0 ? warmup : RETRY_WARMUP;
                runs.add(ceiling.run(batch, connections, new Window(warm, duration)));
            }
        }
        GroupCommitCeiling.Run best = runs.stream().max(Comparator.comparingDouble(GroupCommitCeiling.Run::eventsPerSecond)).orElseThrow();
        line("BASE jdbc_group_commit events_per_s=%.0f batch=%d connections=%d", best.eventsPerSecond(), best.batch(), best.connections());
        StringBuilder others = new StringBuilder();
        for (GroupCommitCeiling.Run run : runs) {
            if (run != best) {
                others.append(others.isEmpty() ? "" : ", ").append(String.format("batch=%d connections=%d: %.0f/s",
                        run.batch(), run.connections(), run.eventsPerSecond()));
            }
        }
        out.println("(BASE jdbc_group_commit, the other configurations: " + others + ")");
        results.put("base_group_commit_events_per_s", Math.round(best.eventsPerSecond()));
        results.put("base_group_commit_batch", best.batch());
        results.put("base_group_commit_connections", best.connections());
        return best.eventsPerSecond();
    }

    /** The warm-up of BASE jdbc_group_commit's configurations after the first. */
    static final Duration RETRY_WARMUP = Duration.ofSeconds(3);

    /** Exactly the rows of one stored message: idempotency row, message row (under its conversation's lock), event row and one feed row per member. */
    private static void insertOneEvent(Connection connection, UUID author, UUID conversation, List<UUID> members) throws SQLException {
        UUID eventUuid = UUID.randomUUID();
        UUID messageUuid = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        byte[] body = messageEvent(eventUuid, messageUuid, author, conversation).toByteArray();
        try (PreparedStatement ids = connection.prepareStatement(
                "insert into event_ids (event_uuid, author_uuid, content_hash, stored_at, message_uuid) values (?, ?, ?, ?, ?)");
             PreparedStatement lock = connection.prepareStatement(
                "select 1 from conversations where conversation_uuid = ? for no key update");
             PreparedStatement message = connection.prepareStatement(
                "insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at, seq, author_seq)"
                        + " values (?, ?, ?, ?, ?, ?, (select coalesce(max(seq), 0) + 1 from messages where conversation_uuid = ?),"
                        + " coalesce((select p.author_seq from messages p where p.conversation_uuid = ? and p.author_uuid = ?"
                        + " order by p.seq desc limit 1), 0) + 1)");
             PreparedStatement head = connection.prepareStatement(
                "update log_head set last_position = last_position + 1 returning last_position");
             PreparedStatement event = connection.prepareStatement(
                "insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body) values (?, ?, ?, 'new_message', ?, ?, ?)");
             PreparedStatement feed = connection.prepareStatement(
                "insert into feed (user_uuid, position, event_uuid) values (?, ?, ?)")) {
            ids.setObject(1, eventUuid);
            ids.setObject(2, author);
            ids.setBytes(3, new byte[32]);
            ids.setTimestamp(4, now);
            ids.setObject(5, messageUuid);
            ids.executeUpdate();
            lock.setObject(1, conversation); // as the server: the conversation's row lock orders its messages' seqs
            lock.executeQuery().close();
            message.setObject(1, conversation);
            message.setObject(2, messageUuid);
            message.setObject(3, author);
            message.setObject(4, UUID.randomUUID());
            message.setObject(5, eventUuid);
            message.setTimestamp(6, now);
            message.setObject(7, conversation);
            message.setObject(8, conversation);
            message.setObject(9, author);
            message.executeUpdate();
            long position;
            try (ResultSet row = head.executeQuery()) {
                row.next();
                position = row.getLong(1);
            }
            event.setLong(1, position);
            event.setObject(2, eventUuid);
            event.setObject(3, author);
            event.setObject(4, conversation);
            event.setTimestamp(5, now);
            event.setBytes(6, body);
            event.executeUpdate();
            for (UUID member : members) {
                feed.setObject(1, member);
                feed.setLong(2, position);
                feed.setObject(3, eventUuid);
                feed.addBatch();
            }
            feed.executeBatch();
            connection.commit();
        }
    }

    private void insertUsersAndConversations(Connection connection, List<UUID> users, List<UUID> conversations) throws SQLException {
        try (PreparedStatement user = connection.prepareStatement("insert into users (user_uuid) values (?) on conflict do nothing");
             PreparedStatement conversation = connection.prepareStatement(
                     "insert into conversations (conversation_uuid, name, created_by, created_at) values (?, 'bench', ?, now())");
             PreparedStatement member = connection.prepareStatement(
                     "insert into memberships (conversation_uuid, user_uuid, joined_at) values (?, ?, now())")) {
            for (UUID u : users) {
                user.setObject(1, u);
                user.addBatch();
            }
            user.executeBatch();
            for (int k = 0; k < conversationCount(users.size()); k++) {
                UUID c = UUID.randomUUID();
                conversations.add(c);
                conversation.setObject(1, c);
                conversation.setObject(2, users.get(0));
                conversation.executeUpdate();
                for (UUID m : members(users, k)) {
                    member.setObject(1, c);
                    member.setObject(2, m);
                    member.addBatch();
                }
                member.executeBatch();
            }
        }
    }

    // ---- W1: 64 clients, one message per Sync, conversations of 10 ----
    // ---- W1R: W1, and every client marks the newest message of others delivered and read ----

    /**
     * W1, or with {@code receipts} W1R: each client also sends, every {@link #RECEIPT_INTERVAL},
     * one Sync with a delivered and a read marker for the newest message someone else sent in its
     * conversation (never for its own), as the reference client's coalesced markers would. Only
     * messages count as events per second; the markers are the cost being measured.
     */
    /**
     * W1 and its variants. {@code follow}: the even users keep a follow stream open (W8's online
     * half); {@code push}: the odd users also hold a pusher at its gateway (W8 itself).
     */
    private double appendWorkload(Duration warmup, Duration duration, boolean receipts, boolean follow, PushWorkload push)
            throws Exception {
        AppendRun run = appendRun(warmup, duration, receipts, follow, push);
        Recorder latencies = run.latencies();
        Window window = run.window();
        double perSecond = window.perSecond(latencies.count());
        String name = push != null ? "w8_w1" : follow ? "w8_streams" : receipts ? "w1r" : "w1";
        if (push != null) {
            line("W8 append_with_push events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f clients=%d", perSecond,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), W1_CLIENTS);
        } else if (follow) {
            line("W8 append_streams_only events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f clients=%d streams=%d", perSecond,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), W1_CLIENTS, (W1_CLIENTS + 1) / 2);
        } else if (receipts) {
            line("W1R append_with_receipts events_per_s=%.0f markers_per_s=%.0f p50_ms=%.2f p99_ms=%.2f clients=%d", perSecond,
                    window.perSecond(run.markers()), latencies.percentileMillis(50), latencies.percentileMillis(99), W1_CLIENTS);
            results.put("w1r_markers_per_s", Math.round(window.perSecond(run.markers())));
        } else {
            line("W1 append events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f clients=%d", perSecond,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), W1_CLIENTS);
        }
        results.put(name + "_events_per_s", Math.round(perSecond));
        results.put(name + "_p50_ms", latencies.percentileMillis(50));
        results.put(name + "_p99_ms", latencies.percentileMillis(99));
        return perSecond;
    }

    /** One run of W1 or a variant: the acknowledgement latencies of the measured window, and the markers sent in it. */
    record AppendRun(Recorder latencies, Window window, long markers) {}

    /** Runs W1 or a variant (see {@link #appendWorkload}) and reports nothing: W4 runs it beside its devices. */
    private AppendRun appendRun(Duration warmup, Duration duration, boolean receipts, boolean follow, PushWorkload push)
            throws Exception {
        List<UUID> users = randomUsers(W1_CLIENTS);
        List<EventServiceGrpc.EventServiceBlockingStub> stubs = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            stubs.add(EventServiceGrpc.newBlockingStub(channel(i % 8)).withInterceptors(auth(users.get(i))));
        }
        List<String> conversations = new ArrayList<>();
        List<AtomicReference<String[]>> newest = new ArrayList<>(); // per conversation: {message uuid, author}
        for (int k = 0; k < conversationCount(users.size()); k++) {
            String conversation = UUID.randomUUID().toString();
            List<UUID> members = members(users, k);
            stubs.get(users.indexOf(members.get(0))).sync(SyncRequest.newBuilder().addEvents(Event.newBuilder()
                    .setUuid(UUID.randomUUID().toString())
                    .setConversationCreated(ConversationCreated.newBuilder().setConversationUuid(conversation).setName("w1")
                            .addAllMemberUuids(members.stream().map(UUID::toString).toList()))).build());
            conversations.add(conversation);
            newest.add(new AtomicReference<>());
        }
        // W8: each message owes one notification to each member other than its author who holds a pusher.
        int[] owes = follow || push != null ? pushersAndStreams(users, conversations, push) : new int[W1_CLIENTS];
        Recorder latencies = new Recorder();
        AtomicLong markers = new AtomicLong();
        Window window = new Window(warmup, duration);
        ExecutorService pool = Executors.newFixedThreadPool(W1_CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < W1_CLIENTS; c++) {
            var stub = stubs.get(c);
            String me = users.get(c).toString();
            int client = c;
            int k = c / MEMBERS % conversations.size();
            String conversation = conversations.get(k);
            done.add(pool.submit(() -> {
                long start;
                long nextReceipt = System.nanoTime() + RECEIPT_INTERVAL.toNanos();
                String marked = null;
                while ((start = System.nanoTime()) < window.end()) {
                    Event message = sendEvent(conversation, "w1");
                    var result = stub.sync(SyncRequest.newBuilder().addEvents(message).build()).getResults(0);
                    long acked = System.nanoTime();
                    if (window.measures(start)) {
                        latencies.add(acked - start);
                    }
                    if (push != null && result.hasAccepted() && !result.getAccepted().getDuplicate()) {
                        push.stored(message.getUuid(), result.getAccepted().getStoredAt(), owes[client], window.measures(start));
                    }
                    if (!receipts) {
                        continue;
                    }
                    // the newest message before this one: almost always someone else's in a busy conversation
                    String[] latest = newest.get(k).getAndSet(new String[] {result.getAccepted().getMessageUuid(), me});
                    if (start >= nextReceipt && latest != null && !latest[1].equals(me) && !latest[0].equals(marked)) {
                        stub.sync(SyncRequest.newBuilder()
                                .addEvents(Event.newBuilder().setUuid(UUID.randomUUID().toString())
                                        .setMessagesDelivered(MessagesDelivered.newBuilder()
                                                .setConversationUuid(conversation).setUpToMessageUuid(latest[0])))
                                .addEvents(Event.newBuilder().setUuid(UUID.randomUUID().toString())
                                        .setReadNewMessage(ReadNewMessage.newBuilder()
                                                .setConversationUuid(conversation).setUuid(latest[0])))
                                .build());
                        marked = latest[0];
                        nextReceipt = start + RECEIPT_INTERVAL.toNanos();
                        if (window.measures(start)) {
                            markers.addAndGet(2);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return new AppendRun(latencies, window, markers.get());
    }

    // ---- W8: W1 with half the recipients offline and holding a pusher ----

    /**
     * W8: W1 without push (unless this run measured W1 already); W1 with the even users
     * following and nobody holding a pusher (the same load, without push); then W1 where the
     * even ones follow (online: no push) and the odd ones hold a pusher at the gateway this
     * generator serves: notifications per second, stored-to-POST latency, and whether every
     * notification arrived.
     */
    private void push(Duration warmup, Duration duration, double w1Measured) throws Exception {
        double w1 = Double.isNaN(w1Measured)
                ? withWalFigures("W1 for W8, warm-up included", () -> appendWorkload(warmup, duration, false, false, null)) : w1Measured;
        // The same load with the even users following and nobody holding a pusher: what push adds is the difference.
        double streamsOnly = appendWorkload(warmup, duration, false, true, null);
        awaitNotifierCaughtUp();
        try (PushWorkload push = new PushWorkload(pushGateway)) {
            long loadStart = System.nanoTime();
            double w8 = appendWorkload(warmup, duration, false, true, push);
            long loadEnd = System.nanoTime();
            long deadline = loadEnd + TimeUnit.SECONDS.toNanos(120);
            while (push.delivered() < push.expected() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double drainSeconds = (System.nanoTime() - loadEnd) / 1e9;
            Recorder latencies = push.latencies();
            // the notifications of the messages of the measured window, over that window
            double perSecond = push.measuredDelivered() / (double) duration.toSeconds();
            line("W8 push notifications_per_s=%.0f p50_ms=%.2f p99_ms=%.2f delivered=%d/%d posts=%d drain_after_load_s=%.1f"
                            + " load_s=%.1f", perSecond, latencies.percentileMillis(50), latencies.percentileMillis(99),
                    push.delivered(), push.expected(), push.posts(), drainSeconds, (loadEnd - loadStart) / 1e9);
            line("RATIO W8/W1 messages=%.2f streams_only=%.2f", w8 / w1, w8 / streamsOnly);
            results.put("w8_notifications_per_s", Math.round(perSecond));
            results.put("w8_p50_ms", latencies.percentileMillis(50));
            results.put("w8_p99_ms", latencies.percentileMillis(99));
            results.put("w8_delivered", push.delivered());
            results.put("w8_expected", push.expected());
            results.put("w8_ratio_w1", w8 / w1);
            results.put("w8_ratio_streams_only", w8 / streamsOnly);
        }
    }

    /**
     * W8's recipients: the even users open a follow stream and stay online; with {@code push}
     * (null: none) the odd users register a pusher at its gateway. Returns, per client, how many
     * notifications each of its messages owes.
     */
    private int[] pushersAndStreams(List<UUID> users, List<String> conversations, PushWorkload push) throws InterruptedException {
        CountDownLatch caughtUp = new CountDownLatch((users.size() + 1) / 2);
        for (int i = 0; i < users.size(); i++) {
            UUID user = users.get(i);
            if (i % 2 == 1) {
                if (push == null) {
                    continue;
                }
                PushServiceGrpc.newBlockingStub(channel(i % 8)).withInterceptors(auth(user)).setPusher(Pusher.newBuilder()
                        .setAppId("dev.eventsync.bench").setPushkey("w8-" + user).setGatewayUrl(push.url()).build());
            } else {
                openFollow(user, i, new StreamObserver<>() {
                    @Override
                    public void onNext(Event event) {
                        if (event.hasSyncCaughtUp()) {
                            caughtUp.countDown();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
            }
        }
        if (!caughtUp.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("W8: " + caughtUp.getCount() + " streams did not catch up");
        }
        // Another instance would see the streams in the presence table eventsync.live.presence-interval (250 ms) later.
        Thread.sleep(1000);
        int[] owes = new int[users.size()];
        for (int c = 0; c < users.size(); c++) {
            List<UUID> members = members(users, c / MEMBERS % conversations.size());
            for (UUID member : members) {
                int index = users.indexOf(member);
                if (push != null && index % 2 == 1 && index != c) {
                    owes[c]++;
                }
            }
        }
        return owes;
    }

    /** Before W8: the notifier has read past what the earlier workloads stored (their messages notify nobody). */
    private void awaitNotifierCaughtUp() throws Exception {
        long start = System.nanoTime();
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(600)) {
                try (ResultSet row = statement.executeQuery(
                        "select (select position from push_position) >= (select last_position from log_head)")) {
                    row.next();
                    if (row.getBoolean(1)) {
                        line("W8 notifier_caught_up_s=%.1f", (System.nanoTime() - start) / 1e9);
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("W8: the push notifier did not catch up with the log within 600 s");
    }

    // ---- W2: one client catching up N events ----

    /** N events in one user's feed, written straight into the log (a realistic message body each). */
    private void seedFeed(UUID reader, int events) throws SQLException {
        long start = System.nanoTime();
        try (Connection connection = jdbc()) {
            connection.setAutoCommit(false);
            byte[] body = messageEvent(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()).toByteArray();
            try (PreparedStatement seed = connection.prepareStatement("""
                    with head as (
                        update log_head set last_position = last_position + ? returning last_position - ? as base
                    ), appended as (
                        insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body)
                        select head.base + g, gen_random_uuid(), ?, 'new_message', ?, now(), ?
                        from head, generate_series(1, ?) g
                        returning position, event_uuid
                    )
                    insert into feed (user_uuid, position, event_uuid) select ?, position, event_uuid from appended""")) {
                seed.setInt(1, events);
                seed.setInt(2, events);
                seed.setObject(3, UUID.randomUUID());
                seed.setObject(4, UUID.randomUUID());
                seed.setBytes(5, body);
                seed.setInt(6, events);
                seed.setObject(7, reader);
                seed.executeUpdate();
            }
            connection.commit();
            connection.setAutoCommit(true);
            try (var analyze = connection.createStatement()) {
                analyze.execute("analyze events, feed"); // what autovacuum would soon do after such a load
            }
        }
        out.printf("(seeded %d events in one feed in %.1f s)%n", events, (System.nanoTime() - start) / 1e9);
    }

    private double baseFeedRead(UUID reader, int events) throws SQLException {
        long start = System.nanoTime();
        long rows = 0;
        try (Connection connection = jdbc();
             PreparedStatement page = connection.prepareStatement(ServerFeedPage.SQL)) {
            long position = 0;
            while (true) {
                // bound as FeedReader.pageAfter binds them, with FeedStream's defaults
                page.setLong(1, ServerFeedPage.BYTES);
                page.setObject(2, reader);
                page.setLong(3, position);
                page.setInt(4, ServerFeedPage.ROWS);
                page.setLong(5, ServerFeedPage.BYTES);
                int n = 0;
                try (ResultSet result = page.executeQuery()) {
                    while (result.next()) {
                        position = result.getLong(1);
                        Event.parseFrom(result.getBytes(2));
                        n++;
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
                if (n == 0) {
                    break;
                }
                rows += n;
            }
        }
        double perSecond = rows / ((System.nanoTime() - start) / 1e9);
        line("BASE jdbc_feed_read rows_per_s=%.0f rows=%d", perSecond, rows);
        results.put("base_feed_read_rows_per_s", Math.round(perSecond));
        if (rows != events) {
            throw new IllegalStateException("BASE read " + rows + " rows, expected " + events);
        }
        return perSecond;
    }

    private double catchUp(UUID reader, int events, boolean report) throws Exception {
        ManagedChannel direct = ManagedChannelBuilder.forTarget(grpcTarget).usePlaintext().directExecutor().build();
        channels.add(direct);
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        EventServiceGrpc.EventServiceStub stub = EventServiceGrpc.newStub(direct).withInterceptors(auth(reader));
        Throwable failure = drain(observer -> stub.syncFromServer(SyncFromServerRequest.getDefaultInstance(), observer),
                (Event event) -> {
                    if (!event.hasSyncCaughtUp()) {
                        count.incrementAndGet();
                    }
                });
        if (failure != null) {
            throw new IllegalStateException("W2 stream failed", failure);
        }
        long received = count.get();
        double perSecond = received / ((System.nanoTime() - start) / 1e9);
        if (received != events) {
            throw new IllegalStateException("W2 received " + received + " events, expected " + events);
        }
        if (!report) {
            return perSecond;
        }
        long heap = serverHeapMb();
        line("W2 catchup events_per_s=%.0f events=%d server_heap_mb=%d", perSecond, received, heap);
        results.put("w2_events_per_s", Math.round(perSecond));
        results.put("w2_events", received);
        results.put("w2_server_heap_mb", heap);
        return perSecond;
    }

    // ---- W5: a first sync by Snapshot against the full replay of the same feed ----

    static final int W5_MESSAGES = 20;

    private void firstSync(int conversations, int feedEvents) throws Exception {
        long start = System.nanoTime();
        HistorySeed.Seeded seeded;
        try (Connection connection = jdbc()) {
            seeded = HistorySeed.seed(connection, conversations, (feedEvents - conversations) / conversations);
        }
        out.printf("(seeded %d conversations, %d events in one feed in %.1f s)%n", conversations, seeded.events(),
                (System.nanoTime() - start) / 1e9);
        // Warm-up: the same calls, not reported (JIT of both JVMs, the seeded pages into the cache).
        snapshotMillis(seeded);
        catchUp(seeded.user(), (int) seeded.events(), false);
        SnapshotRun run = snapshotMillis(seeded);
        double snapshot = run.millis();
        double replay = seeded.events() / catchUp(seeded.user(), (int) seeded.events(), false) * 1000;
        long heap = serverHeapMb();
        line("W5 first_sync snapshot_ms=%.0f replay_ms=%.0f ratio=%.1f conversations=%d feed_events=%d server_heap_mb=%d",
                snapshot, replay, replay / snapshot, conversations, seeded.events(), heap);
        // What each one carries: the ratio of the bytes bounds the ratio of the times, unless the
        // snapshot produces a byte faster than the replay streams a stored one.
        long replayBytes = feedBodyBytes(seeded.user());
        out.printf("(W5 bytes: snapshot %.1f MB in %d items, replay %.1f MB of stored event bodies: %.0fx the data)%n",
                run.bytes() / 1e6, run.items(), replayBytes / 1e6, (double) replayBytes / run.bytes());
        results.put("w5_snapshot_ms", Math.round(snapshot));
        results.put("w5_replay_ms", Math.round(replay));
        results.put("w5_server_heap_mb", heap);
    }

    record SnapshotRun(double millis, long bytes, long items) {}

    private long feedBodyBytes(UUID user) throws SQLException {
        try (Connection connection = jdbc();
                PreparedStatement select = connection.prepareStatement(
                        "select sum(octet_length(e.body)) from feed f join events e on e.position = f.position where f.user_uuid = ?")) {
            select.setObject(1, user);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** One complete Snapshot read as fast as the client can, every item counted and checked. */
    private SnapshotRun snapshotMillis(HistorySeed.Seeded seeded) throws Exception {
        ManagedChannel direct = ManagedChannelBuilder.forTarget(grpcTarget).usePlaintext().directExecutor().build();
        channels.add(direct);
        List<String> problems = new ArrayList<>();
        AtomicInteger conversations = new AtomicInteger();
        AtomicInteger ends = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        AtomicLong items = new AtomicLong();
        long start = System.nanoTime();
        EventServiceGrpc.EventServiceStub stub = EventServiceGrpc.newStub(direct).withInterceptors(auth(seeded.user()));
        Throwable failure = drain(observer -> stub.snapshot(
                SnapshotRequest.newBuilder().setMessagesPerConversation(W5_MESSAGES).build(), observer), (SnapshotItem item) -> {
                    bytes.addAndGet(item.getSerializedSize());
                    items.incrementAndGet();
                    if (ends.get() > 0) {
                        problems.add("an item after the end");
                    }
                    if (item.hasEnd()) {
                        ends.incrementAndGet();
                    } else if (item.hasConversation()) {
                        conversations.incrementAndGet();
                        ConversationView view = item.getConversation();
                        if (view.getLastMessagesCount() != W5_MESSAGES || view.getMembersCount() != 2) {
                            problems.add(view.getConversationUuid() + ": " + view.getLastMessagesCount() + " messages, "
                                    + view.getMembersCount() + " members");
                        }
                    }
                });
        double millis = (System.nanoTime() - start) / 1e6;
        if (failure != null) {
            throw new IllegalStateException("W5 snapshot failed", failure);
        }
        if (conversations.get() != seeded.conversations().size() || ends.get() != 1 || !problems.isEmpty()) {
            throw new IllegalStateException("W5 snapshot: " + conversations.get() + " conversations, " + ends.get()
                    + " ends, " + problems.subList(0, Math.min(3, problems.size())));
        }
        return new SnapshotRun(millis, bytes.get(), items.get());
    }

    /**
     * Reads one server stream to its end as a phone's client does, as fast as it can: each
     * message handled on the transport's own thread (a blocking iterator would hand every
     * message over between threads and measure that). Returns the stream's failure, or null.
     */
    private static <T> Throwable drain(Consumer<StreamObserver<T>> call, Consumer<T> each) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        call.accept(new StreamObserver<>() {
            @Override
            public void onNext(T message) {
                each.accept(message);
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        done.await();
        return failure.get();
    }

    // ---- W6: History pages at depths of one long conversation ----

    static final int W6_PAGE = 50;
    /** "At that depth, ± a little": samples spread over this many messages either side. */
    static final int W6_JITTER = 20;

    private void history(int[] depths) throws Exception {
        int deepest = Arrays.stream(depths).max().orElseThrow();
        int messages = deepest + W6_PAGE + 1000;
        long start = System.nanoTime();
        HistorySeed.Seeded seeded;
        try (Connection connection = jdbc()) {
            seeded = HistorySeed.seed(connection, 1, messages);
        }
        out.printf("(seeded one conversation of %d messages in %.1f s)%n", messages, (System.nanoTime() - start) / 1e9);
        int samples = quick ? 300 : 1000;
        UUID conversation = seeded.conversations().get(0);
        // depth d' = messages newer than the page: the page before the message of seq N - d' + 1
        long[][] seqs = new long[depths.length][samples];
        List<Long> wanted = new ArrayList<>();
        for (int d = 0; d < depths.length; d++) {
            for (int i = 0; i < samples; i++) {
                int depth = Math.max(0, Math.min(deepest, depths[d] + ThreadLocalRandom.current().nextInt(-W6_JITTER, W6_JITTER + 1)));
                seqs[d][i] = depth == 0 ? 0 : messages - depth + 1;
                wanted.add(seqs[d][i]);
            }
        }
        Map<Long, String> uuids = new ConcurrentHashMap<>();
        try (Connection connection = jdbc(); PreparedStatement select = connection.prepareStatement(
                "select seq, message_uuid from messages where conversation_uuid = ? and seq = any(?)")) {
            select.setObject(1, conversation);
            select.setArray(2, connection.createArrayOf("bigint", wanted.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    uuids.put(rows.getLong(1), rows.getString(2));
                }
            }
        }
        ManagedChannel channel = ManagedChannelBuilder.forTarget(grpcTarget).usePlaintext().build();
        channels.add(channel);
        EventServiceGrpc.EventServiceBlockingStub stub = EventServiceGrpc.newBlockingStub(channel)
                .withInterceptors(auth(seeded.user()));
        for (int round = 0; round < 2; round++) { // the first round warms up, unreported
            for (int d = 0; d < depths.length; d++) {
                Recorder latencies = new Recorder();
                for (long seq : seqs[d]) {
                    HistoryRequest.Builder request = HistoryRequest.newBuilder().setConversationUuid(conversation.toString())
                            .setLimit(W6_PAGE);
                    if (seq > 0) {
                        request.setBeforeMessageUuid(uuids.get(seq));
                    }
                    long begin = System.nanoTime();
                    HistoryPage page = stub.history(request.build());
                    latencies.add(System.nanoTime() - begin);
                    if (page.getMessagesCount() != W6_PAGE) {
                        throw new IllegalStateException("W6: a page of " + page.getMessagesCount() + " before seq " + seq);
                    }
                }
                if (round == 1) {
                    line("W6 history depth=%d p50_ms=%.2f p99_ms=%.2f samples=%d messages=%d", depths[d],
                            latencies.percentileMillis(50), latencies.percentileMillis(99), samples, messages);
                    results.put("w6_depth_" + depths[d] + "_p50_ms", latencies.percentileMillis(50));
                    results.put("w6_depth_" + depths[d] + "_p99_ms", latencies.percentileMillis(99));
                }
            }
        }
    }

    // ---- helpers ----

    private void openFollow(UUID user, int index, StreamObserver<Event> observer) {
        EventServiceGrpc.newStub(channel(index % 16)).withInterceptors(auth(user))
                .syncFromServer(SyncFromServerRequest.newBuilder().setFollow(true).build(), observer);
    }

    private synchronized ManagedChannel channel(int index) {
        while (channels.size() <= index) {
            channels.add(ManagedChannelBuilder.forTarget(grpcTarget).usePlaintext().maxInboundMessageSize(16 << 20).build());
        }
        return channels.get(index);
    }

    private ClientInterceptor auth(UUID user) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + DevelopmentTokens.mint(secret, user, Duration.ofHours(2), Instant.now()));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** Runs the work, then prints the WAL written, checkpoints counted and WAL files created meanwhile. */
    private <T> T withWalFigures(String during, Callable<T> work) throws Exception {
        if (jdbcUrl == null) {
            return work.call();
        }
        Wal before = wal();
        T result = work.call();
        Wal after = wal();
        out.printf("(during %s: %d MB of WAL written, %d checkpoints counted, %s WAL segment files created)%n",
                during, (after.bytes() - before.bytes()) >> 20, after.checkpoints() - before.checkpoints(),
                // a checkpoint removes or recycles files, so the difference would not count creations
                before.files() < 0 || after.checkpoints() != before.checkpoints()
                        ? "an unknown number of" : String.valueOf(after.files() - before.files()));
        return result;
    }

    /** WAL bytes written, checkpoints counted, WAL segment files in pg_wal (-1: this role may not list them). */
    private record Wal(long bytes, long checkpoints, long files) {}

    /**
     * The WAL figures now. Checkpoints are timed and requested ones, as the statistics report
     * them. A checkpoint starts once about max_wal_size / 1.9 of WAL was written since the last
     * one; after it, the first change to every page writes a full-page image, which shows in W1's
     * latencies.
     */
    private Wal wal() throws SQLException {
        try (Connection connection = jdbc(); var statement = connection.createStatement()) {
            String checkpoints = connection.getMetaData().getDatabaseMajorVersion() >= 17
                    ? "(select num_timed + num_requested from pg_stat_checkpointer)"
                    : "(select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)";
            try (ResultSet row = statement.executeQuery(
                    "select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, " + checkpoints)) {
                row.next();
                return new Wal(row.getLong(1), row.getLong(2), walFiles(statement, ""));
            }
        }
    }

    /** WAL segment files in pg_wal that match the condition; -1 when this role may not list them (superuser or pg_monitor). */
    private static long walFiles(Statement statement, String andCondition) {
        try (ResultSet row = statement.executeQuery(
                "select count(*) from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$'" + andCondition)) {
            row.next();
            return row.getLong(1);
        } catch (SQLException notAllowed) {
            return -1;
        }
    }

    /**
     * A database that has run for a while reuses its WAL segment files: each checkpoint renames
     * the old ones for future use. A fresh cluster instead creates and zero-fills a new 16 MB file
     * every 16 MB of WAL, and the commit that crosses into it waits (wait events IO:WalInitWrite
     * and IO:WalInitSync): that was W1's p99 (README, Performance). So before measuring, write
     * {@code segments} files' worth of WAL and checkpoint: the files are recycled, as in steady
     * state, up to about max_wal_size of them. Durability is untouched. Needs the rights to
     * checkpoint and switch WAL files (superuser; or pg_checkpoint and EXECUTE on pg_switch_wal);
     * without them the run goes on, on the fresh cluster, and says so.
     */
    private void recycleWalSegments(int segments) {
        if (jdbcUrl == null) {
            out.println("(WAL: no --jdbc, so the database's WAL files are measured as they are)");
            return;
        }
        if (database != BenchmarkDatabase.Kind.BENCHMARK) {
            out.println("(WAL: left as it is: not a database the load generator created)");
            return;
        }
        try (Connection connection = jdbc(); var statement = connection.createStatement()) {
            statement.execute("checkpoint"); // first: never leave the WAL written below un-checkpointed
            for (int i = 0; i < segments; i++) {
                statement.execute("select pg_logical_emit_message(false, 'eventsync-bench', 'wal')");
                statement.execute("select pg_switch_wal()");
            }
            statement.execute("checkpoint");
            long ready = walFiles(statement, " and name > pg_walfile_name(pg_current_wal_lsn())");
            out.println(ready < 0
                    ? "(WAL: " + segments + " files' worth written and checkpointed; this role cannot count them)"
                    : "(WAL: " + ready + " segment files ready for reuse, as on a database in steady state)");
        } catch (SQLException e) {
            out.printf("(WAL: could not prepare segment files for reuse, measuring a fresh cluster: %s)%n", e.getMessage());
        }
    }

    private Connection jdbc() throws SQLException {
        if (jdbcUrl == null) {
            throw new IllegalStateException("--jdbc <url> is required (BASE and the W2 seed write to PostgreSQL directly)");
        }
        return DriverManager.getConnection(jdbcUrl);
    }

    /** The server's heap in use after a GC it was asked for is not possible remotely: heap used now, in MiB. */
    private long serverHeapMb() throws IOException, InterruptedException {
        String value = metric("jvm.memory.used", "area:heap");
        return value == null ? -1 : Math.round(Double.parseDouble(value) / (1024 * 1024));
    }

    private String metric(String name, String tag) throws IOException, InterruptedException {
        String url = httpBase + "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher value = Pattern.compile("\"value\"\\s*:\\s*([0-9.Ee+-]+)").matcher(response.body());
        return value.find() ? value.group(1) : null;
    }

    static Event sendEvent(String conversation, String text) {
        return Event.newBuilder().setUuid(UUID.randomUUID().toString())
                .setSendingNewMessage(SendingNewMessage.newBuilder().setLocalUuid(UUID.randomUUID().toString())
                        .setMessage(Message.newBuilder().setConversationUuid(conversation).setText(text))).build();
    }

    static Event messageEvent(UUID eventUuid, UUID messageUuid, UUID author, UUID conversation) {
        return Event.newBuilder().setUuid(eventUuid.toString()).setAuthorUuid(author.toString())
                .setNewMessage(NewMessage.newBuilder().setUuid(messageUuid.toString()).setLocalUuid(UUID.randomUUID().toString())
                        .setMessage(Message.newBuilder().setUuid(messageUuid.toString()).setConversationUuid(conversation.toString())
                                .setAuthorUuid(author.toString()).setText("a message of a realistic length, about sixty chars")))
                .build();
    }

    private static List<UUID> randomUsers(int n) {
        List<UUID> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            users.add(UUID.randomUUID());
        }
        return users;
    }

    private static int conversationCount(int users) {
        return (users + MEMBERS - 1) / MEMBERS;
    }

    /** Conversation k's members: 10 consecutive users, wrapping around. */
    private static List<UUID> members(List<UUID> users, int k) {
        List<UUID> members = new ArrayList<>(MEMBERS);
        for (int i = 0; i < MEMBERS; i++) {
            members.add(users.get((k * MEMBERS + i) % users.size()));
        }
        return members;
    }

    private void line(String format, Object... args) {
        out.printf(format + "%n", args);
    }

    private static String json(Map<String, Object> results) {
        StringBuilder json = new StringBuilder("{\n");
        results.forEach((k, v) -> json.append("  \"").append(k).append("\": ").append(v).append(",\n"));
        if (!results.isEmpty()) {
            json.setLength(json.length() - 2);
        }
        return json.append("\n}\n").toString();
    }

    /** Latencies in nanoseconds, thread-safe. */
    static final class Recorder {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        synchronized int count() {
            return size;
        }

        synchronized double percentileMillis(int p) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int index = Math.max(0, Math.min(size - 1, (int) Math.ceil(p / 100.0 * size) - 1));
            return sorted[index] / 1e6;
        }
    }
}
