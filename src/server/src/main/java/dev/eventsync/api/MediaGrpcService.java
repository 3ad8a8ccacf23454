package dev.eventsync.api;

import dev.eventsync.auth.Caller;
import dev.eventsync.events.CallRejected;
import dev.eventsync.media.Downloads;
import dev.eventsync.media.MediaRules;
import dev.eventsync.media.Uploads;
import dev.eventsync.proto.v1.DownloadMediaChunk;
import dev.eventsync.proto.v1.DownloadMediaRequest;
import dev.eventsync.proto.v1.GetMediaStatusRequest;
import dev.eventsync.proto.v1.GetMediaUrlRequest;
import dev.eventsync.proto.v1.MediaServiceGrpc;
import dev.eventsync.proto.v1.MediaStatus;
import dev.eventsync.proto.v1.MediaUrl;
import dev.eventsync.proto.v1.UploadMediaRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.sql.SQLException;
import org.springframework.stereotype.Service;

/** MediaService (API.md v1.1): translates; the rules are {@link MediaRules}, the work {@link Uploads} and {@link Downloads}. */
@Service
class MediaGrpcService extends MediaServiceGrpc.MediaServiceImplBase {

    private final Uploads uploads;
    private final Downloads downloads;
    private final GrpcErrors errors;

    MediaGrpcService(Uploads uploads, Downloads downloads, GrpcErrors errors) {
        this.uploads = uploads;
        this.downloads = downloads;
        this.errors = errors;
    }

    @Override
    public StreamObserver<UploadMediaRequest> uploadMedia(StreamObserver<MediaStatus> responses) {
        return new UploadObserver(Caller.current(), responses);
    }

    @Override
    public void getMediaStatus(GetMediaStatusRequest request, StreamObserver<MediaStatus> observer) {
        Caller caller = Caller.current();
        try {
            observer.onNext(uploads.status(caller.userUuid(), request.getMediaUuid())); // throws CallRejected: INVALID_ARGUMENT, NOT_FOUND
            observer.onCompleted();
        } catch (SQLException e) {
            observer.onError(errors.toException(e));
        }
    }

    @Override
    public void downloadMedia(DownloadMediaRequest request, StreamObserver<DownloadMediaChunk> observer) {
        Caller caller = Caller.current();
        try {
            downloads.start((ServerCallStreamObserver<DownloadMediaChunk>) observer, caller.userUuid(), request, errors::toException);
        } catch (SQLException | IOException e) {
            observer.onError(errors.toException(e));
        }
    }

    @Override
    public void getMediaUrl(GetMediaUrlRequest request, StreamObserver<MediaUrl> observer) {
        Caller caller = Caller.current();
        try {
            observer.onNext(downloads.url(caller.userUuid(), request.getMediaUuid())); // throws CallRejected: NOT_FOUND, FAILED_PRECONDITION
            observer.onCompleted();
        } catch (SQLException e) {
            observer.onError(errors.toException(e));
        }
    }

    /**
     * One UploadMedia call. gRPC delivers its messages one at a time and asks for the next only
     * when onNext returned, so a call holds one chunk; every ending (half-close, failure, the
     * client's cancel or a dropped connection, which arrive as onError) closes the upload, which
     * records its committed bytes.
     */
    private final class UploadObserver implements StreamObserver<UploadMediaRequest> {
        private final Caller caller;
        private final StreamObserver<MediaStatus> responses;
        private Uploads.Call upload;
        private boolean answered;

        UploadObserver(Caller caller, StreamObserver<MediaStatus> responses) {
            this.caller = caller;
            this.responses = responses;
        }

        @Override
        public void onNext(UploadMediaRequest request) {
            if (answered) {
                return; // the call is over (the media was complete at once, or it failed): the rest is ignored
            }
            try {
                if (upload == null) {
                    if (!request.hasStart()) {
                        throw new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, "the first message must be start");
                    }
                    Uploads.Started started = uploads.start(caller.userUuid(), request.getStart());
                    if (started instanceof Uploads.Started.Complete complete) {
                        answer(complete.status());
                    } else {
                        upload = ((Uploads.Started.Receiving) started).call();
                    }
                } else if (request.hasStart()) {
                    throw new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, "start must be the first message only");
                } else {
                    upload.write(request.getChunk());
                }
            } catch (SQLException | IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void onError(Throwable cancelled) {
            closeUpload();
        }

        @Override
        public void onCompleted() {
            if (answered) {
                return;
            }
            if (upload == null) {
                fail(new CallRejected(CallRejected.Problem.INVALID_ARGUMENT, "the first message must be start"));
                return;
            }
            try {
                answer(upload.finish());
            } catch (SQLException | IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void answer(MediaStatus status) {
            answered = true;
            responses.onNext(status);
            responses.onCompleted();
        }

        private void fail(Throwable error) {
            answered = true;
            closeUpload();
            responses.onError(errors.toException(error));
        }

        /** Records what is durable; a failure to record leaves the last record, which is still true. */
        private void closeUpload() {
            if (upload == null) {
                return;
            }
            try {
                upload.close();
            } catch (SQLException | IOException | RuntimeException e) {
                // the bytes recorded before stay true; the client resumes from them
            }
        }
    }
}
