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

step "infrastructure (SAM translate, cfn-lint, checkov)"
bash scripts/validate-infra.sh

step "tests (with a moto server for DynamoDB, EventBridge and SQS)"
bash scripts/moto.sh run cargo test --workspace --locked --no-fail-fast
