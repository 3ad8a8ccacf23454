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
 *   W &lt;millis&gt; &lt;user,user,…&gt;    new feed rows were committed for these users (sent at millis)
 *   W &lt;millis&gt; *                … for too many users to list: wake every follow stream
 *   E &lt;base64 Event&gt; &lt;user,…&gt;  deliver this transitory event to these users' follow streams
 * </pre>
 * A payload stays under PostgreSQL's 8000-byte limit: a long recipient list of a transitory
 * event is split over several payloads.
 */
public final class Notifications {

    public static final String CHANNEL = "eventsync";
    static final int MAX_PAYLOAD = 7900;
    private static final int UUID_CHARS = 37; // 36 + separator

    private Notifications() {}

    /**
     * A decoded payload. {@code users} is null for "everyone" (wake-ups only); {@code sentAtMillis}
     * is the sender's clock for wake-ups (notification lag), 0 otherwise.
     */
    public record Payload(char kind, long sentAtMillis, Event event, List<UUID> users) {}

    public static String wake(Collection<UUID> users, long sentAtMillis) {
        String head = "W " + sentAtMillis + " ";
        return head.length() + users.size() * UUID_CHARS > MAX_PAYLOAD ? head + "*" : head + join(users);
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

    /** Decodes a payload; an unreadable one (another version?) is reported as wake-everyone. */
    public static Payload parse(String payload) {
        try {
            String[] parts = payload.split(" ", 3);
            if (parts[0].equals("W")) {
                return new Payload('W', Long.parseLong(parts[1]), null, parts[2].equals("*") ? null : users(parts[2]));
            }
            if (parts[0].equals("E")) {
                return new Payload('E', 0, Event.parseFrom(Base64.getDecoder().decode(parts[1])), users(parts[2]));
            }
        } catch (RuntimeException | InvalidProtocolBufferException e) {
            // fall through
        }
        return new Payload('W', 0, null, null);
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
