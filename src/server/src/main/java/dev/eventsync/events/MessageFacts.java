package dev.eventsync.events;

import java.util.UUID;

/**
 * What the rules need of a stored message: who wrote it, its place in the conversation
 * ({@code seq}: per-conversation feed order), whether it was deleted, and how many attachments
 * it has (an edit may empty the text only of a message with attachments).
 */
public record MessageFacts(UUID author, long seq, boolean deleted, int attachments) {}
