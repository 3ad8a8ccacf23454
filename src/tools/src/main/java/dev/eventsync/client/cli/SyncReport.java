package dev.eventsync.client.cli;

import dev.eventsync.client.ClientListener;
import dev.eventsync.client.ConnectionState;
import dev.eventsync.proto.v1.Accepted;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.Rejected;
import io.grpc.Status;
import java.io.PrintWriter;

/**
 * What one chat run tells its user about the server, as it happens: a ✓ line naming each event
 * the server confirmed (a resend after a lost reply is confirmed as sent, like any other), and a
 * line naming each event it refused. Failed calls are retried silently and remembered: at the
 * end, {@link #unreachable} is the one line that says the server was not reached and why.
 */
final class SyncReport implements ClientListener {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean confirmations;
    private final String liveServer;
    private volatile ChatLines lines;
    private volatile boolean reached;
    private volatile Status lastFailure;
    private volatile int rejections;
    private volatile boolean leaving;

    SyncReport(PrintWriter out, PrintWriter err, boolean confirmations) {
        this(out, err, confirmations, null);
    }

    private SyncReport(PrintWriter out, PrintWriter err, boolean confirmations, String liveServer) {
        this.out = out;
        this.err = err;
        this.confirmations = confirmations;
        this.liveServer = liveServer;
    }

    /**
     * For a run that stays (watch): also prints each connection change, and says once, at the
     * first failed call, that the server is unreachable and typed lines are queued.
     */
    static SyncReport live(PrintWriter out, PrintWriter err, String server) {
        return new SyncReport(out, err, true, server);
    }

    /** Names things once the client (and its model) exists; before that nothing is reported. */
    void naming(ChatLines lines) {
        this.lines = lines;
    }

    @Override
    public void accepted(Event event, Accepted accepted) {
        if (confirmations) {
            out.println("✓ sent: " + lines.describe(event));
        }
    }

    @Override
    public void rejected(Event event, Rejected rejected) {
        if (event.hasMessagesDelivered()) {
            // The client sends these on its own; one owed before we were removed is refused
            // (FORBIDDEN) on the next start. The user asked for nothing, so nothing failed for them.
            return;
        }
        rejections++;
        err.println("! rejected: " + lines.describe(event) + ": " + rejected.getReason()
                + (rejected.getDetail().isEmpty() ? "" : " (" + rejected.getDetail() + ")"));
    }

    @Override
    public void connectionChanged(ConnectionState state) {
        if (state == ConnectionState.LIVE) {
            reached = true;
        }
        if (liveServer != null && !leaving && state != ConnectionState.CLOSED) {
            out.println("[" + state.name().toLowerCase() + "]");
        }
    }

    @Override
    public void cursorReset(String detail) {
        out.println("! the server did not know our position; reading the feed again from the start (" + detail + ")");
    }

    @Override
    public void callFailed(String what, Status status) {
        boolean first = lastFailure == null;
        lastFailure = status;
        if (liveServer != null && first && !reached) {
            err.println(unreachable(liveServer) + "; retrying, lines typed here are queued");
        }
    }

    /** The run is ending: the connection changes its close causes are not news. */
    void leaving() {
        leaving = true;
    }

    /** Whether the feed caught up with the server at least once. */
    boolean reached() {
        return reached;
    }

    int rejections() {
        return rejections;
    }

    /** A failure that waiting will not cure: the server refused who we are. */
    boolean refusedUs() {
        Status failure = lastFailure;
        return !reached && failure != null && (failure.getCode() == Status.Code.UNAUTHENTICATED
                || failure.getCode() == Status.Code.PERMISSION_DENIED);
    }

    /** The one line for a run that did not reach the server. */
    String unreachable(String server) {
        Status failure = lastFailure;
        if (failure == null) {
            return "server " + server + " not reached in time";
        }
        if (refusedUs()) {
            return "server " + server + " refused the token: " + failure.getCode()
                    + (failure.getDescription() == null ? "" : " " + failure.getDescription())
                    + " (log in again: `login --token <jwt>` or `login --dev-user <uuid>`)";
        }
        return "server unreachable at " + server + " (" + reason(failure) + ")";
    }

    private static String reason(Status status) {
        StringBuilder reason = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            reason.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        while (cause != null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause != null && cause.getMessage() != null) {
            reason.append(": ").append(cause.getMessage());
        }
        return reason.toString();
    }
}
