package dev.eventsync.flow;

import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.function.Function;

/**
 * A server stream under gRPC flow control: the next item is taken from its source only when the
 * client can take it (isReady), so a slow client costs one item in memory. One drainer at a time
 * (the call's thread first, then the onReady handler, which can fire spuriously: it re-checks);
 * the source is closed once, whichever way the call ends (its end, a failure, a cancel).
 */
public final class ReadyStream<T> {

    /** What the stream sends, one item at a time. */
    public interface Source<T> {
        /** The next item, or null at the end. */
        T next() throws Exception;

        /** Releases what the source holds (a transaction, a file); called once. */
        void close();
    }

    private final ServerCallStreamObserver<T> observer;
    private final Source<T> source;
    private final Function<Throwable, StatusException> errors;
    private boolean finished;

    private ReadyStream(ServerCallStreamObserver<T> observer, Source<T> source, Function<Throwable, StatusException> errors) {
        this.observer = observer;
        this.source = source;
        this.errors = errors;
    }

    /** Sets the call's handlers (before the service method returns) and sends what the client can take now. */
    public static <T> void start(ServerCallStreamObserver<T> observer, Source<T> source, Function<Throwable, StatusException> errors) {
        ReadyStream<T> stream = new ReadyStream<>(observer, source, errors);
        observer.setOnCancelHandler(stream::finish);
        observer.setOnReadyHandler(stream::drain);
        stream.drain();
    }

    private synchronized void drain() {
        try {
            while (!finished && observer.isReady()) {
                T item = source.next();
                if (item == null) {
                    finish();
                    observer.onCompleted();
                    return;
                }
                observer.onNext(item);
            }
        } catch (Exception e) {
            if (!finished) {
                finish();
                observer.onError(errors.apply(e));
            }
        }
    }

    private synchronized void finish() {
        if (!finished) {
            finished = true;
            source.close();
        }
    }
}
