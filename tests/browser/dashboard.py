"""The live dashboard of `sla serve` in a real headless Chromium (Debian's /usr/bin/chromium).

    python tests/browser/dashboard.py SLA_BINARY [ARTIFACT_DIR]

Starts `sla serve` on a free loopback port with a temporary SQLite database, a tenants file
giving tenant `acme` a read token and a ticket URL template, an admin token
(SLA_READ_TOKEN) and the test clock; sends signed canonical webhooks; then checks, in the
browser: a wrong token is refused with a clear message, the queue lists the tickets in
deadline order (the queue route's), a countdown ticks down, a new ticket and a breach
appear without reloading, the filters narrow the rows through the queue route, the drawer
shows the ticket route's timeline words and closes on Escape, the page runs under a strict
Content-Security-Policy with no console error and no request but to its own server, the
token never appears in a URL or in the server's log, and a phone screen does not scroll
sideways. Writes dashboard.png, dashboard-drawer.png and dashboard-phone.png to
ARTIFACT_DIR (default target/test-artifacts). Prints "browser tests: N passed, N failed"
and exits 1 when anything failed.
"""

import hashlib
import hmac
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from playwright.sync_api import sync_playwright

from harness import launch, run_checks

REPO = pathlib.Path(__file__).resolve().parents[2]
TENANT = "acme"
SECRET = "dashboard-canonical-secret"
TENANT_TOKEN = "acme-read-token-for-the-dashboard"
ADMIN_TOKEN = "admin-token-for-the-dashboard"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
TICKET_URL = "https://acme.example.com/agent/tickets/{id}"
WAIT_S = 20
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+")
POLICY = """\
policies:
  - name: standard
    calendar: 24x7
    targets:
      urgent: {first_response: 30m}
      high: {first_response: 1h}
      normal: {first_response: 4h}
    warn_at: ["75%"]
"""
TENANTS = f"""\
tenants:
  {TENANT}:
    policy: policy.yaml
    read_token_env: SLA_DASHBOARD_TEST_READ_TOKEN
    ticket_url: "{TICKET_URL}"
    vendors:
      canonical: {{secret_env: SLA_DASHBOARD_TEST_SECRET}}
"""
# (ticket, priority, group, assignee), created at 09:00: first-response deadlines 13:00,
# 09:30 and 10:00; T-5 is answered at 09:05 (met), so it leaves the queue.
TICKETS = [
    ("T-1", "normal", "tier1", "bob"),
    ("T-2", "urgent", "tier1", "ann"),
    ("T-3", "high", "tier2", "bob"),
    ("T-5", "high", "tier1", "ann"),
]


class Server:
    """`sla serve` on a free port, with the test clock at START."""

    def __init__(self, binary, tmp):
        (tmp / "policy.yaml").write_text(POLICY)
        (tmp / "tenants.yaml").write_text(TENANTS)
        self.log_path = tmp / "serve.log"
        env = dict(
            os.environ,
            SLA_DASHBOARD_TEST_SECRET=SECRET,
            SLA_DASHBOARD_TEST_READ_TOKEN=TENANT_TOKEN,
            SLA_READ_TOKEN=ADMIN_TOKEN,
            RUST_LOG="info",
        )
        command = [
            binary, "serve", "--tenants", str(tmp / "tenants.yaml"), "--db", str(tmp / "sla.db"),
            "--listen", "127.0.0.1:0", "--sweep-every", "1s", "--events", str(tmp / "events.jsonl"),
            "--test-clock", iso(START),
        ]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        self.now = START
        self.base = f"http://{self._wait_for_address()}"

    def _wait_for_address(self):
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            match = re.search(r"listening on http://(\S+)[^\n]*\n", self.log_path.read_text())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                raise RuntimeError(f"sla serve exited:\n{self.log_path.read_text()}")
            time.sleep(0.05)
        raise RuntimeError(f"sla serve did not start:\n{self.log_path.read_text()}")

    def request(self, method, path, body=None, headers=None):
        """(status, parsed JSON body or text, response headers)."""
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=WAIT_S) as response:
                status, text, head = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as err:
            status, text, head = err.code, err.read().decode(), err.headers
        try:
            return status, json.loads(text), head
        except ValueError:
            return status, text, head

    def read(self, path, token=TENANT_TOKEN):
        status, body, _ = self.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        assert status == 200, f"GET {path}: {status} {body}"
        return body

    def created(self, ticket, priority, group, assignee):
        """A signed canonical `created` webhook at the test clock's instant."""
        event = {
            "tenant": TENANT, "ticket_id": ticket, "event_id": f"created-{ticket}", "at": iso(self.now),
            "kind": "created",
            "ticket": {"status": "new", "priority": priority, "group": group, "assignee": assignee},
        }
        self._post(event)

    def _post(self, event):
        body = json.dumps(event).encode()
        timestamp = str(int(self.now.timestamp()))
        signature = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {"X-Sla-Timestamp": timestamp, "X-Sla-Signature": f"v1={signature}",
                   "Content-Type": "application/json"}
        status, reply, _ = self.request("POST", f"/webhooks/{TENANT}/canonical", body, headers)
        assert status == 200, f"webhook {event}: {status} {reply}"

    def replied(self, ticket):
        """A signed canonical public agent reply at the test clock's instant."""
        self._post({
            "tenant": TENANT, "ticket_id": ticket, "event_id": f"reply-{ticket}", "at": iso(self.now),
            "kind": "comment", "ticket": {"status": "open"}, "comment": {"author": "agent", "public": True},
        })

    def advance(self, seconds):
        """Moves the test clock (the route sweeps) with the admin token."""
        body = json.dumps({"advance_seconds": seconds}).encode()
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        status, reply, _ = self.request("POST", "/_test/clock", body, headers)
        assert status == 200, f"moving the clock: {status} {reply}"
        self.now += timedelta(seconds=seconds)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def iso(instant):
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


class Dashboard:
    """One tab on the dashboard with everything it logged and requested."""

    def __init__(self, browser, server, viewport):
        self.server = server
        self.url = f"{server.base}/dashboard/{TENANT}"
        self.errors, self.requests = [], []
        self.page = browser.new_page(viewport=viewport)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.response = self.page.goto(self.url, wait_until="load")

    def sign_in(self, token):
        self.page.fill("#token", token)
        self.page.click("#sign-in-form button[type=submit]")

    def rows(self):
        return self.page.locator("#queue-table tbody tr[data-ticket]")

    def shown(self):
        """(ticket, metric, state label) of every row, top to bottom."""
        return self.rows().evaluate_all(
            "rows => rows.map(r => [r.dataset.ticket, r.dataset.metric, r.dataset.state])"
        )

    def wait_for(self, what, predicate):
        """Polls `predicate()` (no reload) until it is truthy."""
        deadline = time.monotonic() + WAIT_S
        while True:
            value = predicate()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}; rows: {self.shown()}"
            self.page.wait_for_timeout(200)


def route_order(server, query=""):
    """(ticket, metric) of the queue route's items, in its order."""
    body = server.read(f"/tenants/{TENANT}/queue{query}")
    return [[item["ticket_id"], item["metric"]] for item in body["items"]]


def test_a_wrong_token_is_refused_with_a_clear_message(ctx):
    tab = Dashboard(ctx["browser"], ctx["server"], {"width": 1280, "height": 900})
    tab.sign_in("not-the-token")
    error = tab.page.locator("#sign-in-error")
    error.wait_for(state="visible", timeout=WAIT_S * 1000)
    message = error.inner_text()
    assert "Wrong token" in message and "401" in message, message
    assert tab.page.locator("#board").is_hidden(), "the queue stays hidden"
    assert tab.page.evaluate("sessionStorage.length") == 0, "a refused token is not kept"
    unexpected = [e for e in tab.errors if "401" not in e]
    assert unexpected == [], f"console errors besides the refused request: {unexpected}"
    tab.page.close()


def test_the_page_runs_under_a_strict_content_security_policy(ctx):
    tab = ctx["desktop"]
    policy = tab.response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"Content-Security-Policy: {policy!r}"
    assert "unsafe" not in policy, policy
    assert tab.page.locator("script:not([src])").count() == 0


def test_the_queue_lists_tickets_in_deadline_order(ctx):
    tab = ctx["desktop"]
    expected = route_order(ctx["server"])
    assert [ticket for ticket, _ in expected] == ["T-2", "T-3", "T-1"], expected
    tab.wait_for("three rows", lambda: len(tab.shown()) == 3)
    assert [row[:2] for row in tab.shown()] == expected, tab.shown()
    assert tab.page.locator("#summary-today .figures").is_visible(), "the summary of today is shown"
    assert tab.page.locator("#summary-7d .figures").is_visible(), "the summary of 7 days is shown"


def test_a_countdown_ticks_down(ctx):
    tab = ctx["desktop"]
    cell = tab.rows().first.locator("td.left")
    with tab.page.expect_response(lambda r: "/queue" in r.url):
        pass  # just after a poll, so none lands between the two readings
    tab.page.wait_for_timeout(300)
    before = int(cell.get_attribute("data-seconds"))
    text_before = cell.inner_text()
    tab.page.wait_for_timeout(2200)
    after = int(cell.get_attribute("data-seconds"))
    assert 1 <= before - after <= 3, f"{before} s then {after} s"
    assert cell.inner_text() != text_before, text_before


def test_a_new_ticket_appears_without_reloading(ctx):
    tab, server = ctx["desktop"], ctx["server"]
    tab.page.evaluate("window.notReloaded = true")
    server.created("T-4", "urgent", "tier2", "cy")
    tab.wait_for("T-4", lambda: "T-4" in [row[0] for row in tab.shown()])
    assert tab.page.evaluate("window.notReloaded === true"), "the page was reloaded"
    assert [row[:2] for row in tab.shown()] == route_order(server)


def test_a_breach_appears_after_the_sweep_without_reloading(ctx):
    tab, server = ctx["desktop"], ctx["server"]
    server.advance(46 * 60)  # 09:51: T-2 and T-4 (30 min) breached, T-3 (1 h) at risk
    states = tab.wait_for(
        "the breach",
        lambda: (lambda s: s if s.get("T-2") == "breached" and s.get("T-3") == "at_risk" else None)(
            {row[0]: row[2] for row in tab.shown()}
        ),
    )
    assert states == {"T-2": "breached", "T-4": "breached", "T-3": "at_risk", "T-1": "running"}, states
    assert tab.page.evaluate("window.notReloaded === true"), "the page was reloaded"
    row = tab.page.locator('#queue-table tr[data-ticket="T-2"]')
    badge = row.locator(".badge")
    assert badge.inner_text().strip().lower() == "breached", badge.inner_text()
    assert badge.locator("svg").count() == 1, "breached rows carry an icon"
    weight = row.evaluate("r => getComputedStyle(r).fontWeight")
    assert int(weight) >= 700, f"breached rows are bold, not only coloured ({weight})"
    assert "overdue" in row.locator("td.left").inner_text()
    announced = tab.page.locator("#announcer").text_content()
    assert "T-2 first response breached" in announced, f"announced: {announced!r}"
    assert [row[:2] for row in tab.shown()] == route_order(server)
    tab.wait_for("today's summary to count the breaches", lambda: today(tab).get("breached, still open") == "2")
    assert today(tab)["met"] == "1", today(tab)
    assert today(tab)["met %"] == "100.0%", today(tab)
    tab.page.screenshot(path=str(ctx["artifacts"] / "dashboard.png"), full_page=True)


def today(tab):
    """The figures of today's summary, by name."""
    return dict(tab.page.locator("#summary-today .figures > div").evaluate_all(
        "pairs => pairs.map(p => [p.querySelector('dt').textContent, p.querySelector('dd').textContent])"
    ))


def select_and_wait(tab, selector, value, parameter):
    with tab.page.expect_response(lambda r: "/queue" in r.url and parameter in r.url):
        if tab.page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            tab.page.select_option(selector, value)
        else:
            tab.page.fill(selector, value)


def test_filters_narrow_the_rows_through_the_queue_route(ctx):
    tab, server = ctx["desktop"], ctx["server"]
    cases = [
        ("#filter-state", "breached", "state=breached", {"T-2", "T-4"}),
        ("#filter-state", "at_risk", "state=at_risk", {"T-3"}),
    ]
    for selector, value, parameter, expected in cases:
        assert expected == {t for t, _ in route_order(server, f"?{parameter}")}, parameter
        select_and_wait(tab, selector, value, parameter)
        tab.wait_for(parameter, lambda: {row[0] for row in tab.shown()} == expected)
    tab.page.select_option("#filter-state", "")
    select_and_wait(tab, "#filter-group", "tier2", "group=tier2")
    tab.wait_for("group tier2", lambda: {r[0] for r in tab.shown()} == {"T-3", "T-4"})
    select_and_wait(tab, "#filter-assignee", "bob", "assignee=bob")
    tab.wait_for("tier2 and bob", lambda: {r[0] for r in tab.shown()} == {"T-3"})
    select_and_wait(tab, "#filter-metric", "resolution", "metric=resolution")
    tab.wait_for("no resolution clock", lambda: tab.page.locator("#queue-table tr.empty").count() == 1)
    assert tab.shown() == []
    with tab.page.expect_response(lambda r: r.url.endswith("/queue")):
        tab.page.click("#filters-clear")
    tab.wait_for("every row again", lambda: len(tab.shown()) == 4)


def test_arrow_keys_move_between_rows_and_focus_survives_updates(ctx):
    tab = ctx["desktop"]
    order = [row[0] for row in tab.shown()]
    tab.rows().first.focus()
    tab.page.keyboard.press("ArrowDown")
    focused = lambda: tab.page.evaluate("document.activeElement.dataset.ticket")  # noqa: E731
    assert focused() == order[1], (focused(), order)
    with tab.page.expect_response(lambda r: "/queue" in r.url):
        pass
    tab.page.wait_for_timeout(300)
    assert focused() == order[1], f"focus moved to {focused()} after an update"
    tab.page.keyboard.press("End")
    assert focused() == order[-1], (focused(), order)


def test_the_drawer_shows_the_timeline_in_words_and_closes_on_escape(ctx):
    tab, server = ctx["desktop"], ctx["server"]
    ticket = server.read(f"/tenants/{TENANT}/tickets/T-2")
    lines = [line for entry in ticket["explanation"] for line in entry["lines"]]
    assert lines, ticket
    row = tab.page.locator('#queue-table tr[data-ticket="T-2"]')
    row.focus()
    tab.page.keyboard.press("Enter")
    drawer = tab.page.locator("#drawer")
    drawer.wait_for(state="visible")
    tab.page.locator("#drawer .timeline li").first.wait_for()
    shown = tab.page.locator("#drawer .timeline li").all_inner_texts()
    assert len(shown) == len(lines), f"drawer {shown}\nroute {lines}"
    for line, text in zip(lines, shown):
        words = STAMP.sub("", line).split()  # a leading instant is shown in local time
        assert text.split()[-len(words):] == words, f"drawer {text!r}, route {line!r}"
    stamped = sum(1 for line in lines if STAMP.match(line))
    assert tab.page.locator("#drawer .timeline li > time[datetime]").count() == stamped
    assert any("breached" in text for text in shown), shown
    assert tab.page.evaluate("document.activeElement.id") == "drawer", "focus moves into the drawer"
    link = tab.page.locator("#drawer a").first.get_attribute("href")
    assert link == TICKET_URL.replace("{id}", "T-2"), link
    tab.page.screenshot(path=str(ctx["artifacts"] / "dashboard-drawer.png"))
    tab.page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
    assert tab.page.evaluate("document.activeElement.dataset.ticket") == "T-2", "focus returns to the row"


def test_no_console_error_and_no_request_elsewhere(ctx):
    tab = ctx["desktop"]
    assert tab.errors == [], f"console errors: {tab.errors}"
    foreign = [url for url in tab.requests if not url.startswith(ctx["server"].base + "/")]
    assert foreign == [], foreign


def test_the_token_is_in_no_url_and_no_log(ctx):
    tab, server = ctx["desktop"], ctx["server"]
    assert tab.page.evaluate(f"sessionStorage.getItem('sla-dashboard-token:{TENANT}')") == TENANT_TOKEN
    assert not any(TENANT_TOKEN in url for url in tab.requests), "the token is in a URL"
    log = server.log_path.read_text()
    assert TENANT_TOKEN not in log and ADMIN_TOKEN not in log, "a token is in the server log"


def test_a_phone_does_not_scroll_sideways(ctx):
    phone = Dashboard(ctx["browser"], ctx["server"], {"width": 390, "height": 844})
    phone.sign_in(TENANT_TOKEN)
    phone.wait_for("the queue on a phone", lambda: len(phone.shown()) == 4)
    phone.page.locator("#summary-7d .figures").wait_for()
    width = phone.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page {width[0]} px wide on a {width[1]} px screen"
    phone.page.screenshot(path=str(ctx["artifacts"] / "dashboard-phone.png"), full_page=True)
    assert phone.errors == [], f"console errors: {phone.errors}"


def main():
    binary = sys.argv[1]
    artifacts = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else REPO / "target" / "test-artifacts")
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(binary, pathlib.Path(tmp))
        try:
            for ticket in TICKETS:
                server.created(*ticket)
            server.advance(5 * 60)
            server.replied("T-5")  # created at 09:00, answered at 09:05: first response met
            with sync_playwright() as pw:
                browser = launch(pw)
                ctx = {"browser": browser, "server": server, "artifacts": artifacts}
                ctx["desktop"] = Dashboard(browser, server, {"width": 1280, "height": 900})
                ctx["desktop"].sign_in(TENANT_TOKEN)
                passed, failed = run_checks(globals(), ctx)
                browser.close()
        finally:
            server.stop()
    print(f"browser tests: {passed} passed, {failed} failed (artifacts in {artifacts})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
