package dev.eventsync.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the chat accepts where a user belongs, and how it quotes a message; the rest is ChatCommandTest, against a server. */
class ChatArgumentsTest {

    @Test
    void aUserIsACanonicalUuidAndANameIsRefusedSayingNothingWasQueued() {
        assertThat(ChatArguments.user("22222222-2222-4222-8222-222222222222")).isEqualTo("22222222-2222-4222-8222-222222222222");
        assertThat(ChatArguments.users(List.of("AAAAAAAA-2222-4222-8222-222222222222")))
                .containsExactly("aaaaaaaa-2222-4222-8222-222222222222");
        assertThatThrownBy(() -> ChatArguments.user("bob")).hasMessageContaining("bob is not a user uuid")
                .hasMessageContaining("nothing was queued");
        // UUID.fromString accepts this short form; the server would not
        assertThatThrownBy(() -> ChatArguments.user("1-2-3-4-5")).hasMessageContaining("not a user uuid");
    }

    @Test
    void aMessageIsQuotedByItsFirstWords() {
        assertThat(ChatLines.firstWords("Noon?")).isEqualTo("Noon?");
        assertThat(ChatLines.firstWords("Shall we bring the big blue blanket tomorrow?")).isEqualTo("Shall we bring the big blue…");
        assertThat(ChatLines.firstWords("x".repeat(100))).isEqualTo("x".repeat(40) + "…");
    }
}
