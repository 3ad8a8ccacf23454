package dev.eventsync;

import java.io.PrintStream;
import java.util.List;

/** What {@code java -jar eventsync.jar --help} prints instead of starting a server. */
final class Usage {

    static final List<String> HELP = List.of("--help", "-h", "help");

    private Usage() {}

    static boolean asked(String[] args) {
        return args.length > 0 && HELP.contains(args[0]);
    }

    static void print(PrintStream out) {
        out.println("""
                eventsync server: the gRPC service eventsync.v1.EventService on PostgreSQL.

                usage:
                  java -jar eventsync.jar [--property=value ...]   run the server (gRPC :9090, operations HTTP :9091)
                  java -jar eventsync.jar healthcheck [port]       gRPC health check of a local server (exit 0: serving)
                  java -jar eventsync.jar migrate                  migrate the schema as the owner role, then exit
                  java -jar eventsync.jar --help                   this text

                With no spring.datasource.url the server runs in development mode: an embedded PostgreSQL
                in .eventsync/postgres (eventsync.dev.data-dir) and the public development JWT secret. The
                embedded binaries are not in this jar: add them with
                  java -Dloader.path=src/server/target/dev-lib -jar src/server/target/eventsync.jar

                Production: SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD,
                EVENTSYNC_AUTH_JWT_SECRET (or eventsync.auth.issuer-uri), EVENTSYNC_DEV_ENABLED=false, and
                EVENTSYNC_MEDIA_FILESYSTEM_ROOT where media bytes live (default /var/lib/eventsync/media).
                Every property (README, Configuration) is also an environment variable or a --name=value
                argument. Tokens, the terminal chat and the load generator are in eventsync-tools.jar.""");
    }
}
