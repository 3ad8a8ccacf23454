# syntax=docker/dockerfile:1
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY . .
# The server module and what it needs from the reactor (its tests, skipped here, also use the
# client and tools modules, so they are compiled too; none of them enters the server jar). The
# Maven repository is a cache mount: downloaded once, reused by later builds on this builder.
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -DskipTests -pl src/server -am package

FROM eclipse-temurin:17-jre
# Nothing is written to /app (no embedded database here; temporary files go to /tmp): it and the
# jar stay root-owned and read-only. Media bytes go to /var/lib/eventsync/media (the default
# eventsync.media.filesystem.root outside development mode), a volume owned by the server's user.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin eventsync \
    && mkdir -p /var/lib/eventsync/media && chown -R eventsync:eventsync /var/lib/eventsync
VOLUME /var/lib/eventsync/media
WORKDIR /app
# Never development mode in the image: without SPRING_DATASOURCE_URL the server refuses to start
# (it would otherwise run an embedded database with the public JWT secret).
ENV EVENTSYNC_DEV_ENABLED=false
COPY --from=build /build/src/server/target/eventsync.jar /app/eventsync.jar
USER eventsync
EXPOSE 9090 9091
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-jar", "/app/eventsync.jar", "healthcheck"]
# Java 17 gives the heap only 25% of the container's memory by default.
# Arguments are the jar's: none runs the server, `migrate` migrates the schema and exits.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/eventsync.jar"]
