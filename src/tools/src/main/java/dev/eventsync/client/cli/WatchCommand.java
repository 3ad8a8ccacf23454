package dev.eventsync.client.cli;

import dev.eventsync.client.BearerToken;
import dev.eventsync.proto.v1.Event;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chat watch [conversation]}: the last few messages of the conversation, then what happens
 * live (messages, typing, presence, confirmations); lines typed on stdin are sent to it.
 */
@Command(name = "watch", description = "Follow live: the last messages, then new messages, typing, presence. With a conversation,"
        + " each line typed on stdin is sent to it, /typing tells the others you are typing (Ctrl-D to quit).")
final class WatchCommand implements Callable<Integer> {

    static final int HISTORY = 10;

    @ParentCommand ChatCommand chat;
    @Parameters(index = "0", arity = "0..1", description = "conversation to talk in") String conversation;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = chat.out();
        String me = BearerToken.subject(chat.resolveToken());
        AtomicReference<ChatLines> lines = new AtomicReference<>();
        SyncReport report = SyncReport.live(out, chat.err(), chat.server);
        var builder = chat.builder().listener(report)
                .transitoryListener(event -> printIfAny(out, transitory(lines.get(), event)))
                .handler(event -> printIfAny(out, stored(lines.get(), me, event)));
        try (var client = builder.build()) {
            lines.set(new ChatLines(client.model()));
            report.naming(lines.get());
            String target = conversation == null ? null : ChatArguments.conversation(client.model(), conversation);
            if (target != null) {
                // All of them, so that the last ones can quote what they reply to.
                List<String> messages = lines.get().messages(client.model().messages(target));
                out.println(lines.get().header(client.model().conversation(target)));
                messages.subList(Math.max(0, messages.size() - HISTORY), messages.size()).forEach(out::println);
            }
            client.start();
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
            if (target != null) {
                // Ctrl-D: give what was typed its chance to go out, as every other command does.
                ChatSession.waitForServer(client, report, chat.waitDuration());
            }
            report.leaving();
            return report.rejections() > 0 ? ChatSession.REFUSED : report.reached() ? ChatSession.DONE : ChatSession.NOT_REACHED;
        }
    }

    private static void printIfAny(PrintWriter out, String line) {
        if (line != null) {
            out.println(line);
        }
    }

    /** A stored event worth a line: someone else's message, a new conversation or member; null for the rest. */
    private static String stored(ChatLines lines, String me, Event event) {
        if (event.hasNewMessage() && !event.getNewMessage().getMessage().getAuthorUuid().equals(me)) {
            return lines.message(event.getNewMessage().getMessage());
        }
        if (event.hasConversationCreated()) {
            return "  new conversation " + event.getConversationCreated().getName() + " " + event.getConversationCreated().getConversationUuid();
        }
        if (event.hasMemberJoined()) {
            return "  " + lines.person(event.getMemberJoined().getUserUuid()) + " joined "
                    + lines.conversationName(event.getMemberJoined().getConversationUuid());
        }
        return null;
    }

    private static String transitory(ChatLines lines, Event event) {
        if (event.hasUserIsTyping()) {
            return "  " + lines.person(event.getAuthorUuid()) + (event.getUserIsTyping().getTyping() ? " is typing…" : " stopped typing");
        }
        if (event.hasUserIsConnected()) {
            return "  " + lines.person(event.getUserIsConnected().getUserUuid())
                    + (event.getUserIsConnected().getConnected() ? " is online" : " went offline");
        }
        return null;
    }
}
