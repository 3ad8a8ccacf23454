package dev.eventsync;

import dev.eventsync.api.HealthCheckCommand;
import dev.eventsync.auth.TokenCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The eventsync server. The same jar also answers two small commands that must not start the
 * server: {@code token} (mint a development token) and {@code healthcheck} (for containers).
 */
@SpringBootApplication
public class EventsyncApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("healthcheck")) {
            System.exit(HealthCheckCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        SpringApplication.run(EventsyncApplication.class, args);
    }
}
