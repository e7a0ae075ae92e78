#!/usr/bin/env bash
# Runs a command against a private moto AWS emulator.
#
#   scripts/moto.sh run <command...>   start moto, run the command, stop moto, exit with its code
#   scripts/moto.sh install            only create the virtualenv with moto[server]
#
# The virtualenv is $SLA_VENV (default: <repo>/.venv), created with `pip install 'moto[server]==5.2.5'`
# when moto_server is missing. moto listens on 127.0.0.1 on a free port; the command sees
#   SLA_MOTO_ENDPOINT=http://127.0.0.1:<port>
#   AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 (and friends)
# moto's log goes to $SLA_MOTO_LOG (default: target/moto.log).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SLA_VENV:-$repo_root/.venv}"
moto_log="${SLA_MOTO_LOG:-$repo_root/target/moto.log}"
python="${PYTHON:-python3}"

usage() {
    echo "usage: $0 run <command...> | $0 install" >&2
    exit 64
}

ensure_moto() {
    if [[ -x "$venv/bin/moto_server" ]]; then
        return
    fi
    echo "moto.sh: creating virtualenv $venv with moto[server]" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet 'moto[server]==5.2.5'
}

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_until_up() {
    local url="$1" pid="$2"
    for _ in $(seq 1 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "moto.sh: moto_server exited early; see $moto_log" >&2
            return 1
        fi
        if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
            "$url/moto-api/" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "moto.sh: moto_server did not answer on $url within 10 s; see $moto_log" >&2
    return 1
}

moto_pid=""

stop_moto() {
    if [[ -n "$moto_pid" ]]; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
}

run() {
    [[ $# -gt 0 ]] || usage
    ensure_moto
    mkdir -p "$(dirname "$moto_log")"
    local port
    port="$(free_port)"
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 &
    moto_pid=$!
    trap stop_moto EXIT
    local endpoint="http://127.0.0.1:$port"
    wait_until_up "$endpoint" "$moto_pid"
    echo "moto.sh: moto_server pid $moto_pid on $endpoint" >&2

    local status=0
    SLA_MOTO_ENDPOINT="$endpoint" \
    AWS_ENDPOINT_URL="$endpoint" \
    AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing \
    AWS_SESSION_TOKEN=testing \
    AWS_REGION=us-east-1 \
    AWS_DEFAULT_REGION=us-east-1 \
        "$@" || status=$?
    return "$status"
}

case "${1:-}" in
    run) shift; run "$@" ;;
    install) ensure_moto ;;
    *) usage ;;
esac
