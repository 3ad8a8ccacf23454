package dev.eventsync.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The client library is usable on Android: grpc-java, protobuf and JDBC only, nothing of the server. */
class ClientArchitectureTest {

    static final JavaClasses CLIENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.eventsync.client");

    @Test
    void clientDependsOnNoSpringClass() {
        noClasses().that().resideInAPackage("dev.eventsync.client..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .check(CLIENT);
    }

    @Test
    void clientDependsOnNoServerPackage() {
        noClasses().that().resideInAPackage("dev.eventsync.client..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.eventsync.api..", "dev.eventsync.auth..", "dev.eventsync.store..", "dev.eventsync.feed..",
                        "dev.eventsync.live..", "dev.eventsync.config..", "dev.eventsync.events..", "dev.eventsync.bench..",
                        "dev.eventsync.ratelimit..")
                .check(CLIENT);
    }

    @Test
    void libraryDependsOnNoCommandLineFramework() {
        noClasses().that().resideInAPackage("dev.eventsync.client")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(CLIENT);
    }
}
