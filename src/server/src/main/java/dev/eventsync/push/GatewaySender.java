package dev.eventsync.push;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * POSTs notifications to gateways with the JDK's HttpClient, on the notifier's threads, with
 * connect and request timeouts and at most {@code maxConcurrentPerGateway} requests in flight per
 * gateway URL (the client lives as long as the executor it is given). The allowlist is consulted again for every request: the operator may have shrunk
 * it since the pusher was registered, and the server never connects where it does not allow.
 */
final class GatewaySender {

    /** What became of one request (API.md): 2xx delivered; network error, timeout, 429, 5xx retried; else dropped. */
    enum Outcome { DELIVERED, RETRY, DROPPED, NOT_ALLOWED }

    record Result(Outcome outcome, List<String> rejected, String detail) {}

    private final HttpClient client;
    private final GatewayAllowlist allowlist;
    private final PushProperties properties;
    private final ConcurrentHashMap<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    GatewaySender(GatewayAllowlist allowlist, PushProperties properties, ExecutorService executor) {
        this.allowlist = allowlist;
        this.properties = properties;
        this.client = HttpClient.newBuilder().connectTimeout(properties.connectTimeout()).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could lead outside the allowlist
                .build();
    }

    Result send(Notification notification) throws InterruptedException {
        String url = notification.target().gatewayUrl();
        if (!allowlist.allows(url)) {
            return new Result(Outcome.NOT_ALLOWED, List.of(), "gateway no longer in eventsync.push.allowed-gateways");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(properties.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(notification.body(), StandardCharsets.UTF_8)).build();
        Semaphore gateway = inFlight.computeIfAbsent(url, u -> new Semaphore(properties.maxConcurrentPerGateway()));
        gateway.acquire();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Result(Outcome.DELIVERED, MatrixPayload.rejected(response.body()), "HTTP " + status);
            }
            return new Result(status == 429 || status >= 500 ? Outcome.RETRY : Outcome.DROPPED, List.of(), "HTTP " + status);
        } catch (IOException e) {
            return new Result(Outcome.RETRY, List.of(), e.toString()); // HttpTimeoutException included
        } finally {
            gateway.release();
        }
    }
}
