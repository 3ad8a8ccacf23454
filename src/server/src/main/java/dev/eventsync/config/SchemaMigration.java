package dev.eventsync.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.ValidateResult;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The schema at startup. Flyway's role (spring.flyway.user, else the server's own) migrates when
 * it may create in the schema: the owner, or the single role of a simple setup. The
 * least-privilege server role (README, Operations) may not, so it only validates: a server whose
 * schema is behind refuses to start and says how to migrate, instead of failing on a missing
 * table later or on "permission denied" now.
 */
@Configuration(proxyBeanMethods = false)
class SchemaMigration {

    static final String NOT_MIGRATED = "The server's database role (%s) may not change the schema, and Flyway cannot"
            + " confirm that the schema is the one this server needs: %s%nRun `java -jar eventsync.jar migrate` as the"
            + " owner role (SPRING_DATASOURCE_USERNAME/PASSWORD or SPRING_FLYWAY_USER/PASSWORD); it also grants this role"
            + " its rights (db/migration/R__app_role_grants.sql). Or give this server the owner's credentials as"
            + " SPRING_FLYWAY_USER/PASSWORD to migrate at startup.";

    @Bean
    FlywayMigrationStrategy migrateOrValidate() {
        return flyway -> {
            DatabaseRole role = DatabaseRole.of(flyway.getConfiguration().getDataSource(), flyway.getConfiguration().getDefaultSchema());
            if (role.mayCreateInSchema()) {
                flyway.migrate();
                return;
            }
            String problem;
            try {
                ValidateResult result = flyway.validateWithResult();
                problem = result.validationSuccessful ? null : result.getAllErrorMessages();
            } catch (FlywayException e) { // no SELECT on Flyway's history: the grants of R__app_role_grants.sql are missing
                problem = e.getMessage();
            }
            if (problem != null) {
                throw new IllegalStateException(NOT_MIGRATED.formatted(role.name(), problem.strip()));
            }
        };
    }

    /** Who Flyway connects as, and whether it may create tables in its schema. */
    record DatabaseRole(String name, boolean mayCreateInSchema) {

        /** {@code schema}: Flyway's default schema, or null for the connection's current one. */
        static DatabaseRole of(DataSource dataSource, String schema) {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement query = connection.prepareStatement(
                         "select current_user, has_schema_privilege(coalesce(?, current_schema()), 'CREATE')")) {
                query.setString(1, schema);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return new DatabaseRole(row.getString(1), row.getBoolean(2));
                }
            } catch (SQLException e) {
                throw new FlywayException("cannot ask the database which role Flyway connects as: " + e.getMessage(), e);
            }
        }
    }
}
