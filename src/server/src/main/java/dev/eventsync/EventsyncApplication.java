package dev.eventsync;

import dev.eventsync.api.HealthCheckCommand;
import dev.eventsync.config.MigrateCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The eventsync server. The same jar also answers two commands that must not start a server:
 * {@code healthcheck} (for containers) and {@code migrate} (the schema, as the owner role, then
 * exit); {@code --help} prints the usage. The chat, token and load-generator commands are in the
 * tools jar.
 */
@SpringBootApplication
public class EventsyncApplication {

    public static void main(String[] args) throws Exception {
        if (Usage.asked(args)) {
            Usage.print(System.out);
            return;
        }
        if (args.length > 0 && args[0].equals("healthcheck")) {
            System.exit(HealthCheckCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("migrate")) {
            System.exit(MigrateCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        StopSignal.exitZeroOnSigterm();
        SpringApplication.run(EventsyncApplication.class, args);
    }
}
