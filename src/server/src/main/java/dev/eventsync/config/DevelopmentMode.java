package dev.eventsync.config;

/** Present (as a bean) only when the server runs on the embedded development database. */
public record DevelopmentMode() {}
