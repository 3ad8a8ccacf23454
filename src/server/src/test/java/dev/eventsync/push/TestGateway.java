package dev.eventsync.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Matrix push gateway served inside the test on 127.0.0.1: records every request, and answers
 * each pushkey's requests as scripted (in order; 200 {} once the script is used up): a status, a
 * body such as {"rejected": [...]}, or a delay beyond the server's request timeout.
 */
final class TestGateway implements AutoCloseable {

    static final String PATH = "/_matrix/push/v1/notify";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One request as received, with the answer it got. */
    record Request(Instant at, JsonNode body, int status) {
        JsonNode notification() {
            return body.path("notification");
        }

        String pushkey() {
            return notification().path("devices").path(0).path("pushkey").asString();
        }

        String eventId() {
            return notification().path("event_id").asString("");
        }

        boolean countsOnly() {
            return !notification().has("event_id");
        }
    }

    /** A scripted answer: status, body, and a delay before answering. */
    record Answer(int status, String body, Duration delay) {
        static Answer status(int status) {
            return new Answer(status, "{}", Duration.ZERO);
        }

        static Answer rejecting(String... pushkeys) {
            return new Answer(200, "{\"rejected\": [" + String.join(",", List.of(pushkeys).stream().map(k -> "\"" + k + "\"").toList())
                    + "]}", Duration.ZERO);
        }

        static Answer after(Duration delay) {
            return new Answer(200, "{}", delay);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Duration slowness = Duration.ZERO;

    TestGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(PATH, this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The allowlist entry for this gateway. */
    String allowlistEntry() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    void script(String pushkey, Answer... answers) {
        scripts.computeIfAbsent(pushkey, k -> new ArrayDeque<>()).addAll(List.of(answers));
    }

    /**
     * Every unscripted request is recorded as accepted (200) when it arrives and answered after
     * this long: a slow but working gateway, so that the server under test is busy sending.
     */
    void answerEachAfter(Duration slowness) {
        this.slowness = slowness;
    }

    /** From now on this pushkey's requests are answered 200 {}. */
    void unscript(String pushkey) {
        scripts.remove(pushkey);
    }

    List<Request> requestsFor(String pushkey) {
        return requests.stream().filter(r -> r.pushkey().equals(pushkey)).toList();
    }

    /** The event ids this pushkey's gateway accepted (2xx), in the order received. */
    List<String> deliveredEventIds(String pushkey) {
        List<String> ids = new ArrayList<>();
        for (Request request : requestsFor(pushkey)) {
            if (request.status() == 200 && !request.countsOnly()) {
                ids.add(request.eventId());
            }
        }
        return ids;
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String pushkey = body.path("notification").path("devices").path(0).path("pushkey").asString();
        Deque<Answer> script = scripts.get(pushkey);
        Answer answer = script == null ? null : script.poll();
        Duration slow = Duration.ZERO;
        if (answer == null) {
            answer = Answer.status(200);
            slow = slowness;
        }
        requests.add(new Request(Instant.now(), body, answer.delay().isZero() ? answer.status() : -1));
        if (!slow.isZero()) {
            try {
                closing.await(slow.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!answer.delay().isZero()) {
            try {
                closing.await(answer.delay().toMillis(), TimeUnit.MILLISECONDS); // the server under test gives up first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] response = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(answer.status(), response.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response);
            }
        } catch (IOException e) {
            // the server under test timed out and went away
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
