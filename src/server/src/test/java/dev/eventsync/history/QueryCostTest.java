package dev.eventsync.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventsync.bench.HistorySeed;
import dev.eventsync.support.ServerTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What History and Snapshot read costs, from PostgreSQL's own account (EXPLAIN ANALYZE in the
 * server's read transaction): the rows taken from {@code messages} do not grow with the history.
 * A page reads its limit of rows per membership, and an unread count reads none of the unread
 * messages nor the caller's own, at any depth. The seeded conversations are long enough that reading a range whole
 * (the bitmap scan the planner picks by default, see ReadTransaction) fails these bounds by 20×.
 */
@ServerTest
class QueryCostTest {

    static final int CONVERSATIONS = 4;
    static final int MESSAGES = 3_000;
    static final int LIMIT = 50;
    /** "actual time=0.086..0.101 rows=21 loops=100" of a plan node. */
    static final Pattern ACTUAL = Pattern.compile("actual time=[0-9.]+\\.\\.[0-9.]+ rows=(\\d+) loops=(\\d+)");

    @Autowired
    DataSource dataSource;

    HistorySeed.Seeded seeded;

    @BeforeEach
    void seed() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            seeded = HistorySeed.seed(connection, CONVERSATIONS, MESSAGES);
        }
    }

    @Test
    void aPageOfSeveralConversationsReadsItsLimitPerConversationAtEveryDepth() throws SQLException {
        for (long upTo : new long[] {Long.MAX_VALUE, MESSAGES / 2, LIMIT + 10}) {
            try (ReadTransaction transaction = ReadTransaction.begin(dataSource)) {
                Connection connection = transaction.connection();
                List<VisibleMessages.Range> ranges = VisibleMessages.ranges(connection, seeded.user(), null);
                List<String> plan = explain(connection, VisibleMessages.PAGE, select -> {
                    VisibleMessages.bindRanges(select, 1, ranges);
                    select.setLong(4, upTo);
                    select.setInt(5, LIMIT + 1);
                });
                assertThat(ranges).hasSize(CONVERSATIONS);
                assertThat(rowsReadFromMessages(plan)).as("rows of messages read for a page up to seq %d:%n%s", upTo, plan)
                        .isLessThanOrEqualTo(CONVERSATIONS * (LIMIT + 1));
            }
        }
    }

    @Test
    void unreadCountsReadNoneOfTheUnreadMessages() throws SQLException {
        try (ReadTransaction transaction = ReadTransaction.begin(dataSource)) {
            Connection connection = transaction.connection();
            List<VisibleMessages.Range> ranges = VisibleMessages.ranges(connection, seeded.user(), null);
            List<String> plan = explain(connection, UnreadCounts.PER_RANGE, select -> {
                VisibleMessages.bindRanges(select, 1, ranges);
                for (int i = 4; i <= 8; i++) {
                    select.setObject(i, seeded.user());
                }
            });
            // Nothing read yet: half of each conversation is the peer's, unread, and half the
            // caller's own. What is read is the last seq and the caller's author_seq at both
            // ends of the range: three rows per conversation (nothing is deleted or mentions).
            assertThat(rowsReadFromMessages(plan)).as("rows of messages read for the unread counts:%n%s", plan)
                    .isLessThanOrEqualTo(3L * CONVERSATIONS);
        }
    }

    @Test
    void aMemberWhoNeverWroteCountsTheirOwnMessagesWithoutWalkingTheConversation() throws SQLException {
        // The own-message probes must descend messages_by_author: a backward walk of the
        // conversation filtered by author would read every message of one who never wrote.
        UUID lurker = UUID.randomUUID();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement user = connection.prepareStatement("insert into users (user_uuid) values (?)");
                PreparedStatement member = connection.prepareStatement("""
                        insert into memberships (conversation_uuid, user_uuid, joined_at, joined_seq, admin)
                        select c, ?, now(), 0, false from unnest(?::uuid[]) as c""")) {
            user.setObject(1, lurker);
            user.executeUpdate();
            member.setObject(1, lurker);
            member.setArray(2, connection.createArrayOf("uuid", seeded.conversations().toArray()));
            member.executeUpdate();
        }
        try (ReadTransaction transaction = ReadTransaction.begin(dataSource)) {
            Connection connection = transaction.connection();
            List<VisibleMessages.Range> ranges = VisibleMessages.ranges(connection, lurker, null);
            List<String> plan = explain(connection, UnreadCounts.PER_RANGE, select -> {
                VisibleMessages.bindRanges(select, 1, ranges);
                for (int i = 4; i <= 8; i++) {
                    select.setObject(i, lurker);
                }
            });
            assertThat(ranges).hasSize(CONVERSATIONS);
            assertThat(rowsReadFromMessages(plan)).as("rows of messages read for a lurker's unread counts:%n%s", plan)
                    .isLessThanOrEqualTo(3L * CONVERSATIONS);
        }
    }

    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    static List<String> explain(Connection connection, String sql, Binder binder) throws SQLException {
        List<String> plan = new ArrayList<>();
        try (PreparedStatement explain = connection.prepareStatement("explain (analyze, costs off) " + sql)) {
            binder.bind(explain);
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.add(rows.getString(1));
                }
            }
        }
        // The README shows these plans: printed so that they can be taken from the test's output.
        System.out.println("PLAN of " + sql.lines().findFirst().orElse(sql).strip() + System.lineSeparator()
                + String.join(System.lineSeparator(), plan));
        return plan;
    }

    /** The rows that the plan's scans of messages returned, over all their loops. */
    static long rowsReadFromMessages(List<String> plan) {
        long rows = 0;
        for (String node : plan) {
            if (node.matches(".*Scan.* on messages.*")) {
                Matcher actual = ACTUAL.matcher(node);
                assertThat(actual.find()).as(node).isTrue();
                rows += Long.parseLong(actual.group(1)) * Long.parseLong(actual.group(2));
            }
        }
        assertThat(rows).as("no scan of messages found in%n%s", plan).isPositive();
        return rows;
    }
}
