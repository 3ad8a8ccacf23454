package dev.eventsync.client.cli;

import dev.eventsync.client.BearerToken;
import dev.eventsync.client.AttachmentFile;
import dev.eventsync.client.ClientStore;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.client.LocalModel;
import dev.eventsync.client.UnknownConversationException;
import dev.eventsync.client.MessageOptions;
import dev.eventsync.proto.v1.Event;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
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
                ChatCommand.Create.class, ChatCommand.Add.class, ChatCommand.Send.class, ChatCommand.Read.class, ChatCommand.History.class,
                MessageCommands.Reply.class, MessageCommands.Edit.class, MessageCommands.Delete.class, MessageCommands.React.class,
                ConversationCommands.Mute.class, ConversationCommands.Archive.class, ConversationCommands.Pin.class,
                ConversationCommands.Admin.class, ConversationCommands.Remove.class, ConversationCommands.Leave.class,
                ConversationCommands.Block.class,
                MediaCommands.Download.class,
                WatchCommand.class, ChatCommand.SyncNow.class, ChatCommand.Pending.class,
                PusherCommands.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (with the server, or queued for it by the commands that change something)",
                "1:the server rejected an event, or an argument was refused locally",
                "2:usage error", "3:the server was not reached, or refused the token (list, read, watch, sync, pusher)"})
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

    @Option(names = "--offline", description = "do not connect: show the local copy, queue changes for a later run")
    boolean offline;

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
            return ChatSession.REFUSED;
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

    PrintWriter err() {
        return spec.commandLine().getErr();
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

    static final String NOTHING_SHOWN = "; nothing shown (--offline shows the local copy)";

    /** A client of this server and file, not started. */
    EventsyncClient.Builder builder() {
        return EventsyncClient.builder(server, db).plaintext(!tls).token(resolveToken());
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
            try (ChatSession session = ChatSession.open(chat, false)) {
                session.settle();
                if (!chat.offline && !session.reached()) {
                    return session.finish(true, NOTHING_SHOWN);
                }
                ChatLines.listOrder(session.client().model().conversations()).forEach(c -> chat.out().println(session.lines().listLine(c)));
                return session.finish(true);
            }
        }
    }

    @Command(name = "create", description = "Create a conversation; prints its uuid.")
    static final class Create implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "its name") String name;
        @Parameters(index = "1..*", arity = "0..*", description = "member user uuids") List<String> members = List.of();

        @Override
        public Integer call() {
            List<String> users = ChatArguments.users(members);
            return ChatSession.change(chat, session -> chat.out().println(session.client().createConversation(name, users)));
        }
    }

    @Command(name = "add", description = "Add a member to a conversation.")
    static final class Add implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @CommandLine.Mixin ConversationCommands.Member member;

        @Override
        public Integer call() {
            String user = member.user();
            return ChatSession.change(chat, session -> session.client().addMember(session.conversation(member.conversation), user));
        }
    }

    @Command(name = "send", description = "Send a message, with files or not (queued durably, files too; goes out now or on a later run).")
    static final class Send implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;
        @Parameters(index = "1..*", arity = "0..*", description = "the text (may be left out with --file)") List<String> words = List.of();
        @CommandLine.Mixin MessageCommands.Mentions mentions;
        @CommandLine.Mixin MediaCommands.FileOptions files;

        @Override
        public Integer call() {
            MessageOptions options = MessageOptions.NONE.withMentions(mentions.users().toArray(String[]::new));
            List<AttachmentFile> attached = files.attachments();
            if (words.isEmpty() && attached.isEmpty()) {
                throw new IllegalArgumentException("give the text, or --file PATH (or both); nothing was queued");
            }
            return ChatSession.change(chat, session -> session.client().sendMessage(session.conversation(conversation),
                    String.join(" ", words), options, attached));
        }
    }

    @Command(name = "read", description = "Show a conversation's messages and mark the others' as read.")
    static final class Read implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Option(names = "--last", defaultValue = "50", description = "show the newest N messages held here (default: ${DEFAULT-VALUE})")
        int last;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;

        @Override
        public Integer call() {
            try (ChatSession session = ChatSession.open(chat, false)) {
                session.settle();
                if (!chat.offline && !session.reached()) {
                    return session.finish(true, NOTHING_SHOWN);
                }
                LocalModel model = session.client().model();
                String uuid = ChatArguments.conversation(model, conversation);
                chat.out().println(session.lines().header(model.conversation(uuid)));
                List<LocalModel.LocalMessage> held = model.messages(uuid);
                List<LocalModel.LocalMessage> messages = held.subList(Math.max(0, held.size() - last), held.size());
                if (messages.size() < held.size()) {
                    chat.out().println("(" + (held.size() - messages.size()) + " earlier messages here: read --last "
                            + held.size() + "; older ones: history)");
                } else if (!model.historyComplete(uuid)) {
                    chat.out().println("(older messages on the server: history " + conversation + ")");
                }
                session.lines().messages(messages).forEach(chat.out()::println);
                String lastFromOthers = null;
                for (LocalModel.LocalMessage m : messages) {
                    if (!m.authorUuid().equals(model.me()) && !m.uuid().isEmpty()) {
                        lastFromOthers = m.uuid();
                    }
                }
                if (lastFromOthers != null) {
                    session.client().markRead(uuid, lastFromOthers);
                    session.settle();
                }
                return session.finish(true);
            }
        }
    }

    @Command(name = "history", description = "Fetch the page of messages before the oldest one held here, show it and keep it.")
    static final class History implements Callable<Integer> {
        @ParentCommand ChatCommand chat;
        @Option(names = "--limit", defaultValue = "20", description = "messages per page, 1 to 200 (default: ${DEFAULT-VALUE})")
        int limit;
        @Parameters(index = "0", description = "conversation uuid, uuid prefix or name") String conversation;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 200) {
                chat.err().println("--limit must be 1 to 200, is " + limit);
                return ChatSession.REFUSED;
            }
            if (chat.offline) {
                chat.err().println("history needs the server; read --offline shows the local copy");
                return ChatSession.NOT_REACHED;
            }
            try (ChatSession session = ChatSession.open(chat, false)) {
                session.settle();
                if (!session.reached()) {
                    return session.finish(true, "; history needs the server (read --offline shows the local copy)");
                }
                LocalModel model = session.client().model();
                String uuid = ChatArguments.conversation(model, conversation);
                LocalModel.OlderMessages older;
                try {
                    older = session.client().loadOlder(uuid, limit);
                } catch (UnknownConversationException e) {
                    chat.err().println(e.getMessage());
                    return ChatSession.REFUSED;
                }
                chat.out().println(session.lines().header(model.conversation(uuid)));
                if (older.complete()) {
                    chat.out().println("(the start of the conversation)");
                }
                session.lines().messages(older.messages()).forEach(chat.out()::println);
                return session.finish(true);
            }
        }
    }

    @Command(name = "sync", description = "Send what is queued and fetch what is new, then exit.")
    static final class SyncNow implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            try (ChatSession session = ChatSession.open(chat, true)) {
                session.settle();
                if (session.reached() && session.client().pending().isEmpty()) {
                    chat.out().println("in sync");
                }
                return session.finish(true);
            }
        }
    }

    @Command(name = "pending", description = "Show the events queued for the server (without connecting).")
    static final class Pending implements Callable<Integer> {
        @ParentCommand ChatCommand chat;

        @Override
        public Integer call() {
            // Build without start(): nothing goes out, this only reads the file.
            try (EventsyncClient client = chat.builder().build()) {
                List<Event> pending = client.pending();
                pending.forEach(e -> chat.out().println(e.getUuid() + "  " + e.getContentCase().name().toLowerCase()));
                chat.out().println(pending.size() + " queued");
            }
            return 0;
        }
    }
}
