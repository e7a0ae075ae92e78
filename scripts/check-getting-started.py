#!/usr/bin/env python3
"""Runs every fenced `sh` block of docs/getting-started.md, in order, in one shell.

The page's commands are the ones a newcomer types, so they must work. Each block runs
with `set -euo pipefail` in a scratch directory (with `examples/` linked in), the
variables of earlier blocks still set. Two substitutions keep the check fast and safe on
a shared machine, and are the only differences from what the page says:

- `cargo run --release --bin sla --` runs the debug build already made by the test
  command ($SLA, default target/debug/sla; same code, not optimised);
- `127.0.0.1:8080` becomes a free port (and `serve` gets `--listen` on it).

An HTML comment on the line before a block changes how it runs:
- `<!-- illustrative -->`: not run;
- `<!-- check: background -->`: started in the background (a server), then the check
  waits until `/healthz` answers;
- `<!-- check: until TEXT -->`: rerun, up to 60 s, until its output contains TEXT.

    python3 scripts/check-getting-started.py   # prints "getting started: N passed, N failed"
"""
import os
import pathlib
import re
import shlex
import socket
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "getting-started.md"
MARK = re.compile(r"^<!--\s*(illustrative|check:\s*(background|until\s+(.+?)))\s*-->$")


def blocks(text):
    """(mode, argument, code, line) of each sh block."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start, code = i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                code.append(lines[i])
                i += 1
            mark = MARK.match(lines[start - 2].strip()) if start >= 2 else None
            mode, arg = "run", None
            if mark and mark.group(1) == "illustrative":
                mode = "skip"
            elif mark and mark.group(2) == "background":
                mode = "background"
            elif mark and mark.group(3):
                mode, arg = "until", mark.group(3)
            found.append((mode, arg, "\n".join(code), start))
        i += 1
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def localise(code, sla, port):
    code = code.replace("cargo run --release --bin sla --", shlex.quote(sla))
    code = code.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    return re.sub(r"(\bserve\b)(?=\s)", rf"\1 --listen 127.0.0.1:{port}", code, count=1)


def script(found, sla, port):
    """One bash script running every block, announcing each block's result."""
    parts = ["set -uo pipefail", "SERVER=", "trap '[ -n \"$SERVER\" ] && kill $SERVER 2>/dev/null; wait' EXIT"]
    for n, (mode, arg, code, line) in enumerate(found):
        code = localise(code, sla, port)
        name = f"block {n + 1} (line {line})"
        if mode == "skip":
            parts.append(f"echo 'SKIP {name}'")
        elif mode == "background":
            # The block's last command starts the server: run it in the background, the
            # lines before it (exports) in this shell so later blocks see them.
            lines = [l for l in code.splitlines() if l.strip() and not l.lstrip().startswith("#")]
            code = "\n".join(lines[:-1] + [lines[-1] + " >serve.log 2>&1 &"])
            parts.append(
                f"{code}\nSERVER=$!\n"
                f"for _ in $(seq 100); do curl -fsS http://127.0.0.1:{port}/healthz >/dev/null 2>&1 && break; sleep 0.2; done\n"
                f"if curl -fsS http://127.0.0.1:{port}/healthz >/dev/null; then echo 'PASS {name}'; "
                f"else echo 'FAIL {name}: the server did not answer /healthz'; cat serve.log; exit 1; fi"
            )
        elif mode == "until":
            parts.append(
                f"ok=\nfor _ in $(seq 60); do out=$( set -e; {code}\n) && grep -qF {shlex.quote(arg)} <<<\"$out\" && ok=1 && break; sleep 1; done\n"
                f"echo \"$out\"\nif [ -n \"$ok\" ]; then echo 'PASS {name}'; else echo 'FAIL {name}: no {arg} within 60 s'; fi"
            )
        else:
            parts.append(
                f"if ( set -e; {code}\n); then echo; echo 'PASS {name}'; else echo; echo 'FAIL {name}'; fi"
            )
    return "\n".join(parts) + "\n"


def main():
    sla = os.environ.get("SLA") or str(
        pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "sla"
    )
    if not os.access(sla, os.X_OK):
        sys.exit(f"{sla}: not built (cargo build -p sla-cli --bin sla)")
    found = blocks(PAGE.read_text())
    if not found:
        sys.exit(f"{PAGE}: no sh block")
    with tempfile.TemporaryDirectory() as work:
        os.symlink(ROOT / "examples", pathlib.Path(work) / "examples")
        run = subprocess.run(
            ["bash", "-c", script(found, sla, free_port())],
            cwd=work, capture_output=True, text=True, timeout=300,
        )
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    passed = len(re.findall(r"PASS block ", run.stdout))
    failed = len(re.findall(r"FAIL block ", run.stdout))
    ran = sum(1 for f in found if f[0] != "skip")
    if passed + failed < ran:
        failed = ran - passed
    print(f"getting started: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
