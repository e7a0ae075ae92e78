#!/usr/bin/env bash
# Sustained webhooks per second of `sla serve` (release build), measured with wrk on
# loopback. Every request is a new, correctly signed canonical webhook (see
# scripts/load-serve.lua): 2000 tickets per wrk thread, created then updated in turn, so
# the store does one read and one conditional write per request, as in production.
#
#   scripts/load-serve.sh                       # 30 s, 2 wrk threads, 16 connections
#   DURATION=60s CONNECTIONS=32 scripts/load-serve.sh
#   SLA_BIN=/tmp/sla-old scripts/load-serve.sh  # measure a saved binary (no build)
#
# Prints wrk's figures, then the server's CPU seconds (user + system) and CPU per request.
# Installs wrk from Debian if missing (apt-get). Uses a fresh temporary database, which
# it deletes afterwards; listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18181}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

say() { printf '==> %s\n' "$*" >&2; }

case "$DURATION" in
  [0-9]s | [0-9][0-9]s | [0-9]m | 1[0-9]m) ;;
  *) echo "DURATION=$DURATION: use seconds or minutes up to 19m (e.g. 30s, 2m)" >&2; exit 2 ;;
esac

if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  apt-get install -y wrk >/dev/null
fi

if [ -n "${SLA_BIN:-}" ]; then
  SLA=$SLA_BIN   # a saved build, e.g. to compare two versions
else
  say "building sla (release)"
  cargo build --release -p sla-cli >&2
  SLA="$TARGET_DIR/release/sla"
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/tenants.yaml" <<YAML
tenants:
  acme:
    policy: $PWD/examples/policy.yaml
    vendors:
      canonical: {secret_env: SLA_LOAD_SECRET}
YAML
SLA_LOAD_SECRET=$(openssl rand -hex 32)
export SLA_LOAD_SECRET SLA_LOAD_TENANT=acme SLA_LOAD_RUN="load$(date +%s)"

say "starting sla serve on 127.0.0.1:$PORT (database $WORK/sla.db, events $WORK/events.jsonl)"
RUST_LOG=warn "$SLA" serve --tenants "$WORK/tenants.yaml" --db "$WORK/sla.db" \
  --listen "127.0.0.1:$PORT" --events "$WORK/events.jsonl" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

say "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION"
wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s \
  -s scripts/load-serve.lua "http://127.0.0.1:$PORT/webhooks/acme/canonical" | tee "$WORK/wrk.txt"

# The server's CPU (user + system, from /proc) per request: steadier than the rate when
# other work shares the machine.
ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {
  if (n > 0) printf "server CPU: %.1f s, %.0f us per request\n", t / hz, t / hz / n * 1e6 }'

say "server counters"
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^sla_(webhook_responses_total|events_ingested_total|events_duplicate_total|store_conflicts_total)'
if grep -q 'Non-2xx' "$WORK/wrk.txt"; then
  echo "some webhooks were refused; see the status counts above and $WORK/serve.log" >&2
  tail -5 "$WORK/serve.log" >&2
  exit 1
fi
