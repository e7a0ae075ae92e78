"""What the browser checks share: how Chromium is launched, and how a module's `test_*`
functions run and are counted (every failure reported, then the run fails)."""
import traceback

# Debian's chromium, headless, with nothing that reaches the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """Debian's chromium (`playwright install` cannot download here)."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def run_checks(namespace, ctx):
    """Runs every `test_*` function of `namespace` (a module's globals) with `ctx`;
    returns (passed, failed), printing `ok NAME` or `FAIL NAME` and the traceback."""
    passed = failed = 0
    for name, test in list(namespace.items()):
        if not name.startswith("test_") or not callable(test):
            continue
        try:
            test(ctx)
            passed += 1
            print(f"ok   {name}")
        except Exception:  # noqa: BLE001 - report every failure, then fail the run
            failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}")
    return passed, failed
