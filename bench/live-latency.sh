#!/usr/bin/env bash
# Live send-to-receive latency, one follower: builds the jars, starts a server on a fresh
# embedded PostgreSQL (fsync and synchronous_commit on) in a temporary folder, measures, stops it.
#   bench/live-latency.sh [messages]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-500}
./mvnw -q -ntp -DskipTests package
work=$(mktemp -d)
# Copies (a rebuild must not change a running jar); dev-lib/ holds the host's PostgreSQL binaries.
cp src/server/target/eventsync.jar src/tools/target/eventsync-tools.jar "$work/"
cp -r src/server/target/dev-lib "$work/dev-lib"
server_jar=("-Dloader.path=$work/dev-lib" -jar "$work/eventsync.jar")
port=19090
# One sender sends as fast as the follower receives: far above a person's rate limit, raised here.
java "${server_jar[@]}" --spring.grpc.server.port=$port --eventsync.dev.data-dir="$work/postgres" \
  --eventsync.rate-limit.sync-events-per-second=1000000 --eventsync.rate-limit.sync-events-burst=1000000 \
  > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  java "${server_jar[@]}" healthcheck $port >/dev/null 2>&1 && break
  sleep 1
done
java -jar "$work/eventsync-tools.jar" bench-live 127.0.0.1:$port "$messages"
