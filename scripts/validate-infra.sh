#!/usr/bin/env bash
# Validates infra/template.yaml offline, with no AWS account or network access:
#   1. translates the SAM template to CloudFormation with aws-sam-translator,
#   2. runs cfn-lint on the SAM source and on the translated template (no errors),
#   3. runs checkov on the SAM source (no failed check; every skip states its reason).
# Tools come from a virtualenv (SLA_VENV, default .venv at the repo root), installed from
# infra/requirements-validate.txt only when a pinned version is missing. Idempotent.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SLA_VENV:-$ROOT/.venv}"
TEMPLATE="${SLA_TEMPLATE:-$ROOT/infra/template.yaml}"
REQUIREMENTS="$ROOT/infra/requirements-validate.txt"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Nothing here may reach AWS: a fixed region, fake credentials, no instance metadata.
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

step() { printf '==> %s\n' "$*"; }

ensure_venv() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    step "creating virtualenv $VENV"
    python3 -m venv "$VENV"
  fi
  if ! "$VENV/bin/python" "$ROOT/infra/requirements_met.py" "$REQUIREMENTS" 2>/dev/null; then
    step "installing $(basename "$REQUIREMENTS") into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  fi
}

check_skip_reasons() {
  # checkov accepts `checkov:skip=ID` alone; we require a reason of a few words.
  local bare
  bare="$(grep -n 'checkov:skip=' "$TEMPLATE" | grep -vE 'checkov:skip=CKV[0-9A-Z_]+:[^ ].{15,}' || true)"
  if [[ -n "$bare" ]]; then
    printf 'infra/template.yaml: checkov skip without a reason:\n%s\n' "$bare" >&2
    return 1
  fi
}

ensure_venv

step "aws-sam-translator: SAM -> CloudFormation"
"$VENV/bin/python" "$ROOT/infra/translate_sam.py" "$TEMPLATE" "$WORK/translated.json"

step "cfn-lint: SAM source"
"$VENV/bin/cfn-lint" --non-zero-exit-code error -- "$TEMPLATE"

step "cfn-lint: translated CloudFormation"
"$VENV/bin/cfn-lint" --non-zero-exit-code error -- "$WORK/translated.json"

step "checkov: every skip carries a reason"
check_skip_reasons

step "checkov: SAM source"
"$VENV/bin/checkov" --file "$TEMPLATE" --framework cloudformation \
  --skip-download --quiet --compact --output cli

step "infra validation passed"
