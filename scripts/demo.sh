#!/usr/bin/env bash
# A two-minute tour of `sla serve` with the shipped examples: start the server, send it a
# signed canonical webhook with curl, read the ticket's SLA state, see the SLA events and
# the metrics, stop it gracefully. Everything stays in a temporary directory on loopback.
#
#   scripts/demo.sh            # uses target/debug/sla (built if missing)
#   SLA=/path/to/sla scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18080}
SLA=${SLA:-${CARGO_TARGET_DIR:-target}/debug/sla}
BASE="http://127.0.0.1:$PORT"
say() { printf '\n==> %s\n' "$*"; }

[ -x "$SLA" ] || cargo build -p sla-cli >&2

# Every secret the example tenants file names must exist, or start-up stops.
export ACME_CANONICAL_SECRET=demo-canonical-secret
export ACME_ZENDESK_SECRET=demo-zendesk-secret GLOBEX_JIRA_SECRET=demo-jira-secret GLOBEX_HUBSPOT_SECRET=demo-hubspot-secret

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

say "sla serve --tenants examples/tenants.yaml --db $WORK/sla.db --events $WORK/events.jsonl --sweep-every 2s --listen 127.0.0.1:$PORT"
"$SLA" serve --tenants examples/tenants.yaml --db "$WORK/sla.db" --events "$WORK/events.jsonl" \
  --sweep-every 2s --listen "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 50); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/healthz"; echo

say "POST a signed canonical webhook: an urgent enterprise ticket created two hours ago (30 min first-response target, 24x7)"
AT=$(date -u -d '2 hours ago' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v-2H +%Y-%m-%dT%H:%M:%SZ)
BODY='{"tenant":"acme","ticket_id":"T-1001","event_id":"crm-1001-created","at":"'$AT'","kind":"created","ticket":{"status":"new","priority":"urgent","segment":"enterprise","group":"emea"}}'
TS=$(date +%s)
SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$ACME_CANONICAL_SECRET" -r | cut -d' ' -f1)
curl -sS -X POST "$BASE/webhooks/acme/canonical" -H 'Content-Type: application/json' \
  -H "X-Sla-Timestamp: $TS" -H "X-Sla-Signature: v1=$SIG" --data-binary "$BODY"; echo

say "the same body with a wrong signature is refused"
curl -sS -X POST "$BASE/webhooks/acme/canonical" -H "X-Sla-Timestamp: $TS" \
  -H "X-Sla-Signature: v1=$(printf '0%.0s' $(seq 64))" --data-binary "$BODY"; echo

say "waiting for the next sweep (every 2 s)"
sleep 3

say "GET /tickets/acme/T-1001 (each clock: state, deadline, business seconds elapsed)"
curl -sS "$BASE/tickets/acme/T-1001" | jq '{policy: .policy.name, clocks: [.clocks[] | {metric, state, deadline, elapsed_seconds}], pending_events}' 2>/dev/null \
  || curl -sS "$BASE/tickets/acme/T-1001"

say "SLA events delivered ($WORK/events.jsonl)"
cat "$WORK/events.jsonl"

say "GET /metrics (excerpt)"
curl -sS "$BASE/metrics" | grep -E '^sla_(webhook_responses_total|events_ingested_total|events_published_total|breaches_total)'

say "SIGTERM: graceful stop (finish requests in flight, final sweep)"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
tail -3 "$WORK/serve.log"
