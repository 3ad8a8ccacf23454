#!/usr/bin/env bash
# The benchmark: builds the jars, starts a real PostgreSQL (the embedded one of development mode,
# fsync and synchronous_commit on; or BENCH_DB_URL), starts the server as its own process, drives
# it over real gRPC from a separate load-generator process, prints the figures, stops everything.
#   bench/run.sh [--quick] [--only BASE,W1,W1R,W2,W3,W4,W5,W6,W7,W8] [--warmup seconds]   (arguments go to the load generator)
#   BENCH_DB_URL='jdbc:postgresql://host:5432/db?user=u&password=p' bench/run.sh   # an external PostgreSQL
#   BENCH_SERVER_ARGS='--eventsync.store.writers=1' bench/run.sh --only W1           # server settings to compare
# Results also go to bench/results/run-<time>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -ntp -DskipTests package

work=$(mktemp -d)
# Copies: a rebuild while the benchmark runs must not pull classes from under the running JVMs.
# The server jar holds no PostgreSQL binaries; dev-lib/ beside it has the host's (development only).
cp src/server/target/eventsync.jar src/tools/target/eventsync-tools.jar "$work/"
cp -r src/server/target/dev-lib "$work/dev-lib"
server_jar=("-Dloader.path=$work/dev-lib" -jar "$work/eventsync.jar")
tools_jar=(-jar "$work/eventsync-tools.jar")
grpc_port=19090
http_port=19091
server_args=(--spring.grpc.server.port=$grpc_port --server.port=$http_port)
# W7: media under $work, and its BASE disk files beside them (the same filesystem).
server_args+=(--eventsync.media.filesystem.root="$work/media")
# Each load-generator client stands for many people: the per-user rate limits are raised out of the way.
server_args+=(--eventsync.rate-limit.sync-events-per-second=1000000 --eventsync.rate-limit.sync-events-burst=1000000)
# W8's push gateway is served by the load generator on this port (its default --push-gateway).
push_gateway=127.0.0.1:19092
server_args+=(--eventsync.push.allowed-gateways=http://$push_gateway/)
if [[ -n ${BENCH_DB_URL:-} ]]; then
  db_url=$BENCH_DB_URL
  export EVENTSYNC_AUTH_JWT_SECRET=${EVENTSYNC_AUTH_JWT_SECRET:-bench-only-secret-0123456789-0123456789}
  server_args+=(--spring.datasource.url="$BENCH_DB_URL")
else
  db_port=15432
  db_url="jdbc:postgresql://127.0.0.1:$db_port/postgres?user=postgres"
  server_args+=(--eventsync.dev.data-dir="$work/postgres" --eventsync.dev.database-port=$db_port)
fi

# Word-split on purpose: a list of --name=value settings.
# shellcheck disable=SC2206
server_args+=(${BENCH_SERVER_ARGS:-})

# W4 holds one connection per device: a descriptor each in both processes. Raise the soft limit
# as far as the hard one allows (raising the hard one needs CAP_SYS_RESOURCE); the load generator
# reads its limit and says how many devices got a connection of their own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
limits="open files $(ulimit -n) (hard $(ulimit -Hn)), fs.file-max $(cat /proc/sys/fs/file-max 2>/dev/null || echo ?), ephemeral ports $(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo ?)"

java -Xmx1g "${server_jar[@]}" "${server_args[@]}" > "$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  java "${server_jar[@]}" healthcheck $grpc_port >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "server failed to start:"; tail -40 "$work/server.log"; exit 1; }
  sleep 1
done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; server heap max 1 GiB; $(java -version 2>&1 | head -1)"
echo "limits (both processes): $limits"
# 4 GiB: W4's client side holds one grpc-java channel per device (the server stays at 1 GiB).
java -Xmx4g "${tools_jar[@]}" bench --grpc 127.0.0.1:$grpc_port --http 127.0.0.1:$http_port \
  --jdbc "$db_url" --disk-dir "$work/bench-disk" "$@"
