package dev.eventsync.config;

/**
 * The development data folder cannot be used, for a reason the user can fix: reported as one
 * description and one action at startup ({@link DevelopmentFolderFailureAnalyzer}), without a stack trace.
 */
final class DevelopmentFolderException extends IllegalStateException {

    private final String action;

    DevelopmentFolderException(String problem, String action) {
        super(problem);
        this.action = action;
    }

    String action() {
        return action;
    }
}
