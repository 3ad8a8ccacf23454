package dev.eventsync.client.cli;

import dev.eventsync.client.EventsyncClient;
import dev.eventsync.proto.v1.Pusher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chat pusher add|list|remove}: this user's registrations with a push gateway (PushService).
 * They are direct calls, never queued, so they need the server: a refusal (gateway not allowed,
 * malformed, too many) prints the server's reason and exits 1, and a server that is not reached
 * (or refuses the token) exits 3.
 */
@Command(name = "pusher", description = "Register this device with a push gateway, list or remove registrations.",
        subcommands = {PusherCommands.Add.class, PusherCommands.ListPushers.class, PusherCommands.Remove.class})
final class PusherCommands implements Callable<Integer> {

    @ParentCommand ChatCommand chat;

    @Override
    public Integer call() {
        chat.err().println("give `pusher add`, `pusher list` or `pusher remove` (see `pusher --help`)");
        return 2;
    }

    /** One call to the server; its failure becomes one line on stderr and the exit code. */
    static int onServer(ChatCommand chat, Function<EventsyncClient, Integer> action) {
        if (chat.offline) {
            chat.err().println("pusher commands need the server (they are not queued)");
            return ChatSession.NOT_REACHED;
        }
        // Built, not started: nothing of the outbox or the feed runs, only this call.
        try (EventsyncClient client = chat.builder().build()) {
            return action.apply(client);
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String reason = status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription());
            return switch (status.getCode()) {
                case INVALID_ARGUMENT, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, PERMISSION_DENIED -> {
                    chat.err().println("the server refused: " + reason);
                    yield ChatSession.REFUSED;
                }
                default -> {
                    chat.err().println("server " + chat.server + " not reached: " + reason);
                    yield ChatSession.NOT_REACHED;
                }
            };
        }
    }

    /** One line per pusher: what `remove` takes first, then what it points at. */
    static String line(Pusher pusher) {
        String device = pusher.getDeviceDisplayName().isEmpty() ? "" : "  \"" + pusher.getDeviceDisplayName() + "\"";
        String lang = pusher.getLang().isEmpty() ? "" : "  " + pusher.getLang();
        return pusher.getAppId() + "  " + pusher.getPushkey() + "  " + pusher.getGatewayUrl() + "  "
                + pusher.getFormat().name().toLowerCase().replace('_', '-') + device + lang;
    }

    @Command(name = "add", description = "Register (or update) a pusher: the server notifies it while this user has no open stream.")
    static final class Add implements Callable<Integer> {
        @ParentCommand PusherCommands pusher;
        @Parameters(index = "0", description = "the app id the gateway knows (e.g. com.example.chat.android)") String appId;
        @Parameters(index = "1", description = "the device's pushkey (FCM/APNs token, UnifiedPush endpoint)") String pushkey;
        @Parameters(index = "2", description = "the gateway's notify URL, …/_matrix/push/v1/notify") String gatewayUrl;
        @Option(names = "--format", defaultValue = "full",
                description = "full (sender, names, text) or event-id-only (nothing readable passes the gateway); default: ${DEFAULT-VALUE}")
        String format;
        @Option(names = "--device-name", defaultValue = "", description = "shown in `pusher list`") String deviceName;
        @Option(names = "--lang", defaultValue = "", description = "the device's language, e.g. en") String lang;

        @Override
        public Integer call() {
            Pusher.Format parsed = switch (format) {
                case "full" -> Pusher.Format.FULL;
                case "event-id-only" -> Pusher.Format.EVENT_ID_ONLY;
                default -> null;
            };
            ChatCommand chat = pusher.chat;
            if (parsed == null) {
                chat.err().println("--format is full or event-id-only, not " + format);
                return ChatSession.REFUSED;
            }
            Pusher wanted = Pusher.newBuilder().setAppId(appId).setPushkey(pushkey).setGatewayUrl(gatewayUrl)
                    .setFormat(parsed).setDeviceDisplayName(deviceName).setLang(lang).build();
            return onServer(chat, client -> {
                chat.out().println("✓ pusher registered: " + line(client.registerPusher(wanted)));
                return ChatSession.DONE;
            });
        }
    }

    @Command(name = "list", description = "List this user's pushers (every device's).")
    static final class ListPushers implements Callable<Integer> {
        @ParentCommand PusherCommands pusher;

        @Override
        public Integer call() {
            ChatCommand chat = pusher.chat;
            return onServer(chat, client -> {
                List<Pusher> pushers = client.listPushers();
                pushers.forEach(p -> chat.out().println(line(p)));
                chat.out().println(pushers.size() + " pusher(s)");
                return ChatSession.DONE;
            });
        }
    }

    @Command(name = "remove", description = "Remove a pusher (removing one that does not exist is no error).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand PusherCommands pusher;
        @Parameters(index = "0", description = "its app id") String appId;
        @Parameters(index = "1", description = "its pushkey") String pushkey;

        @Override
        public Integer call() {
            ChatCommand chat = pusher.chat;
            return onServer(chat, client -> {
                client.unregisterPusher(appId, pushkey);
                chat.out().println("✓ pusher removed: " + appId + "  " + pushkey);
                return ChatSession.DONE;
            });
        }
    }
}
