package dev.eventsync.config;

import java.nio.file.Path;

/**
 * Present (as a bean) only when the server runs on the embedded development database.
 *
 * @param dataFolder the development data folder ({@code .eventsync} by default): the parent of
 *                   {@code eventsync.dev.data-dir}, where other development data (media) lives too
 */
public record DevelopmentMode(Path dataFolder) {}
