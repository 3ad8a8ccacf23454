package dev.eventsync.tools;

import dev.eventsync.bench.LiveLatency;
import dev.eventsync.bench.LoadGenerator;
import dev.eventsync.client.cli.ChatCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar eventsync-tools.jar chat|token|bench|bench-live ...}: the tools of a developer
 * or an operator, outside the server's jar (they need only the client library and the stubs).
 */
public final class EventsyncTools {

    private EventsyncTools() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        String tool = args.length == 0 ? "" : args[0];
        return switch (tool) {
            case "chat" -> ChatCommand.run(rest, out, err);
            case "token" -> TokenCommand.run(rest, out, err);
            case "bench" -> LoadGenerator.run(rest, out, err);
            case "bench-live" -> LiveLatency.run(rest, out);
            default -> {
                err.println("usage: java -jar eventsync-tools.jar chat|token|bench|bench-live [arguments]");
                err.println("  chat        the terminal chat client (chat --help)");
                err.println("  token       a development token: token [user-uuid] [--ttl=24h|none]");
                err.println("  bench       the load generator of bench/run.sh, on a benchmark database only");
                err.println("  bench-live  live-delivery latency against a running server");
                yield tool.isEmpty() || tool.equals("--help") || tool.equals("help") ? 0 : 2;
            }
        };
    }
}
