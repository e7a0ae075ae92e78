#!/usr/bin/env bash
# The browser tests in Debian's headless Chromium: the page of `sla report --format html`
# (tests/browser/report_page.py) and the live dashboard of `sla serve`
# (tests/browser/dashboard.py).
#
#   scripts/browser.sh install   only install chromium (apt-get, when /usr/bin/chromium is
#                                missing) and Playwright into the virtualenv
#   scripts/browser.sh run       install, build `sla`, run both tests
#
# The virtualenv is $SLA_VENV (default: <repo>/.venv, as scripts/moto.sh). Screenshots and
# an A4 PDF go to target/test-artifacts/. Exits non-zero when a check fails.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SLA_VENV:-$repo_root/.venv}"
python="${PYTHON:-python3}"

ensure_chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        return
    fi
    echo "browser.sh: installing Debian's chromium" >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_playwright() {
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c 'import playwright' 2>/dev/null; then
        echo "browser.sh: installing playwright into $venv" >&2
        "$venv/bin/pip" install --quiet 'playwright==1.65.2'
    fi
}

run() {
    ensure_chromium
    ensure_playwright
    cd "$repo_root"
    cargo build --quiet --locked -p sla-cli
    local target="${CARGO_TARGET_DIR:-$repo_root/target}"
    local artifacts="$repo_root/target/test-artifacts" status=0
    "$venv/bin/python" tests/browser/report_page.py "$target/debug/sla" "$artifacts" || status=1
    "$venv/bin/python" tests/browser/dashboard.py "$target/debug/sla" "$artifacts" || status=1
    return "$status"
}

case "${1:-}" in
    install) ensure_chromium && ensure_playwright ;;
    run) run ;;
    *) echo "usage: $0 install | run" >&2; exit 64 ;;
esac
