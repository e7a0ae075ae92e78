#!/usr/bin/env bash
# Cross-compiles the five Lambda functions for arm64 (Graviton, provided.al2023) with
# cargo-lambda, zips each `bootstrap`, and prints the zipped sizes.
#
# Not part of CI (a release LTO build of five binaries takes minutes on 2 cores);
# `sam build` runs the same cargo-lambda build when you deploy.
#
# cargo-lambda and zig (its cross linker) come from PyPI into the virtualenv SLA_VENV
# (default .venv at the repo root), pinned in infra/requirements-build.txt.
# Output: $LAMBDA_DIR/<function>/bootstrap.zip (default target/lambda).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SLA_VENV:-$ROOT/.venv}"
REQUIREMENTS="$ROOT/infra/requirements-build.txt"
LAMBDA_DIR="${LAMBDA_DIR:-$ROOT/target/lambda}"
FUNCTIONS=(ticket-created ticket-updated sweep read-api actions)
RUST_TARGET=aarch64-unknown-linux-gnu

step() { printf '==> %s\n' "$*"; }

ensure_tools() {
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  if ! "$VENV/bin/python" "$ROOT/infra/requirements_met.py" "$REQUIREMENTS" 2>/dev/null; then
    step "installing $(basename "$REQUIREMENTS") into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  fi
  if ! rustup target list --installed | grep -qx "$RUST_TARGET"; then
    step "rustup target add $RUST_TARGET"
    rustup target add "$RUST_TARGET"
  fi
}

build() {
  local packages=()
  for f in "${FUNCTIONS[@]}"; do packages+=(--package "$f"); done
  step "cargo lambda build --release --arm64 (${FUNCTIONS[*]})"
  # The venv's bin/ first: cargo finds the cargo-lambda subcommand and, through the
  # venv's python, the ziglang module that provides zig.
  (cd "$ROOT" && PATH="$VENV/bin:$PATH" cargo lambda build --release --arm64 \
    --output-format zip --lambda-dir "$LAMBDA_DIR" "${packages[@]}")
}

report_sizes() {
  step "zipped sizes"
  printf '%-16s %12s %10s\n' function bytes MiB
  for f in "${FUNCTIONS[@]}"; do
    local zip="$LAMBDA_DIR/$f/bootstrap.zip"
    [[ -f "$zip" ]] || { echo "missing $zip" >&2; return 1; }
    local bytes
    bytes="$(stat -c %s "$zip")"
    printf '%-16s %12d %10s\n' "$f" "$bytes" "$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')"
  done
}

ensure_tools
build
report_sizes
