"""`sla report --format html` in a real headless Chromium (Debian's /usr/bin/chromium).

    python tests/browser/report_page.py SLA_BINARY [ARTIFACT_DIR]

Generates the page from examples/ into a temporary directory, opens it by file:// URL and
checks: no console errors, no request but the file itself, every chart titled with both
axes labelled, the summary table naming the example policies, helpdesk links, hostile
labels shown as text, no sideways scrolling on a phone, A4 pages in print. Writes report.png,
report-phone.png and report.pdf (A4) to ARTIFACT_DIR (default target/test-artifacts).
Prints "N passed, N failed" and exits 1 when anything failed.
"""

import json
import pathlib
import re
import subprocess
import sys
import tempfile

from playwright.sync_api import sync_playwright

from harness import launch, run_checks

REPO = pathlib.Path(__file__).resolve().parents[2]
EVENTS = REPO / "examples" / "tickets.jsonl"
POLICY = REPO / "examples" / "policy.yaml"
TICKET_URL = "https://acme.zendesk.com/agent/tickets/{ticket_id}"
HOSTILE = '<img src=x onerror=console.error("xss")>'


def sla(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def policy_names():
    """The policy names of examples/policy.yaml (`  - name: X` under `policies:`)."""
    return re.findall(r"^  - name: (\S+)", POLICY.read_text(), re.MULTILINE)


class Page:
    """One page opened in Chromium with everything it logged and requested."""

    def __init__(self, browser, path, viewport):
        self.url = path.as_uri()
        self.errors, self.requests = [], []
        self.page = browser.new_page(viewport=viewport)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(self.url, wait_until="load")

    def assert_quiet(self):
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.requests == [self.url], f"requests: {self.requests}"


def test_loads_quietly(ctx):
    ctx["desktop"].assert_quiet()


def test_every_chart_has_a_title_and_axis_labels(ctx):
    charts = ctx["desktop"].page.eval_on_selector_all(
        "svg",
        """svgs => svgs.map(s => ({
            title: (s.querySelector(':scope > title') || {}).textContent || '',
            x: (s.querySelector('.x-label') || {}).textContent || '',
            y: (s.querySelector('.y-label') || {}).textContent || '',
            width: s.getBoundingClientRect().width,
        }))""",
    )
    assert len(charts) >= 3, f"only {len(charts)} charts"
    for chart in charts:
        assert chart["title"].strip(), f"untitled chart {chart}"
        assert chart["x"].strip() and chart["y"].strip(), f"unlabelled axis {chart}"
        assert chart["width"] > 100, f"chart drawn {chart['width']} px wide"


def test_summary_names_the_policies(ctx):
    page = ctx["desktop"].page
    headers = page.locator("#summary table").first.locator("th").all_inner_texts()
    assert headers[:3] == ["POLICY", "PRIORITY", "METRIC"], headers
    shown = set(page.locator("#summary table").first.locator("tbody tr td:first-child").all_inner_texts())
    expected = {row["key"]["policy"] for row in ctx["json"]["rows"]}
    assert expected and expected <= set(policy_names()), (expected, policy_names())
    assert shown == expected, f"shown {shown}, expected {expected}"


def test_sections_and_worst_ticket_links(ctx):
    page = ctx["desktop"].page
    for section in ["summary", "trend", "distribution", "time", "worst"]:
        assert page.locator(f"section#{section} h2").is_visible(), section
    links = page.locator("#worst a").evaluate_all("as => as.map(a => a.href)")
    breached = sum(1 for row in ctx["json"]["rows"] if row["breached"] > 0)
    assert breached > 0 and len(links) >= breached, (breached, len(links))
    prefix = TICKET_URL.split("{")[0]
    assert all(link.startswith(prefix) for link in links), links[:3]


def test_hostile_labels_are_text(ctx):
    hostile = ctx["hostile"]
    hostile.assert_quiet()
    assert hostile.page.locator("img").count() == 0
    assert hostile.page.get_by_text(HOSTILE).count() > 0


def test_phone_has_no_sideways_scrolling(ctx):
    phone = ctx["phone"]
    phone.assert_quiet()
    width = phone.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page {width[0]} px wide on a {width[1]} px screen"


def test_prints_on_a4(ctx):
    """Every PDF page is A4 (595 x 842 pt), the summary's pages landscape."""
    boxes = re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", ctx["pdf"].read_bytes())
    sizes = [(round(float(w)), round(float(h))) for w, h in boxes]
    assert len(sizes) >= 5, f"{len(sizes)} pages"
    assert set(sizes) == {(595, 842), (842, 595)}, set(sizes)


def hostile_history(tmp):
    """examples/tickets.jsonl with one group renamed to markup."""
    path = tmp / "hostile.jsonl"
    with EVENTS.open() as src, path.open("w") as out:
        for line in src:
            event = json.loads(line)
            if event.get("ticket", {}).get("group") == "emea":
                event["ticket"]["group"] = HOSTILE
            out.write(json.dumps(event) + "\n")
    return path


def main():
    binary = sys.argv[1]
    artifacts = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else REPO / "target" / "test-artifacts")
    artifacts.mkdir(parents=True, exist_ok=True)
    common = ["report", "--policy", str(POLICY)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        page_path, hostile_path = tmp / "report.html", tmp / "hostile.html"
        sla(binary, *common, str(EVENTS), "--format", "html", "--ticket-url", TICKET_URL, "--out", str(page_path))
        sla(binary, *common, str(hostile_history(tmp)), "--by", "group", "--format", "html", "--out", str(hostile_path))
        ctx = {"json": json.loads(sla(binary, *common, str(EVENTS), "--format", "json"))}
        with sync_playwright() as pw:
            browser = launch(pw)
            ctx["desktop"] = Page(browser, page_path, {"width": 1280, "height": 900})
            ctx["phone"] = Page(browser, page_path, {"width": 390, "height": 844})
            ctx["hostile"] = Page(browser, hostile_path, {"width": 1280, "height": 900})
            ctx["desktop"].page.screenshot(path=str(artifacts / "report.png"), full_page=True)
            ctx["phone"].page.screenshot(path=str(artifacts / "report-phone.png"), full_page=True)
            ctx["pdf"] = artifacts / "report.pdf"
            ctx["desktop"].page.pdf(path=str(ctx["pdf"]), prefer_css_page_size=True, print_background=True)
            passed, failed = run_checks(globals(), ctx)
            browser.close()
    print(f"browser tests: {passed} passed, {failed} failed (artifacts in {artifacts})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
