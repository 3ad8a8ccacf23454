package dev.eventsync.config;

import java.io.PrintStream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

/**
 * {@code java -jar eventsync.jar migrate [--property=value…]}: migrate the schema and exit, as
 * the owner role (README, Operations: least privilege), so the server itself can run as a role
 * that may not change the schema. Only the datasource and Flyway start, configured exactly as the
 * server's (spring.datasource.*, spring.flyway.*, application.properties): no development mode.
 */
public final class MigrateCommand {

    static final String NO_DATABASE = "migrate needs a database: set SPRING_DATASOURCE_URL, and the owner role"
            + " as SPRING_DATASOURCE_USERNAME/PASSWORD (or SPRING_FLYWAY_USER/PASSWORD)";

    private MigrateCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        SpringApplicationBuilder migration = new SpringApplicationBuilder(Migration.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .listeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) event -> {
                    if (!event.getEnvironment().containsProperty("spring.datasource.url")
                            && !event.getEnvironment().containsProperty("spring.flyway.url")) {
                        throw new IllegalStateException(NO_DATABASE);
                    }
                });
        try (ConfigurableApplicationContext context = migration.run(args)) { // Flyway migrates while it starts
            MigrationInfo current = context.getBean(Flyway.class).info().current();
            out.println("schema migrated: version " + (current == null ? "none" : current.getVersion() + ", last "
                    + current.getDescription()));
            return 0;
        } catch (RuntimeException e) {
            err.println("migrate failed: " + NestedExceptionUtils.getMostSpecificCause(e).getMessage());
            return 1;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
    static class Migration {}
}
