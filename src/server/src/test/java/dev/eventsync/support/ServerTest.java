package dev.eventsync.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * An end-to-end test: the whole server on a real gRPC port (random), on the real test
 * PostgreSQL. Inject {@code @LocalGrpcServerPort int port} and talk to it with {@link Api}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(properties = {
        "spring.grpc.server.port=0",
        "eventsync.auth.jwt-secret=" + Api.SECRET,
        "eventsync.media.filesystem.root=" + Servers.MEDIA_ROOT,
        // Contexts still cached at JVM exit close while the embedded database is going away.
        "spring.datasource.hikari.connection-timeout=2000"
})
@ContextConfiguration(initializers = TestDatabaseInitializer.class)
public @interface ServerTest {}
