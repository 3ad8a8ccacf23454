package dev.eventsync.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

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
            caller = tokens.verify(headers.get(AUTHORIZATION));
        } catch (Tokens.Unauthenticated e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), call, headers, next);
    }
}
