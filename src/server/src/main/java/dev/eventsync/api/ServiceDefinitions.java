package dev.eventsync.api;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Rewrites the methods of a bound service (marshallers, handlers), keeping its name and schema. */
final class ServiceDefinitions {

    private ServiceDefinitions() {}

    /**
     * The service with every method replaced by {@code rewrite}'s answer for it (the method itself
     * to keep it). The service descriptor is built again from the new methods: grpc-java requires
     * each bound method to be the very descriptor its service lists.
     */
    static ServerServiceDefinition rewrite(ServerServiceDefinition service, UnaryOperator<ServerMethodDefinition<?, ?>> rewrite) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> rewritten = rewrite.apply(method);
            descriptor.addMethod(rewritten.getMethodDescriptor());
            methods.add(rewritten);
        }
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(builder::addMethod);
        return builder.build();
    }
}
