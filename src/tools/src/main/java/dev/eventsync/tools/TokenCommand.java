package dev.eventsync.tools;

import dev.eventsync.client.cli.DevelopmentTokens;
import dev.eventsync.events.Uuids;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * {@code java -jar eventsync-tools.jar token [user-uuid] [--ttl=24h|P1D|none]}: prints a token for the
 * user (a new random uuid when none is given), signed with EVENTSYNC_AUTH_JWT_SECRET, or with the
 * development secret when that is not set. A token without expiry ({@code --ttl=none}) is accepted
 * only by a server in development mode: every other one requires {@code exp}.
 */
public final class TokenCommand {

    private TokenCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        UUID user = null;
        Duration ttl = Duration.ofHours(24);
        for (String arg : args) {
            if (arg.startsWith("--ttl=")) {
                String value = arg.substring("--ttl=".length());
                try {
                    ttl = value.equals("none") ? null : parseDuration(value);
                } catch (DateTimeParseException e) {
                    err.println("--ttl must be like 30m, 24h, 7d, an ISO-8601 duration, or none; got " + value);
                    return 2;
                }
            } else if (user == null && !arg.startsWith("-")) {
                user = Uuids.parse(arg);
                if (user == null) {
                    err.println("the user must be a canonical lowercase, non-nil uuid; got " + arg);
                    return 2;
                }
            } else {
                err.println("usage: token [user-uuid] [--ttl=24h|none]");
                return 2;
            }
        }
        if (user == null) {
            user = UUID.randomUUID();
            err.println("user: " + user);
        }
        String secret = System.getenv("EVENTSYNC_AUTH_JWT_SECRET");
        if (secret == null || secret.isEmpty()) {
            secret = DevelopmentTokens.DEVELOPMENT_SECRET;
            err.println("EVENTSYNC_AUTH_JWT_SECRET is not set: signing with the development secret"
                    + " (accepted only by a server in development mode)");
        }
        try {
            out.println(DevelopmentTokens.mint(secret, user, ttl, Instant.now()));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static Duration parseDuration(String value) {
        if (value.matches("\\d+[smhd]")) {
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            switch (value.charAt(value.length() - 1)) {
                case 's': return Duration.ofSeconds(amount);
                case 'm': return Duration.ofMinutes(amount);
                case 'h': return Duration.ofHours(amount);
                default: return Duration.ofDays(amount);
            }
        }
        return Duration.parse(value);
    }
}
