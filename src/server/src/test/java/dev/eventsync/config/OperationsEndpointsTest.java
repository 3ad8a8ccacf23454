package dev.eventsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.Servers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Health, readiness and Prometheus metrics on the operations HTTP port. */
class OperationsEndpointsTest {

    @Test
    void healthReadinessAndMetricsAreServedOverHttp() throws Exception {
        ConfigurableApplicationContext server = Servers.startOnTestDatabase(Map.of());
        try (Api api = new Api(Servers.port(server))) {
            api.newUser().submit(Events.createConversation(Events.newUuid(), "metrics"));
            int http = server.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> readiness = get(client, http, "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"db\"").contains("\"live\"").contains("\"UP\"");

            // Statuses only: no database product, validation query, disk path or stream counts.
            HttpResponse<String> health = get(client, http, "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"push\"")
                    .doesNotContain("\"details\"").doesNotContain("PostgreSQL").doesNotContain("followStreams")
                    .doesNotContain("\"path\"").doesNotContain("\"free\"");
            assertThat(readiness.body()).doesNotContain("\"details\"");

            String metrics = get(client, http, "/actuator/prometheus").body();
            assertThat(metrics)
                    .contains("eventsync_events_appended_total")
                    .contains("eventsync_append_commit_seconds")
                    .contains("eventsync_append_batch_events")
                    .contains("eventsync_feed_rows_written_total")
                    .contains("eventsync_follow_streams")
                    .contains("eventsync_push_notifications_sent_total")
                    .contains("eventsync_push_notifications_pending")
                    .contains("eventsync_push_lag_seconds")
                    .contains("grpc_server_seconds_count{error=\"none\",grpc_status_code=\"OK\",rpc_method=\"Sync\"");
        } finally {
            server.close();
        }
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
