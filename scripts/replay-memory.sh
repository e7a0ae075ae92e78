#!/usr/bin/env bash
# Wall time and peak memory (max RSS) of `sla replay` and `sla report` over a generated
# history, release build, under /usr/bin/time -v.
#
#   scripts/replay-memory.sh                        # 135,000 tickets (1.0M events, 206 MB)
#   CHUNKS=10 GZIP=1 scripts/replay-memory.sh       # 1.35M tickets (10.1M events), gzip
#   SLA=/tmp/sla-before scripts/replay-memory.sh    # another binary (e.g. the previous commit)
#
# Generates the events file once into $WORK (default /tmp; kept for reruns: delete it
# when done): CHUNKS runs of the generator with distinct seeds and ticket numbers,
# concatenated, gzip-compressed with GZIP=1 (the 10M file is 2 GB plain). The replay
# spills about the input's (uncompressed) size to $TMPDIR, plus its SLA events.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${TICKETS:-135000}
CHUNKS=${CHUNKS:-1}
# gzip reads options from $GZIP: keep the value and clear the variable.
COMPRESS=${GZIP:-0}
unset GZIP
SEED=${SEED:-1}
WORK=${WORK:-/tmp}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
SLA=${SLA:-$TARGET_DIR/release/sla}
EVENTS="$WORK/replay-${CHUNKS}x$TICKETS-$SEED.jsonl"
[ "$COMPRESS" = 1 ] && EVENTS="$EVENTS.gz"
POLICY=examples/policy.yaml

say() { printf '==> %s\n' "$*" >&2; }

if [ "${BUILD:-1}" = 1 ]; then
  say "building (release)"
  cargo build --release -q -p sla-cli --bin sla
  cargo build --release -q -p sla-core --example gen_tickets
fi
generate() {
  for ((i = 0; i < CHUNKS; i++)); do
    "$TARGET_DIR/release/examples/gen_tickets" --tickets "$TICKETS" --seed $((SEED + i)) \
      --first $((i * TICKETS))
  done
}
if [ ! -s "$EVENTS" ]; then
  say "generating $CHUNKS x $TICKETS tickets into $EVENTS"
  if [ "$COMPRESS" = 1 ]; then generate | gzip -1 > "$EVENTS"; else generate > "$EVENTS"; fi
fi
lines=$( (if [ "$COMPRESS" = 1 ]; then zcat "$EVENTS"; else cat "$EVENTS"; fi) | wc -l)
say "$lines lines, $(du -m "$EVENTS" | cut -f1) MB on disk, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs one command; prints wall, CPU and max RSS.
measure() {
  local name=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  awk -v name="$name" '
    /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
    /User time/ { user = $NF }
    /System time/ { sys = $NF }
    /Maximum resident set size/ { rss = $NF }
    END { printf "%-28s %6.2f s wall  %6.2f s user  %5.2f s sys  %5d MB peak\n", name, wall, user, sys, rss / 1024 }
  ' "$log"
  rm -f "$log"
}

measure "sla replay" "$SLA" replay --policy "$POLICY" "$EVENTS"
measure "sla replay --no-events" "$SLA" replay --policy "$POLICY" --no-events "$EVENTS"
measure "sla report" "$SLA" report --policy "$POLICY" "$EVENTS"
