package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventsync.support.Api;
import dev.eventsync.support.Events;
import dev.eventsync.support.ServerTest;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/** The log tables refuse every change but INSERT, whoever asks (the triggers of V1). */
@ServerTest
class AppendOnlyTest {

    @LocalGrpcServerPort
    int port;

    @Autowired
    DataSource dataSource;

    JdbcTemplate jdbc;

    @BeforeEach
    void storeAnEvent() throws InterruptedException {
        jdbc = new JdbcTemplate(dataSource);
        try (Api api = new Api(port)) {
            api.newUser().submit(Events.createConversation(Events.newUuid(), "history"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"events", "feed", "event_ids"})
    void updateIsRejected(String table) {
        String column = table.equals("events") ? "author_uuid" : table.equals("feed") ? "user_uuid" : "author_uuid";
        assertThatThrownBy(() -> jdbc.update("update " + table + " set " + column + " = " + column))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"events", "feed", "event_ids"})
    void deleteIsRejected(String table) {
        assertThatThrownBy(() -> jdbc.update("delete from " + table))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"events", "feed", "event_ids"})
    void truncateIsRejected(String table) {
        assertThatThrownBy(() -> jdbc.execute("truncate " + table + " cascade"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
    }
}
