#!/usr/bin/env bash
# Breach and warning announcement latency of `sla serve` with default settings: creates
# tickets whose first-response breach (1 h, group `breaches`, no warning) or 75 % warning
# (group `warnings`) falls at spread instants a few seconds to a minute ahead (each
# created the target's duration, or 45 min, before its instant),
# receives the events on a local HTTP endpoint (`--events http://...`), and reports
# delivered minus instant: p50 / p99 / max, plus events early (must be 0) and missing.
#
#   scripts/announce-latency.sh                 # 120 tickets over 60 s
#   TICKETS=300 SPREAD=90 scripts/announce-latency.sh
#   SWEEP_EVERY=15s PROFILE=release scripts/announce-latency.sh
#
# A third of the tickets are created while earlier instants are falling due (each 2-5 s
# before its own instant); a ticket whose creation is answered less than 1 s before its
# instant (the driver fell behind) is not counted. Fresh temporary database, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${TICKETS:-120}
SPREAD=${SPREAD:-60}
PROFILE=${PROFILE:-dev}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
EXTRA_ARGS=()
if [ -n "${SWEEP_EVERY:-}" ]; then EXTRA_ARGS+=(--sweep-every "$SWEEP_EVERY"); fi

say() { printf '==> %s\n' "$*" >&2; }

say "building sla ($PROFILE profile)"
cargo build --profile "$PROFILE" -p sla-cli >&2
case "$PROFILE" in dev) SLA="$TARGET_DIR/debug/sla" ;; *) SLA="$TARGET_DIR/$PROFILE/sla" ;; esac

WORK=$(mktemp -d)
SERVER_PID=
RECEIVER_PID=
cleanup() {
  for pid in $SERVER_PID $RECEIVER_PID; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
SERVE_PORT=$(free_port)
SINK_PORT=$(free_port)

cat >"$WORK/policy.yaml" <<'YAML'
policies:
  - name: breaches            # no warning: nothing falls due before the breach
    when: {group: [breaches]}
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
  - name: warnings
    when: {}
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
    warn_at: ["75%"]
YAML
cat >"$WORK/tenants.yaml" <<YAML
tenants:
  acme:
    policy: $WORK/policy.yaml
    vendors:
      canonical: {secret_env: SLA_LATENCY_SECRET}
YAML
SLA_LATENCY_SECRET=$(openssl rand -hex 32)
export SLA_LATENCY_SECRET

# The receiver: notes the wall-clock arrival of each POSTed event (one JSON line each).
cat >"$WORK/receiver.py" <<'PY'
import http.server, json, sys, time
out = open(sys.argv[2], "a", buffering=1)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        arrived = time.time()
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        out.write(json.dumps({"arrived": arrived, "event": json.loads(body)}) + "\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$WORK/receiver.py" "$SINK_PORT" "$WORK/received.jsonl" &
RECEIVER_PID=$!

say "starting sla serve on 127.0.0.1:$SERVE_PORT (defaults${SWEEP_EVERY:+, --sweep-every $SWEEP_EVERY})"
RUST_LOG=warn "$SLA" serve --tenants "$WORK/tenants.yaml" --db "$WORK/sla.db" \
  --listen "127.0.0.1:$SERVE_PORT" --events "http://127.0.0.1:$SINK_PORT/" \
  ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"} 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$SERVE_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# The driver: creates the tickets (signed canonical webhooks), waits, then computes.
cat >"$WORK/driver.py" <<'PY'
import hashlib, hmac, json, os, random, sys, time, urllib.request
from datetime import datetime, timedelta, timezone

port, received, tickets, spread = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
secret = os.environ["SLA_LATENCY_SECRET"].encode()
random.seed(7)
start = time.time()
planned = []
for k in range(tickets):
    instant = start + 3 + random.random() * spread
    kind = "breached" if k % 2 == 0 else "warning"
    late_create = k % 3 == 2 and instant - start > 6
    deliver = instant - 2 - random.random() * 3 if late_create else start
    planned.append((deliver, instant, kind, f"LAT-{k}"))
planned.sort()

def send(instant, kind, ticket):
    before = 3600 if kind == "breached" else 2700
    at = datetime.fromtimestamp(instant - before, timezone.utc).isoformat()
    body = json.dumps({"tenant": "acme", "ticket_id": ticket, "event_id": ticket + "-c", "at": at,
                       "kind": "created", "ticket": {"status": "new", "priority": "normal",
                                                     "group": "breaches" if kind == "breached" else "warnings"}}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/acme/canonical", data=body,
                                 headers={"content-type": "application/json", "x-sla-timestamp": ts,
                                          "x-sla-signature": sig})
    urllib.request.urlopen(req).read()

# Tickets whose creation was answered less than 1 s before their instant (the driver
# fell behind) are not counted: their lateness is the driver's, not the sweep's.
expected, skipped = {}, 0
for deliver, instant, kind, ticket in planned:
    time.sleep(max(0.0, deliver - time.time()))
    send(instant, kind, ticket)
    if instant - time.time() >= 1.0:
        expected[(ticket, kind)] = instant
    else:
        skipped += 1
last = max(p[1] for p in planned)
time.sleep(max(0.0, last - time.time()) + 3)

late, early, seen = [], 0, set()
for line in open(received):
    rec = json.loads(line)
    ev = rec["event"]
    key = (ev["ticket_id"], ev["type"])
    if key not in expected or key in seen:
        continue
    seen.add(key)
    at = datetime.fromisoformat(ev["at"].replace("Z", "+00:00")).timestamp()
    delta = rec["arrived"] - at
    early += delta < 0
    late.append(delta)
late.sort()
def pct(p):
    return late[min(len(late) - 1, int(round(p / 100 * (len(late) - 1))))] if late else float("nan")
print(f"announcements: {len(late)} of {len(expected)} delivered, {early} early, "
      f"{len(expected) - len(late)} missing ({skipped} created too late to count)")
print(f"delivered minus instant: p50 {pct(50)*1000:.0f} ms, p99 {pct(99)*1000:.0f} ms, "
      f"max {late[-1]*1000 if late else float('nan'):.0f} ms")
PY
python3 "$WORK/driver.py" "$SERVE_PORT" "$WORK/received.jsonl" "$TICKETS" "$SPREAD"
