package dev.eventsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BASE jdbc_group_commit copies four of the server's append statements (they are not on the
 * tools' classpath): a change to the server's must show here, or the ceiling measures other work.
 */
class ServerStatementCopiesTest {

    @ParameterizedTest
    @CsvSource({
        "store/EventLog.java, CLAIM_EVENT_IDS",
        "store/EventLog.java, APPEND",
        "store/Conversations.java, LOCK_CONVERSATIONS",
        "store/Conversations.java, MEMBERS",
    })
    void equalsTheServersText(String source, String name) throws Exception {
        // Maven runs the tests in the module's folder: src/tools.
        String java = Files.readString(Path.of("../server/src/main/java/dev/eventsync/" + source));
        String opening = "static final String " + name + " = \"\"\"\n";
        int start = java.indexOf(opening);
        assertThat(start).as(name + " in " + source).isNotNegative();
        int end = java.indexOf("\"\"\";", start);
        // A text block's value: its lines without the indentation they share.
        String server = java.substring(start + opening.length(), end).stripIndent();
        assertThat(GroupCommitCeiling.class.getDeclaredField(name).get(null)).isEqualTo(server);
    }
}
