package dev.eventsync.events;

import com.google.protobuf.ByteString;
import java.util.UUID;

/**
 * What the rules need of a complete upload that an attachment or a picture names: whose it is,
 * and the facts the server copies into the event from the upload, whatever the client sent.
 */
public record MediaFacts(UUID owner, String contentType, long sizeBytes, ByteString sha256) {}
