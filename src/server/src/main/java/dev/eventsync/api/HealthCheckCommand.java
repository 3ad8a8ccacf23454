package dev.eventsync.api;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar eventsync.jar healthcheck [port]}: exit 0 when the local server answers the
 * standard gRPC health check with SERVING (for container health checks; no Spring is started).
 */
public final class HealthCheckCommand {

    private HealthCheckCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9090;
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus();
            out.println(status);
            return status == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
        } catch (StatusRuntimeException e) {
            err.println("not healthy: " + e.getStatus());
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }
}
