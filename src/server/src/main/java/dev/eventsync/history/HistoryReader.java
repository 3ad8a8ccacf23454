package dev.eventsync.history;

import dev.eventsync.events.CallRejected;
import dev.eventsync.proto.v1.HistoryPage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * History (API.md v1.1): one conversation's messages visible to the caller, paged back by
 * {@code before_message_uuid}, read in one REPEATABLE READ transaction ({@link ReadTransaction}).
 */
@Component
public class HistoryReader {

    private final DataSource dataSource;

    public HistoryReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public HistoryPage page(UUID caller, HistoryQuery query) throws SQLException {
        try (ReadTransaction transaction = ReadTransaction.begin(dataSource)) {
            return read(transaction.connection(), caller, query);
        }
    }

    private static HistoryPage read(Connection connection, UUID caller, HistoryQuery query) throws SQLException {
        List<VisibleMessages.Range> ranges = VisibleMessages.ranges(connection, caller, query.conversation());
        if (ranges.isEmpty()) {
            throw notFound();
        }
        long upTo = Long.MAX_VALUE;
        if (query.before() != null) {
            long before = VisibleMessages.seqOf(connection, query.conversation(), query.before());
            if (ranges.stream().noneMatch(r -> before > r.from() && before <= r.to())) {
                throw notFound();
            }
            upTo = before - 1;
        }
        VisibleMessages.Page page = VisibleMessages.page(connection, caller, query.conversation(), ranges, upTo, query.limit());
        return HistoryPage.newBuilder().addAllMessages(page.views()).setComplete(page.complete()).build();
    }

    private static CallRejected notFound() {
        return new CallRejected(CallRejected.Problem.NOT_FOUND,
                "no such conversation, or you were never a member, or no such message of it that you can see");
    }
}
