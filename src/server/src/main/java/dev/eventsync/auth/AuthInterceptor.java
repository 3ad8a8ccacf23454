package dev.eventsync.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Iterator;

/**
 * Deny by default: every call must carry a valid token, except the standard gRPC health and
 * reflection services. A refused call reads and writes nothing: it ends here, UNAUTHENTICATED.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Tokens tokens;

    AuthInterceptor(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (service != null && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."))) {
            return next.startCall(call, headers);
        }
        Caller caller;
        try {
            caller = tokens.verify(authorization(headers));
        } catch (Tokens.Unauthenticated e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        } catch (Tokens.Unavailable e) {
            return refuse(call, Status.UNAVAILABLE.withDescription(e.getMessage()));
        }
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), call, headers, next);
    }

    /** The one authorization value. Two would leave which one counts to the proxies in between: refused. */
    private static String authorization(Metadata headers) throws Tokens.Unauthenticated {
        Iterable<String> values = headers.getAll(AUTHORIZATION);
        if (values == null) {
            return null;
        }
        Iterator<String> iterator = values.iterator();
        String first = iterator.next();
        if (iterator.hasNext()) {
            throw new Tokens.Unauthenticated("more than one `authorization` metadata value");
        }
        return first;
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
