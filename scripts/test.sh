#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, infrastructure validation,
# and every Rust test (unit, property, scenario, CLI, and integration tests against a
# moto server that scripts/moto.sh installs into a virtualenv, starts and stops).
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

step "documentation links (README.md, docs/)"
python3 scripts/check-links.py

step "infrastructure (SAM translate, cfn-lint, checkov)"
bash scripts/validate-infra.sh

step "tests (with a moto server for DynamoDB, EventBridge and SQS)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bash scripts/moto.sh run cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"

# One closing line for the whole run, summed over every test binary and doc-test.
grep -E '^test result: ' "$log" |
  awk '{ passed += $4; failed += $6; ignored += $8 } END { printf "\ntests: %d passed, %d failed, %d skipped\n", passed, failed, ignored }'
