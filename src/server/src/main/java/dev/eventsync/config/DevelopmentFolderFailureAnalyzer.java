package dev.eventsync.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link DevelopmentFolderException} into Spring Boot's short startup report (META-INF/spring.factories). */
final class DevelopmentFolderFailureAnalyzer extends AbstractFailureAnalyzer<DevelopmentFolderException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DevelopmentFolderException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
