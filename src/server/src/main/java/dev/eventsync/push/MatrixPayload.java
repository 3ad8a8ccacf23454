package dev.eventsync.push;

import dev.eventsync.proto.v1.Pusher;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Matrix Push Gateway API's request bodies, exactly as API.md (v1.1, PushService) lists them,
 * and the one field of its answer eventsync reads ({@code rejected}). Pure functions.
 */
public final class MatrixPayload {

    static final String TYPE = "eventsync.new_message";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MatrixPayload() {}

    /**
     * A new message for one pusher. EVENT_ID_ONLY, as in Matrix, carries only event_id, room_id,
     * counts, prio and devices: no sender, no names and no text reach the phone platforms.
     */
    public static String newMessage(PushTarget target, NewMessageFacts message, boolean mentioned, long unread) {
        ObjectNode notification = JSON.createObjectNode();
        notification.put("event_id", message.eventUuid().toString());
        notification.put("room_id", message.conversation().toString());
        if (target.format() != Pusher.Format.EVENT_ID_ONLY) {
            notification.put("type", TYPE);
            notification.put("sender", message.author().toString());
            if (message.senderDisplayName() != null) {
                notification.put("sender_display_name", message.senderDisplayName());
            }
            notification.put("room_name", message.roomName());
            notification.put("user_is_target", mentioned);
            ObjectNode content = notification.putObject("content");
            content.put("body", message.text());
            content.put("attachments", message.attachments());
        }
        notification.put("prio", "high");
        notification.putObject("counts").put("unread", unread);
        devices(notification, target);
        return wrap(notification);
    }

    /** A read marker moved: the badge's new count, sent to every pusher of the reader. */
    public static String countsOnly(PushTarget target, long unread) {
        ObjectNode notification = JSON.createObjectNode();
        notification.put("prio", "low");
        notification.putObject("counts").put("unread", unread);
        devices(notification, target);
        return wrap(notification);
    }

    /** The pushkeys a gateway's 2xx answer lists as {@code rejected} (an unreadable answer lists none). */
    public static List<String> rejected(String answer) {
        List<String> pushkeys = new ArrayList<>();
        try {
            for (JsonNode pushkey : JSON.readTree(answer).path("rejected")) {
                if (pushkey.isString()) {
                    pushkeys.add(pushkey.asString());
                }
            }
        } catch (RuntimeException e) {
            // not JSON: a gateway that answers 200 with anything else rejected nothing
        }
        return pushkeys;
    }

    private static void devices(ObjectNode notification, PushTarget target) {
        ObjectNode device = notification.putArray("devices").addObject();
        device.put("app_id", target.key().appId());
        device.put("pushkey", target.key().pushkey());
        device.put("pushkey_ts", target.pushkeyTs());
        ObjectNode data = device.putObject("data");
        if (target.format() == Pusher.Format.EVENT_ID_ONLY) {
            data.put("format", "event_id_only");
        }
    }

    private static String wrap(ObjectNode notification) {
        ObjectNode body = JSON.createObjectNode();
        body.set("notification", notification);
        return JSON.writeValueAsString(body);
    }
}
