#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, infrastructure validation,
# and every Rust test (unit, property, scenario, CLI, and integration tests against a
# moto server that scripts/moto.sh installs into a virtualenv, starts and stops), and the
# HTML report and the live dashboard in Debian's headless Chromium (scripts/browser.sh installs
# chromium and Playwright).
#
#   scripts/test.sh            # everything
#   SLA_VENV=/path scripts/test.sh   # reuse a virtualenv (default: .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "rustfmt"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rustdoc (no warnings: broken intra-doc links, missing docs on library crates)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "documentation links (README.md, docs/)"
python3 scripts/check-links.py

step "infrastructure (SAM translate, cfn-lint, checkov)"
bash scripts/validate-infra.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "Athena named queries on DuckDB (infra/athena/*.sql vs sla report)"
bash scripts/moto.sh install
venv="${SLA_VENV:-.venv}"
"$venv/bin/python" -c 'import duckdb' 2>/dev/null ||
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'duckdb==2.0.1'
cargo build --locked -p sla-cli --bin sla
"$venv/bin/python" tests/analytics/athena_queries.py 2>&1 | tee -a "$log"

step "getting started (every sh block of docs/getting-started.md, against the debug build)"
python3 scripts/check-getting-started.py 2>&1 | tee -a "$log"

step "browser (sla report --format html and the sla serve dashboard in headless Chromium; screenshots in target/test-artifacts/)"
bash scripts/browser.sh run 2>&1 | tee -a "$log"

step "tests (with a moto server for DynamoDB, EventBridge and SQS)"
bash scripts/moto.sh run cargo test --workspace --locked --no-fail-fast 2>&1 | tee -a "$log"

# One closing line for the whole run: every Rust test binary and doc-test, plus the
# Python checks (DuckDB queries, browser), which print "NAME: N passed, N failed".
awk '
  /^test result: / { passed += $4; failed += $6; ignored += $8 }
  /^(athena queries|browser tests|getting started): [0-9]+ passed, [0-9]+ failed/ {
    sub(/^[^:]*: /, ""); passed += $1; failed += $3
  }
  END { printf "\ntests: %d passed, %d failed, %d skipped\n", passed, failed, ignored }
' "$log"
