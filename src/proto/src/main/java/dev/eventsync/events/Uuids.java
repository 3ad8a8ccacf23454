package dev.eventsync.events;

import java.util.UUID;
import java.util.regex.Pattern;

/** The one definition of a valid uuid on the wire: canonical lowercase text, never the nil uuid. */
public final class Uuids {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final UUID NIL = new UUID(0, 0);

    private Uuids() {}

    /** The uuid, or null when the text is not a canonical non-nil uuid. */
    public static UUID parse(String text) {
        if (text == null || text.length() != 36 || !CANONICAL.matcher(text).matches()) {
            return null;
        }
        UUID uuid = UUID.fromString(text);
        return NIL.equals(uuid) ? null : uuid;
    }
}
