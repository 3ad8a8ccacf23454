package dev.eventsync.api;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.service.DefaultGrpcServiceConfigurer;
import org.springframework.grpc.server.service.GrpcServiceSpec;
import org.springframework.stereotype.Component;

/**
 * A request that does not parse (not protobuf, invalid UTF-8 in a string field, a wrong wire
 * type), a second request message on a method that takes one, or none at all, is the client's
 * fault: INVALID_ARGUMENT, and at most one WARN line per {@link #LOG_INTERVAL_NANOS} for all of
 * them together. grpc-java parses a request before any interceptor sees it and answers a failed
 * parse with UNKNOWN "Application error processing RPC", logging the stack trace at SEVERE. So
 * every service, once Spring gRPC has bound its interceptors, gets request marshallers that never
 * throw (they hand on an "unparseable" marker message instead) and an outermost handler that turns
 * the marker into the status before any interceptor or service code sees it.
 */
@Component
class RequestGuard extends DefaultGrpcServiceConfigurer {

    private static final Logger log = LoggerFactory.getLogger(RequestGuard.class);
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One marker per message type: a fresh empty instance, recognised by identity, never by content. */
    private static final Map<Class<?>, Object> UNPARSEABLE = new ConcurrentHashMap<>();

    private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    RequestGuard(ApplicationContext context) {
        super(context);
    }

    /** Spring gRPC's service definition (interceptors bound), guarded. */
    @Override
    public ServerServiceDefinition configure(GrpcServiceSpec spec, GrpcServerFactory factory) {
        return guard(super.configure(spec, factory));
    }

    /** The service with request marshallers that hand on a marker instead of throwing, and a handler that refuses it. */
    ServerServiceDefinition guard(ServerServiceDefinition service) {
        return ServiceDefinitions.rewrite(service, this::guard);
    }

    private <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
                || !(proto.getMessagePrototype() instanceof MessageLite prototype)) {
            return method;
        }
        @SuppressWarnings("unchecked")
        Q marker = (Q) UNPARSEABLE.computeIfAbsent(prototype.getClass(), type -> prototype.newBuilderForType().buildPartial());
        MethodDescriptor.Marshaller<Q> tolerant = new MethodDescriptor.PrototypeMarshaller<>() {
            @Override
            public Q getMessagePrototype() {
                return proto.getMessagePrototype();
            }

            @Override
            public Class<Q> getMessageClass() {
                return proto.getMessageClass();
            }

            @Override
            public InputStream stream(Q value) {
                return proto.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return proto.parse(stream);
                } catch (RuntimeException e) {
                    return marker; // the interceptor answers INVALID_ARGUMENT
                }
            }
        };
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(descriptor.toBuilder(tolerant, descriptor.getResponseMarshaller()).build(),
                (call, headers) -> refusing(call, headers, handler));
    }

    static boolean isUnparseable(Object message) {
        return message != null && UNPARSEABLE.get(message.getClass()) == message;
    }

    private <Q, R> ServerCall.Listener<Q> refusing(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        boolean oneRequest = call.getMethodDescriptor().getType().clientSendsOneMessage();
        ClosingCall<Q, R> guarded = new ClosingCall<>(call);
        ServerCall.Listener<Q> listener = next.startCall(guarded, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private int messages;
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                if (isUnparseable(message)) {
                    refuse("the request is not a valid " + call.getMethodDescriptor().getFullMethodName()
                            + " request message (protobuf, UTF-8 strings)");
                } else if (oneRequest && ++messages > 1) {
                    refuse(call.getMethodDescriptor().getFullMethodName() + " takes exactly one request message");
                } else {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (refused) {
                    return;
                }
                if (oneRequest && messages == 0) {
                    refuse(call.getMethodDescriptor().getFullMethodName() + " takes exactly one request message; got none");
                } else {
                    super.onHalfClose();
                }
            }

            private void refuse(String reason) {
                refused = true;
                logRateLimited(reason);
                guarded.closeIfOpen(Status.INVALID_ARGUMENT.withDescription(reason));
            }
        };
    }

    /** One line per interval at most, however many bad requests arrive: the log is no second attack surface. */
    private void logRateLimited(String reason) {
        long now = System.nanoTime();
        long next = nextLogAt.get();
        if (now - next >= 0 && nextLogAt.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            long more = unlogged.getAndSet(0);
            log.warn("refused a request that does not parse: {} (and {} more in the interval before)", reason, more);
        } else {
            unlogged.incrementAndGet();
        }
    }

    /** Knows whether it was closed, so that a refusal never closes a call twice. */
    private static final class ClosingCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;

        ClosingCall(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            closed = true;
            super.close(status, trailers);
        }

        synchronized void closeIfOpen(Status status) {
            if (!closed) {
                close(status, new Metadata());
            }
        }
    }
}
