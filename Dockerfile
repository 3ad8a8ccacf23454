FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer: rebuilt only when pom.xml changes.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY . .
RUN mvn -B -DskipTests package

FROM eclipse-temurin:17-jre
# /app is the working directory and writable by the app user (dev mode keeps its embedded
# database there); the jar itself stays root-owned and read-only.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin eventsync \
 && mkdir -p /app && chown eventsync /app
WORKDIR /app
COPY --from=build /build/target/eventsync.jar /app/eventsync.jar
USER eventsync
EXPOSE 9090 9091
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-jar", "/app/eventsync.jar", "healthcheck"]
# Java 17 gives the heap only 25% of the container's memory by default.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/eventsync.jar"]
