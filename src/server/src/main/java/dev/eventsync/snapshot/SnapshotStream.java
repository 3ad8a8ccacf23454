package dev.eventsync.snapshot;

import dev.eventsync.flow.ReadyStream;
import dev.eventsync.history.ReadTransaction;
import dev.eventsync.proto.v1.SnapshotItem;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Snapshot calls under gRPC flow control: an item is read only when the client can take it
 * (isReady), so a slow client holds one conversation's view in memory at most. The read
 * transaction stays open until the end item is sent or the call ends; a client that stops
 * reading for longer than idle_in_transaction_session_timeout gets UNAVAILABLE (start again).
 */
@Component
public class SnapshotStream {

    private final DataSource dataSource;

    public SnapshotStream(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void start(ServerCallStreamObserver<SnapshotItem> observer, java.util.UUID caller, SnapshotQuery query,
                      Function<Throwable, StatusException> errors) throws SQLException {
        ReadTransaction transaction = ReadTransaction.begin(dataSource);
        SnapshotReader reader;
        try {
            reader = SnapshotReader.open(transaction.connection(), caller, query);
        } catch (SQLException | RuntimeException e) {
            transaction.close();
            throw e;
        }
        ReadyStream.start(observer, new ReadyStream.Source<>() {
            @Override
            public SnapshotItem next() throws SQLException {
                return reader.next();
            }

            @Override
            public void close() {
                try {
                    transaction.close();
                } catch (SQLException e) {
                    // the connection is gone already; the pool replaces it
                }
            }
        }, errors);
    }
}
