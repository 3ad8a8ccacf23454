package dev.eventsync.live;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.eventsync.proto.v1.Event;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The payloads sent with {@code NOTIFY eventsync}: wake-ups, never copies of stored events
 * (streams read those from the database), and the transitory events themselves.
 * <pre>
 *   W &lt;millis&gt; &lt;position&gt; &lt;user,user,…&gt;  new feed rows were committed for these users, up to
 *                                       this position of the log (sent at millis)
 *   W &lt;millis&gt; &lt;position&gt; *              … for too many users to list: wake every follow stream
 *   E &lt;base64 Event&gt; &lt;user,…&gt;            deliver this transitory event to these users' follow streams
 * </pre>
 * A payload stays under PostgreSQL's 8000-byte limit: a long recipient list of a transitory
 * event is split over several payloads. A wake-up names the last position of its batch, so
 * that the safety poll can tell with one query whether a wake-up was lost ({@link WakeAudit}).
 * Only the appending statement knows that position: it joins the two halves of a
 * {@link WakeText} around it.
 */
public final class Notifications {

    public static final String CHANNEL = "eventsync";
    static final int MAX_PAYLOAD = 7900;
    private static final int UUID_CHARS = 37; // 36 + separator
    private static final int POSITION_CHARS = 20; // a bigint and its separator

    private Notifications() {}

    /**
     * A decoded payload. {@code users} is null for "everyone" (wake-ups only); {@code sentAtMillis}
     * is the sender's clock for wake-ups (notification lag), 0 otherwise; {@code position} is the
     * last log position a wake-up announces, 0 when it names none.
     */
    public record Payload(char kind, long sentAtMillis, long position, Event event, List<UUID> users) {}

    /** A wake-up's payload without its position: the text before it and the text after it. */
    public record WakeText(String beforePosition, String afterPosition) {
        public String at(long position) {
            return beforePosition + position + afterPosition;
        }
    }

    public static WakeText wake(Collection<UUID> users, long sentAtMillis) {
        String head = "W " + sentAtMillis + " ";
        boolean tooMany = head.length() + POSITION_CHARS + users.size() * UUID_CHARS > MAX_PAYLOAD;
        return new WakeText(head, tooMany ? " *" : " " + join(users));
    }

    public static List<String> transitory(Event event, Collection<UUID> users) {
        String head = "E " + Base64.getEncoder().encodeToString(event.toByteArray()) + " ";
        int perPayload = Math.max(1, (MAX_PAYLOAD - head.length()) / UUID_CHARS);
        List<String> payloads = new ArrayList<>();
        List<UUID> chunk = new ArrayList<>(perPayload);
        for (UUID user : users) {
            chunk.add(user);
            if (chunk.size() == perPayload) {
                payloads.add(head + join(chunk));
                chunk.clear();
            }
        }
        if (!chunk.isEmpty()) {
            payloads.add(head + join(chunk));
        }
        return payloads;
    }

    /**
     * Decodes a payload; an unreadable one (another version: an older server's wake-up had no
     * position) is reported as wake-everyone.
     */
    public static Payload parse(String payload) {
        try {
            if (payload.startsWith("W ")) {
                String[] parts = payload.split(" ", 4);
                return new Payload('W', Long.parseLong(parts[1]), Long.parseLong(parts[2]), null,
                        parts[3].equals("*") ? null : users(parts[3]));
            }
            if (payload.startsWith("E ")) {
                String[] parts = payload.split(" ", 3);
                return new Payload('E', 0, 0, Event.parseFrom(Base64.getDecoder().decode(parts[1])), users(parts[2]));
            }
        } catch (RuntimeException | InvalidProtocolBufferException e) {
            // fall through
        }
        return new Payload('W', 0, 0, null, null);
    }

    private static String join(Collection<UUID> users) {
        StringBuilder text = new StringBuilder(users.size() * UUID_CHARS);
        for (UUID user : users) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(user);
        }
        return text.toString();
    }

    private static List<UUID> users(String text) {
        List<UUID> users = new ArrayList<>();
        if (!text.isEmpty()) {
            for (String user : text.split(",")) {
                users.add(UUID.fromString(user));
            }
        }
        return users;
    }
}
