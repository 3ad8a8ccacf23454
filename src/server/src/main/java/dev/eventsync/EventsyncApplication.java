package dev.eventsync;

import dev.eventsync.api.HealthCheckCommand;
import dev.eventsync.auth.TokenCommand;
import dev.eventsync.bench.LiveLatency;
import dev.eventsync.bench.LoadGenerator;
import dev.eventsync.client.cli.ChatCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The eventsync server. The same jar also answers small commands that must not start the
 * server: {@code token} (mint a development token), {@code healthcheck} (for containers) and
 * {@code bench} and {@code bench-live} (load generators against a running server) and {@code chat}
 * (the terminal client of the reference client library).
 */
@SpringBootApplication
public class EventsyncApplication {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("healthcheck")) {
            System.exit(HealthCheckCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(LoadGenerator.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("bench-live")) {
            System.exit(LiveLatency.run(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        if (args.length > 0 && args[0].equals("chat")) {
            System.exit(ChatCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        SpringApplication.run(EventsyncApplication.class, args);
    }
}
