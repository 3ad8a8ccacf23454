package dev.eventsync.bench;

import com.sun.net.httpserver.HttpExchange;
import com.google.protobuf.Timestamp;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W8's push gateway, served by the load generator: a Matrix push gateway on 127.0.0.1 that
 * answers 200 {} at once and notes when each (event_id, pushkey) arrived, and the messages' side:
 * when each was stored (the server's stored_at, on the same machine's clock) and how many
 * notifications it owes. The latencies (stored to POST) are computed at the end, since a POST may
 * arrive before its sender saw the acknowledgement.
 */
final class PushWorkload implements AutoCloseable {

    static final String PATH = "/_matrix/push/v1/notify";
    // The gateway only needs the two ids; a JSON library for them would be the only one of the tools jar.
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final Pattern PUSHKEY = Pattern.compile("\"pushkey\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpServer server;
    /** event uuid → its stored_at (epoch nanoseconds): the same clock as the arrivals, server and generator on one machine. */
    private final Map<String, Long> ackedAt = new ConcurrentHashMap<>();
    /** "event uuid pushkey" → when its POST first arrived (epoch nanoseconds); resends are not counted again. */
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Set<String> measured = ConcurrentHashMap.newKeySet();
    private final AtomicLong expected = new AtomicLong();
    private final AtomicLong posts = new AtomicLong();

    PushWorkload(String hostAndPort) throws IOException {
        String[] parts = hostAndPort.split(":");
        // The JDK's server leaves Nagle on by default: its response then waits for the client's
        // delayed ACK, about 40 ms per request, which capped W8 near 8 / 40 ms = 200 POSTs/s.
        // Gateways in production (Sygnal, ntfy) answer without that wait. Read when the first
        // server is created, which is this one in the load generator.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 512);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext(PATH, this::handle);
        server.start();
    }

    /** The notify URL the pushers register (the server must allow it: eventsync.push.allowed-gateways). */
    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + PATH;
    }

    /** A message was stored at {@code storedAt}; {@code owed} of its recipients hold a pusher and no stream. */
    void stored(String eventUuid, Timestamp storedAt, int owed, boolean inWindow) {
        ackedAt.put(eventUuid, TimeUnit.SECONDS.toNanos(storedAt.getSeconds()) + storedAt.getNanos());
        expected.addAndGet(owed);
        if (inWindow) {
            measured.add(eventUuid);
        }
    }

    long expected() {
        return expected.get();
    }

    /** Distinct notifications received (each message to each pusher once). */
    long delivered() {
        return arrivals.size();
    }

    /** POSTs received, resends included. */
    long posts() {
        return posts.get();
    }

    /** Stored-to-POST latencies of the notifications of the measured messages. */
    LoadGenerator.Recorder latencies() {
        LoadGenerator.Recorder recorder = new LoadGenerator.Recorder();
        arrivals.forEach((key, at) -> {
            String event = key.substring(0, key.indexOf(' '));
            Long acked = ackedAt.get(event);
            if (acked != null && measured.contains(event)) {
                recorder.add(Math.max(0, at - acked));
            }
        });
        return recorder;
    }

    /** Notifications of the measured messages that arrived. */
    long measuredDelivered() {
        return arrivals.keySet().stream().filter(key -> measured.contains(key.substring(0, key.indexOf(' ')))).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant arrived = Instant.now();
        long now = TimeUnit.SECONDS.toNanos(arrived.getEpochSecond()) + arrived.getNano();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        posts.incrementAndGet();
        Matcher event = EVENT_ID.matcher(body);
        Matcher pushkey = PUSHKEY.matcher(body);
        if (event.find() && pushkey.find()) { // counts-only notifications carry no event_id
            arrivals.putIfAbsent(event.group(1) + " " + pushkey.group(1), now);
        }
        byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
