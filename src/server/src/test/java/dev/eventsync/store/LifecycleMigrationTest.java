package dev.eventsync.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.support.TestDatabase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * V4 on a database written by the previous version: every existing conversation gets its admin
 * (its creator if still a member, else the earliest-joined member, ties to the smallest uuid),
 * and messages get their order in the conversation from the log. In a schema of its own.
 */
class LifecycleMigrationTest {

    JdbcTemplate jdbc;
    Flyway flyway;

    final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    final UUID creator = UUID.randomUUID();
    final UUID early = UUID.fromString("00000000-0000-4000-8000-000000000002");
    final UUID earlyTie = UUID.fromString("00000000-0000-4000-8000-000000000001");
    final UUID late = UUID.randomUUID();

    @BeforeEach
    void schemaAtVersion3() {
        TestDatabase.Connection db = TestDatabase.get();
        String schema = "migration_" + UUID.randomUUID().toString().replace("-", "");
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                db.url() + (db.url().contains("?") ? "&" : "?") + "currentSchema=" + schema, db.username(), db.password());
        flyway = Flyway.configure().dataSource(dataSource).schemas(schema).locations("classpath:db/migration")
                // no role to grant to: the repeatable grants would run at version 3 too, naming V4's columns
                .placeholders(Map.of("app_role", "")).target("3").load();
        flyway.migrate();
        jdbc = new JdbcTemplate(dataSource);
        for (UUID user : List.of(creator, early, earlyTie, late)) {
            jdbc.update("insert into users (user_uuid) values (?)", user);
        }
    }

    UUID conversation(UUID createdBy, Object... membersAndJoinOffsets) {
        UUID conversation = UUID.randomUUID();
        jdbc.update("insert into conversations (conversation_uuid, name, created_by, created_at) values (?, 'c', ?, ?)",
                conversation, createdBy, Timestamp.from(t0));
        for (int i = 0; i < membersAndJoinOffsets.length; i += 2) {
            jdbc.update("insert into memberships (conversation_uuid, user_uuid, joined_at) values (?, ?, ?)", conversation,
                    membersAndJoinOffsets[i], Timestamp.from(t0.plusSeconds((Integer) membersAndJoinOffsets[i + 1])));
        }
        return conversation;
    }

    void message(UUID conversation, long position, int sentOffset) {
        UUID event = UUID.randomUUID();
        jdbc.update("insert into events (position, event_uuid, author_uuid, kind, conversation_uuid, stored_at, body)"
                + " values (?, ?, ?, 'new_message', ?, now(), '\\x01')", position, event, creator, conversation);
        jdbc.update("insert into messages (conversation_uuid, message_uuid, author_uuid, local_uuid, event_uuid, sent_at)"
                + " values (?, ?, ?, ?, ?, ?)", conversation, UUID.randomUUID(), creator, UUID.randomUUID(), event,
                Timestamp.from(t0.plusSeconds(sentOffset)));
    }

    List<UUID> admins(UUID conversation) {
        return jdbc.queryForList("select user_uuid from memberships where conversation_uuid = ? and admin order by user_uuid",
                UUID.class, conversation);
    }

    @Test
    void everyConversationGetsOneAdminAndMessagesTheirOrder() {
        UUID withCreator = conversation(creator, creator, 5, early, 0);
        UUID creatorLeft = conversation(creator, late, 9, early, 1, earlyTie, 1);
        UUID empty = conversation(creator);
        message(withCreator, 10, 0);
        message(creatorLeft, 11, 0);
        message(withCreator, 12, 7);

        flyway = Flyway.configure().configuration(flyway.getConfiguration()).target("latest").load();
        flyway.migrate();

        assertThat(admins(withCreator)).containsExactly(creator);
        assertThat(admins(creatorLeft)).containsExactly(earlyTie); // joined first with early: the smaller uuid
        assertThat(admins(empty)).isEmpty();
        assertThat(jdbc.queryForList("select seq from messages where conversation_uuid = ? order by sent_at", Long.class,
                withCreator)).containsExactly(1L, 2L);
        // creator joined at +5 s: message 1 (sent at 0) was before, message 2 (at +7 s) after
        assertThat(jdbc.queryForObject("select joined_seq from memberships where conversation_uuid = ? and user_uuid = ?",
                Long.class, withCreator, creator)).isEqualTo(1L);
    }
}
