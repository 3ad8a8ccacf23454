package dev.eventsync.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The LISTEN connection is opened outside the pool, so it must carry the pool's settings itself. */
class ListenerConnectionTest {

    @Test
    void theListenConnectionKeepsThePoolsDriverPropertiesTlsIncludedAndItsCredentials() {
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl("jdbc:postgresql://db.example:5432/eventsync");
            pool.setUsername("eventsync_app");
            pool.setPassword("app-password");
            pool.addDataSourceProperty("sslmode", "verify-full");
            pool.addDataSourceProperty("sslrootcert", "/etc/eventsync/root.crt");

            Properties properties = Listener.connectionProperties(pool);

            assertThat(properties.getProperty("sslmode")).isEqualTo("verify-full");
            assertThat(properties.getProperty("sslrootcert")).isEqualTo("/etc/eventsync/root.crt");
            assertThat(properties.getProperty("user")).isEqualTo("eventsync_app");
            assertThat(properties.getProperty("password")).isEqualTo("app-password");
            assertThat(properties.getProperty("ApplicationName")).isEqualTo(Listener.APPLICATION_NAME);
        }
    }
}
