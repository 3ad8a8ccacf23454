package dev.eventsync.client.cli;

import dev.eventsync.client.BearerToken;
import dev.eventsync.client.ClientListener;
import dev.eventsync.client.ClientStore;
import dev.eventsync.client.ConnectionState;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.client.LocalModel;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code java -jar eventsync-tools.jar chat [options] <command>}: a terminal chat on the reference
 * client. Everything it shows comes from the local SQLite file; commands that change something
 * queue an event durably first, then wait up to {@code --wait} for the server. Offline, the
 * event stays queued and goes out on the next run that reaches the server.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Terminal chat on the eventsync reference client (offline-first).",
        subcommands = {ChatCommand.Login.class, ChatCommand.Whoami.class, ChatCommand.ListConversations.class,
                ChatCommand.Create.class, ChatCommand.Add.class, ChatCommand.Send.class, ChatCommand.Read.class,
                ChatCommand.Watch.class, ChatCommand.SyncNow.class, ChatCommand.Pending.class})
public final class ChatCommand implements Callable<Integer> {

    @Option(names = "--server", defaultValue = "localhost:9090", description = "host:port of the server (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--db", defaultValue = "eventsync-client.db", description = "the local SQLite file (default: ${DEFAULT-VALUE})")
    Path db;

    @Option(names = "--token", description = "a JWT for this user (else the one saved by `login`, else $EVENTSYNC_TOKEN)")
    String token;

    @Option(names = "--tls", description = "use TLS (default: plaintext, as a development server speaks)")
    boolean tls;

    @Option(names = "--wait", defaultValue = "5s", description = "how long a command waits for the server before leaving events queued (default: ${DEFAULT-VALUE})")
    String wait;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    InputStream in = System.in;

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        ChatCommand chat = new ChatCommand();
        chat.in = in;
        CommandLine line = new CommandLine(chat).setOverwrittenOptionsAllowed(true);
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return 1;
        });
        return line.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Duration waitDuration() {
        String value = wait.trim();
        if (value.matches("\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.matches("\\d+s")) {
            return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.parse(value);
    }

    String resolveToken() {
        if (token != null) {
            return token;
        }
        try (ClientStore store = ClientStore.open(db)) {
            String saved = store.setting("token");
            if (saved != null) {
                return saved;
            }
        }
        String env = System.getenv("EVENTSYNC_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        throw new IllegalStateException("not logged in: run `chat --db " + db + " login --token <jwt>` (or `login --dev-user <uuid>`"
                + " against a development server), or pass --token");
    }

    /** A started client with listeners that print what happens to this terminal. */
    EventsyncClient client(boolean verbose) {
        PrintWriter out = out();
        EventsyncClient client = EventsyncClient.builder(server, db).plaintext(!tls).token(resolveToken())
                .listener(new ClientListener() {
                    @Override
                    public void rejected(Event event, Rejected rejected) {
                        out.println("! rejected " + event.getContentCase().name().toLowerCase() + " " + event.getUuid()
                                + ": " + rejected.getReason() + " " + rejected.getDetail());
                    }

                    @Override
                    public void accepted(Event event, Accepted accepted) {
                        if (verbose) {
                            out.println("✓ " + event.getContentCase().name().toLowerCase() + (accepted.getDuplicate() ? " (duplicate)" : ""));
                        }
                    }

                    @Override
                    public void cursorReset(String detail) {
                        out.println("! the server did not know our position; reading the feed again from the start (" + detail + ")");
                    }

                    @Override
                    public void callFailed(String what, Status status) {
                        if (verbose) {
                            out.println("… " + what + ": " + status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription()));
                        }
                    }
                }).build();
        return client.start();
    }

    /** Waits until the outbox is empty and the feed caught up, or the wait is over; says what is left. */
    void settle(EventsyncClient client) {
        long deadline = System.nanoTime() + waitDuration().toNanos();
        while (System.nanoTime() < deadline
                && (!client.pending().isEmpty() || client.connectionState() != ConnectionState.LIVE)) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = client.pending().size();
        if (left > 0) {
            out().println("(offline: " + left + " event(s) queued in " + db + "; they go out on the next run that reaches " + server + ")");
        }
    }

    static String conversation(EventsyncClient client, String given) {
        List<LocalModel.Conversation> matches = client.model().conversations().stream()
                .filter(c -> c.uuid().equals(given) || c.uuid().startsWith(given) || c.name().equals(given)).toList();
        if (matches.size() == 1) {
            return matches.get(0).uuid();
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no conversation " + given + " here: see `list` (or `sync` first)");
        }
        throw new IllegalArgumentException(given + " matches " + matches.size() + " conversations: give more of the uuid");
    }

    static String name(EventsyncClient client, String user) {
        if (user.equals(client.model().me())) {
            return "me";
        }
        String name = client.model().displayName(user);
        return name != null ? name : user.substring(0, 8);
    }

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());

    static String line(EventsyncClient client, LocalModel.LocalMessage m) {
        String time = m.sentAt() == null ? "  --:--    " : TIME.format(m.sentAt());
        String state = switch (m.state()) {
            case PENDING -> "…";
            case SENT -> "✓";
            case READ -> "✓✓";
            case FAILED -> "✗ " + m.failure();
        };
        return time + " " + name(client, m.authorUuid()) + ": " + m.text() + "  " + state;
    }

    @Command(name = "login", description = "Save a token in the local file (or mint a development token).")
    static final class Login implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Option(names = "--token", description = "the JWT to save") String token;

        @Option(names = "--dev-user", description = "mint a 24 h token for this user uuid, signed with $EVENTSYNC_AUTH_JWT_SECRET or the development secret")
        String devUser;

        @Option(names = "--new-dev-user", description = "mint a development token for a new random user")
        boolean newDevUser;

        @Override
        public Integer call() {
            String jwt = token != null ? token : chat.token;
            if (jwt == null && (devUser != null || newDevUser)) {
                UUID user = newDevUser ? UUID.randomUUID() : UUID.fromString(devUser);
                String secret = System.getenv("EVENTSYNC_AUTH_JWT_SECRET");
                jwt = DevelopmentTokens.mint(secret == null || secret.isEmpty() ? DevelopmentTokens.DEVELOPMENT_SECRET : secret,
                        user, Duration.ofHours(24), Instant.now());
            }
            if (jwt == null) {
                throw new IllegalArgumentException("give --token <jwt>, --dev-user <uuid> or --new-dev-user");
            }
            String user = BearerToken.subject(jwt);
            try (ClientStore store = ClientStore.open(chat.db)) {
                store.putSetting("token", jwt);
            }
            chat.out().println("logged in as " + user + " (token saved in " + chat.db + ")");
            return 0;
        }
    }

    @Command(name = "whoami", description = "Print this device's user uuid.")
    static final class Whoami implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            chat.out().println(BearerToken.subject(chat.resolveToken()));
            return 0;
        }
    }

    @Command(name = "list", description = "List conversations (syncs first, up to --wait).")
    static final class ListConversations implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(false)) {
                chat.settle(client);
                for (LocalModel.Conversation c : client.model().conversations()) {
                    chat.out().println(c.uuid() + "  " + c.name() + "  (" + c.members().size() + " members"
                            + (c.joined() ? "" : ", left") + (c.confirmed() ? "" : ", pending") + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "create", description = "Create a conversation; prints its uuid.")
    static final class Create implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "its name") String name;
        @Parameters(index = "1..*", arity = "0..*", description = "member user uuids") List<String> members = List.of();

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(true)) {
                String conversation = client.createConversation(name, members);
                chat.out().println(conversation);
                chat.settle(client);
            }
            return 0;
        }
    }

    @Command(name = "add", description = "Add a member to a conversation.")
    static final class Add implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Parameters(index = "1", description = "user uuid") String user;

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(true)) {
                client.addMember(conversation(client, conversation), user);
                chat.settle(client);
            }
            return 0;
        }
    }

    @Command(name = "send", description = "Send a message (queued durably; goes out now or on a later run).")
    static final class Send implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Parameters(index = "1..*", arity = "1..*", description = "the text") List<String> words;

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(true)) {
                client.sendMessage(conversation(client, conversation), String.join(" ", words));
                chat.settle(client);
            }
            return 0;
        }
    }

    @Command(name = "read", description = "Show a conversation's messages and mark the others' as read.")
    static final class Read implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(false)) {
                chat.settle(client);
                String uuid = conversation(client, conversation);
                LocalModel.Conversation c = client.model().conversation(uuid);
                chat.out().println("# " + c.name() + "  (" + String.join(", ", c.members().stream().map(m -> name(client, m)).toList()) + ")");
                String lastFromOthers = null;
                for (LocalModel.LocalMessage m : client.model().messages(uuid)) {
                    chat.out().println(line(client, m));
                    if (!m.authorUuid().equals(client.model().me()) && !m.uuid().isEmpty()) {
                        lastFromOthers = m.uuid();
                    }
                }
                if (lastFromOthers != null) {
                    client.markRead(uuid, lastFromOthers);
                    chat.settle(client);
                }
            }
            return 0;
        }
    }

    @Command(name = "watch", description = "Follow live: new messages, typing, presence. With a conversation,"
            + " each line typed on stdin is sent to it, /typing tells the others you are typing (Ctrl-D to quit).")
    static final class Watch implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", arity = "0..1", description = "conversation to talk in") String conversation;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = chat.out();
            EventsyncClient.Builder builder = EventsyncClient.builder(chat.server, chat.db).plaintext(!chat.tls)
                    .token(chat.resolveToken());
            String me = BearerToken.subject(chat.resolveToken());
            builder.transitoryListener(event -> {
                if (event.hasUserIsTyping()) {
                    out.println("  " + event.getAuthorUuid().substring(0, 8) + (event.getUserIsTyping().getTyping() ? " is typing…" : " stopped typing"));
                } else if (event.hasUserIsConnected()) {
                    out.println("  " + event.getUserIsConnected().getUserUuid().substring(0, 8)
                            + (event.getUserIsConnected().getConnected() ? " is online" : " went offline"));
                }
            });
            builder.handler(event -> {
                if (event.hasNewMessage() && !event.getNewMessage().getMessage().getAuthorUuid().equals(me)) {
                    out.println(event.getNewMessage().getMessage().getAuthorUuid().substring(0, 8) + ": "
                            + event.getNewMessage().getMessage().getText());
                } else if (event.hasConversationCreated()) {
                    out.println("  new conversation " + event.getConversationCreated().getName()
                            + " " + event.getConversationCreated().getConversationUuid());
                } else if (event.hasMemberJoined()) {
                    out.println("  " + event.getMemberJoined().getUserUuid().substring(0, 8) + " joined "
                            + event.getMemberJoined().getConversationUuid().substring(0, 8));
                }
            });
            builder.listener(new ClientListener() {
                @Override
                public void connectionChanged(ConnectionState state) {
                    out.println("[" + state.name().toLowerCase() + "]");
                }

                @Override
                public void rejected(Event event, Rejected rejected) {
                    out.println("! rejected: " + rejected.getReason() + " " + rejected.getDetail());
                }

                @Override
                public void accepted(Event event, Accepted accepted) {
                    if (event.hasSendingNewMessage()) {
                        out.println("  ✓ sent");
                    }
                }
            });
            try (EventsyncClient client = builder.build().start()) {
                String target = conversation == null ? null : conversation(client, conversation);
                BufferedReader input = new BufferedReader(new InputStreamReader(chat.in, StandardCharsets.UTF_8));
                String text;
                while ((text = input.readLine()) != null) {
                    if (target == null || text.isBlank()) {
                        continue;
                    }
                    if (text.equals("/typing")) {
                        // A line-based terminal cannot see keystrokes: announce typing by hand.
                        client.typing(target, true);
                        continue;
                    }
                    client.typing(target, false);
                    client.sendMessage(target, text);
                }
                if (target == null) {
                    return 0;
                }
                chat.settle(client);
            }
            return 0;
        }
    }

    @Command(name = "sync", description = "Send what is queued and fetch what is new, then exit.")
    static final class SyncNow implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            try (EventsyncClient client = chat.client(true)) {
                chat.settle(client);
                chat.out().println(client.connectionState() == ConnectionState.LIVE ? "in sync" : "server not reached");
            }
            return 0;
        }
    }

    @Command(name = "pending", description = "Show the events queued for the server (without connecting).")
    static final class Pending implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            // Build without start(): nothing goes out, this only reads the file.
            try (EventsyncClient client = EventsyncClient.builder(chat.server, chat.db).plaintext(!chat.tls)
                    .token(chat.resolveToken()).build()) {
                List<Event> pending = client.pending();
                pending.forEach(e -> chat.out().println(e.getUuid() + "  " + e.getContentCase().name().toLowerCase()));
                chat.out().println(pending.size() + " queued");
            }
            return 0;
        }
    }
}
