package dev.eventsync.snapshot;

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
        Call call;
        try {
            call = new Call(observer, transaction, SnapshotReader.open(transaction.connection(), caller, query), errors);
        } catch (SQLException | RuntimeException e) {
            transaction.close();
            throw e;
        }
        observer.setOnCancelHandler(call::finish);
        observer.setOnReadyHandler(call::drain);
        call.drain();
    }

    /** One call: sends while the client is ready, ends the transaction once, whichever way the call ends. */
    private static final class Call {
        private final ServerCallStreamObserver<SnapshotItem> observer;
        private final ReadTransaction transaction;
        private final SnapshotReader reader;
        private final Function<Throwable, StatusException> errors;
        private boolean finished;

        Call(ServerCallStreamObserver<SnapshotItem> observer, ReadTransaction transaction, SnapshotReader reader,
             Function<Throwable, StatusException> errors) {
            this.observer = observer;
            this.transaction = transaction;
            this.reader = reader;
            this.errors = errors;
        }

        synchronized void drain() {
            try {
                while (!finished && observer.isReady()) {
                    SnapshotItem item = reader.next();
                    if (item == null) {
                        finish();
                        observer.onCompleted();
                        return;
                    }
                    observer.onNext(item);
                }
            } catch (SQLException | RuntimeException e) {
                if (!finished) {
                    finish();
                    observer.onError(errors.apply(e));
                }
            }
        }

        synchronized void finish() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                transaction.close();
            } catch (SQLException e) {
                // the connection is gone already; the pool replaces it
            }
        }
    }
}
