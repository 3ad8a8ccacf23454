package dev.eventsync.support;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Methods of the real services that send and receive raw bytes: requests no generated client could send. */
public final class RawCalls {

    /** Bytes as they are, both ways. */
    public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawCalls() {}

    /** The same method (name and type) with raw bytes for its messages. */
    public static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
        return raw(method, method.getType());
    }

    /** The same method name as another type of call (to send a unary method two requests, say). */
    public static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method, MethodDescriptor.MethodType type) {
        return MethodDescriptor.newBuilder(BYTES, BYTES).setType(type).setFullMethodName(method.getFullMethodName()).build();
    }
}
