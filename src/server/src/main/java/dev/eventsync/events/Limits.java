package dev.eventsync.events;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every limit a client can run into, in one place ({@code eventsync.limits.*}). Lengths count
 * Unicode code points. The schema caps names at 1000 code points, so the limits may not exceed it.
 */
@ConfigurationProperties("eventsync.limits")
public record Limits(
        @DefaultValue("500") int maxEventsPerCall,
        @DefaultValue("8MB") DataSize maxRequestSize,
        @DefaultValue("10000") int maxMessageLength,
        @DefaultValue("200") int maxConversationNameLength,
        @DefaultValue("100") int maxDisplayNameLength,
        @DefaultValue("1000") int maxMembersPerConversation,
        @DefaultValue("1MB") DataSize maxPictureSize) {

    /** Names longer than this would break the schema's CHECK constraints. */
    static final int SCHEMA_NAME_CAP = 1000;
    static final int MIN_EVENTS_PER_CALL = 100;
    static final DataSize MIN_REQUEST_SIZE = DataSize.ofMegabytes(4);

    public Limits {
        require(maxEventsPerCall >= MIN_EVENTS_PER_CALL,
                "eventsync.limits.max-events-per-call must be at least " + MIN_EVENTS_PER_CALL + " (API.md), is " + maxEventsPerCall);
        require(maxRequestSize.compareTo(MIN_REQUEST_SIZE) >= 0 && maxRequestSize.toBytes() <= Integer.MAX_VALUE,
                "eventsync.limits.max-request-size must be between 4MB (API.md) and 2GB, is " + maxRequestSize);
        require(maxMessageLength > 0, "eventsync.limits.max-message-length must be positive, is " + maxMessageLength);
        require(maxConversationNameLength > 0 && maxConversationNameLength <= SCHEMA_NAME_CAP,
                "eventsync.limits.max-conversation-name-length must be 1.." + SCHEMA_NAME_CAP + ", is " + maxConversationNameLength);
        require(maxDisplayNameLength > 0 && maxDisplayNameLength <= SCHEMA_NAME_CAP,
                "eventsync.limits.max-display-name-length must be 1.." + SCHEMA_NAME_CAP + ", is " + maxDisplayNameLength);
        require(maxMembersPerConversation >= 2,
                "eventsync.limits.max-members-per-conversation must be at least 2, is " + maxMembersPerConversation);
        require(maxPictureSize.toBytes() > 8 && maxPictureSize.compareTo(maxRequestSize) < 0,
                "eventsync.limits.max-picture-size must be below max-request-size (" + maxRequestSize + "), is " + maxPictureSize);
    }

    /** The defaults, for tests and tools. */
    public static Limits defaults() {
        return new Limits(500, DataSize.ofMegabytes(8), 10000, 200, 100, 1000, DataSize.ofMegabytes(1));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
