package dev.eventsync.client.cli;

import dev.eventsync.client.ConnectionState;
import dev.eventsync.client.EventsyncClient;
import dev.eventsync.client.LocalModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One chat run on the local file: the client, what it reports, and how the run ends. Online, a
 * run waits up to {@code --wait} for the outbox to drain and the feed to catch up, then says in
 * one line on stderr what did not happen (the server not reached, events still queued) and turns
 * it into the exit code. With {@code --offline} nothing connects.
 */
final class ChatSession implements AutoCloseable {

    /** Exit codes: done; something was refused (by the server or locally); the server was not reached. */
    static final int DONE = 0;
    static final int REFUSED = 1;
    static final int NOT_REACHED = 3;

    private final ChatCommand chat;
    private final EventsyncClient client;
    private final SyncReport report;
    private final ChatLines lines;

    private ChatSession(ChatCommand chat, EventsyncClient client, SyncReport report) {
        this.chat = chat;
        this.client = client;
        this.report = report;
        this.lines = new ChatLines(client.model());
        report.naming(lines);
    }

    /** A session whose client prints ✓ lines when {@code confirmations}; started unless {@code --offline}. */
    static ChatSession open(ChatCommand chat, boolean confirmations) {
        SyncReport report = new SyncReport(chat.out(), chat.err(), confirmations);
        EventsyncClient client = chat.builder().listener(report).build();
        ChatSession session = new ChatSession(chat, client, report);
        if (!chat.offline) {
            client.start();
        }
        return session;
    }

    /**
     * A command that changes something: {@code queue} checks the arguments against the local copy
     * and queues (an argument it refuses throws before anything is queued; online,
     * it is tried once more after catching up with the server), then the run waits up
     * to {@code --wait} for the server and says what did not happen, with ✓ and rejection lines.
     */
    static int change(ChatCommand chat, Consumer<ChatSession> queue) {
        try (ChatSession session = open(chat, true)) {
            try {
                queue.accept(session);
            } catch (IllegalArgumentException notHereYet) {
                if (chat.offline) {
                    throw notHereYet;
                }
                // What the user names may be on the server and not in this file yet (a new
                // device, a conversation someone just added us to): catch up once, look again.
                session.settle();
                queue.accept(session);
            }
            session.settle();
            return session.finish(false);
        }
    }

    /** The conversation uuid the user's argument names (see {@link ChatArguments#conversation}). */
    String conversation(String given) {
        return ChatArguments.conversation(client.model(), given);
    }

    /** The message of that conversation the user's argument names (see {@link ChatArguments#message}). */
    LocalModel.LocalMessage message(String conversation, String given) {
        return ChatArguments.message(client.model(), conversation, given);
    }

    /** Whether the feed caught up with the server during this run. */
    boolean reached() {
        return report.reached();
    }

    EventsyncClient client() {
        return client;
    }

    ChatLines lines() {
        return lines;
    }

    /** Waits until the outbox is empty and the feed caught up, the wait is over, or the server refused us. */
    void settle() {
        if (!chat.offline) {
            waitForServer(client, report, chat.waitDuration());
        }
    }

    static void waitForServer(EventsyncClient client, SyncReport report, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && !report.refusedUs()
                && (!client.pending().isEmpty() || client.connectionState() != ConnectionState.LIVE)) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /**
     * Says what did not happen, once, and returns the exit code: {@link #REFUSED} after a
     * rejection, {@link #NOT_REACHED} when the command needs the server and it was not reached.
     */
    int finish(boolean needsServer) {
        return finish(needsServer, "");
    }

    /** As {@link #finish(boolean)}; {@code unreachableNote} ends the line when the server was not reached. */
    int finish(boolean needsServer, String unreachableNote) {
        if (chat.offline) {
            return DONE;
        }
        int left = client.pending().size();
        String queued = left + " event(s) queued in " + chat.db + "; the next run that reaches the server sends them";
        if (!report.reached()) {
            chat.err().println(report.unreachable(chat.server) + (left > 0 ? ": " + queued : "") + unreachableNote);
        } else if (left > 0) {
            chat.err().println("the server did not confirm everything within --wait " + chat.wait + ": " + queued);
        }
        if (report.rejections() > 0) {
            return REFUSED;
        }
        return needsServer && !report.reached() ? NOT_REACHED : DONE;
    }

    @Override
    public void close() {
        client.close();
    }
}
