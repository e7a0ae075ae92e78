//! End-to-end tests of `sla serve`: the built binary on a free loopback port, a temporary
//! tenants file, policy, database and events file, signed canonical webhooks over plain
//! HTTP/1.1, the test clock, a crash (SIGKILL) and a graceful stop (SIGTERM).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

#[path = "serve/autopilot.rs"]
mod autopilot;
#[path = "serve/hardening.rs"]
mod hardening;
#[path = "serve/on_time.rs"]
mod on_time;
#[path = "serve/reads.rs"]
mod reads;

const SECRET: &str = "test-canonical-secret";
const SECRET_ENV: &str = "SLA_SERVE_TEST_ACME_SECRET";
/// The instant the test clock starts at: a Monday, 09:00 UTC.
const START: &str = "2026-03-02T09:00:00Z";
const START_EPOCH: i64 = 1_772_442_000;
const WAIT: Duration = Duration::from_secs(20);

/// Reads `read()` every 20 ms until `accept` holds for what it read, and returns it; fails
/// the test after [`WAIT`], showing `what` was awaited and the last reading.
fn poll_until<T: std::fmt::Debug>(
    what: &str,
    read: impl Fn() -> T,
    accept: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = read();
        if accept(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last seen: {value:#?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// A 24x7 policy: normal tickets must get a first response within 1 hour, warned at 75%.
const POLICY: &str = "\
policies:
  - name: standard
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
    warn_at: [\"75%\"]
";

const TENANTS: &str = "\
tenants:
  acme:
    policy: policy.yaml
    vendors:
      canonical: {secret_env: SLA_SERVE_TEST_ACME_SECRET}
";

/// A temporary directory holding the tenants file, the policy, the database and the events.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("policy.yaml"), POLICY).expect("write policy");
        std::fs::write(dir.path().join("tenants.yaml"), TENANTS).expect("write tenants");
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn events_file(&self) -> PathBuf {
        self.path("events.jsonl")
    }

    /// The SLA events delivered so far, one JSON value per line.
    fn delivered(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.events_file()).unwrap_or_default();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("events file holds JSON lines"))
            .collect()
    }

    /// Waits until `accept` holds for the delivered events; returns them.
    fn wait_for_events(&self, what: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        poll_until(what, || self.delivered(), |events| accept(events))
    }

    /// Starts `sla serve` with the test clock at `clock` and `events` as destination.
    fn start(&self, clock: &str, events: &str) -> Server {
        let log = self.path(&format!("serve-{}.log", unique()));
        let mut command = self.command(&log);
        command.args(["--test-clock", clock, "--events", events]);
        Server::start(command, log)
    }

    /// `sla serve` over this workspace, logging to `log`, listening on a free port.
    fn command(&self, log: &Path) -> Command {
        self.command_on(log, "127.0.0.1:0")
    }

    /// `sla serve` over this workspace, logging to `log`, listening on `listen`.
    fn command_on(&self, log: &Path, listen: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sla"));
        command
            .arg("serve")
            .arg("--tenants")
            .arg(self.path("tenants.yaml"))
            .arg("--db")
            .arg(self.path("sla.db"))
            .args(["--listen", listen, "--sweep-every", "1h"])
            .env(SECRET_ENV, SECRET)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log file"));
        command
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos()
}

/// A running `sla serve` process.
struct Server {
    child: Child,
    address: String,
    log: PathBuf,
}

impl Server {
    /// Spawns the command and waits for its "listening on http://ADDR" log line.
    fn start(mut command: Command, log: PathBuf) -> Self {
        let mut child = command.spawn().expect("spawn sla serve");
        let deadline = Instant::now() + WAIT;
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(address) = listening_address(&text) {
                return Self {
                    child,
                    address,
                    log,
                };
            }
            if let Some(status) = child.try_wait().expect("poll child") {
                panic!("sla serve exited with {status} before listening:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "sla serve did not start:\n{text}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        http(&self.address, "GET", path, &[], b"")
    }

    fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path);
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// Posts `body` to `path`, signed as the canonical vendor requires at `signed_at`.
    fn post_signed(&self, path: &str, body: &[u8], secret: &str, signed_at: i64) -> (u16, Value) {
        let timestamp = signed_at.to_string();
        let signature = format!("v1={}", sign(secret, &timestamp, body));
        let headers = [
            ("X-Sla-Timestamp", timestamp.as_str()),
            ("X-Sla-Signature", signature.as_str()),
        ];
        let (status, text) = http(&self.address, "POST", path, &headers, body);
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Moves the test clock forward and returns the sweep report.
    fn advance(&self, seconds: i64) -> Value {
        let body = json!({ "advance_seconds": seconds }).to_string();
        let (status, text) = http(&self.address, "POST", "/_test/clock", &[], body.as_bytes());
        assert_eq!(status, 200, "advancing the test clock: {text}");
        serde_json::from_str(&text).expect("clock reply is JSON")
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: a crash, no clean-up at all.
    fn crash(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// SIGTERM, then waits for the process to finish its shutdown.
    fn terminate(mut self) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll child") {
                return (status, self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "sla serve did not stop:\n{}",
                self.logs()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listening_address(log: &str) -> Option<String> {
    let rest = log.split("listening on http://").nth(1)?;
    let address: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    (!address.is_empty() && rest.contains('\n')).then_some(address)
}

fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// One HTTP/1.1 request with `Connection: close`; returns the status and the body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect to sla serve");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send head");
    // The server may answer (413) and close before reading a large body.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    parse_response(&response)
}

fn parse_response(response: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("HTTP head ends with a blank line");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// A canonical `created` event for ticket `id` at `at`.
fn created(id: &str, at: &str) -> Vec<u8> {
    json!({
        "tenant": "acme",
        "ticket_id": id,
        "event_id": format!("created-{id}"),
        "at": at,
        "kind": "created",
        "ticket": {"status": "new", "priority": "normal"},
    })
    .to_string()
    .into_bytes()
}

fn of_type<'a>(events: &'a [Value], ticket: &str, kind: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["ticket_id"] == ticket && e["type"] == kind)
        .collect()
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_id"].as_str().expect("event_id").to_string())
        .collect()
}

#[test]
fn answers_webhooks_like_the_functions_and_announces_breaches() {
    let ws = Workspace::new();
    let events = ws.events_file();
    let server = ws.start(START, events.to_str().unwrap());
    let route = "/webhooks/acme/canonical";

    let body = created("1", START);
    let (status, reply) = server.post_signed(route, &body, SECRET, START_EPOCH);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["accepted"], 1);
    let (status, reply) = server.post_signed(route, &body, SECRET, START_EPOCH);
    assert_eq!(
        (status, reply["duplicates"].clone()),
        (200, json!(1)),
        "{reply}"
    );

    let (status, reply) = server.post_signed(route, &body, "wrong-secret", START_EPOCH);
    assert_eq!(status, 401, "{reply}");
    assert!(
        reply["error"].as_str().unwrap().contains("X-Sla-Signature"),
        "{reply}"
    );
    let (status, _) = server.post_signed(route, &body, SECRET, START_EPOCH - 3600);
    assert_eq!(status, 401, "a timestamp an hour old is refused");
    let (status, reply) =
        server.post_signed("/webhooks/globex/canonical", &body, SECRET, START_EPOCH);
    assert_eq!(status, 404, "{reply}");
    let (status, reply) = server.post_signed("/webhooks/acme/zendesk", &body, SECRET, START_EPOCH);
    assert_eq!(status, 404, "{reply}");
    let (status, reply) = server.post_signed(route, b"not json", SECRET, START_EPOCH);
    assert_eq!(status, 400, "{reply}");
    let (status, reply) = server.post_signed(route, b"{}", SECRET, START_EPOCH);
    assert_eq!(status, 422, "{reply}");
    let (status, reply) = server.post_signed(route, &vec![b' '; 300 * 1024], SECRET, START_EPOCH);
    assert_eq!(status, 413, "{reply}");
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("payload too large"),
        "{reply}"
    );

    let (status, ticket) = server.get_json("/tickets/acme/1");
    assert_eq!(status, 200, "{ticket}");
    let clock = &ticket["clocks"][0];
    assert_eq!(clock["metric"], "first_response", "{ticket}");
    assert_eq!(clock["state"], "running", "{ticket}");
    assert_eq!(clock["deadline"], "2026-03-02T10:00:00Z", "{ticket}");
    assert_eq!(server.get("/tickets/acme/2").0, 404);
    assert_eq!(server.get("/tickets/globex/1").0, 404);

    let report = server.advance(46 * 60);
    assert_eq!(report["now"], "2026-03-02T09:46:00Z", "{report}");
    ws.wait_for_events("the 75% warning", |e| of_type(e, "1", "warning").len() == 1);
    server.advance(15 * 60);
    let delivered = ws.wait_for_events("the breach", |e| of_type(e, "1", "breached").len() == 1);
    let breach = of_type(&delivered, "1", "breached")[0];
    assert_eq!(breach["deadline"], "2026-03-02T10:00:00Z", "{breach}");
    assert_eq!(breach["metric"], "first_response", "{breach}");
    let (_, ticket) = server.get_json("/tickets/acme/1");
    assert_eq!(ticket["clocks"][0]["state"], "breached", "{ticket}");
    assert_eq!(ticket["pending_events"], 0, "{ticket}");

    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    for line in [
        "sla_events_ingested_total 1\n",
        "sla_events_duplicate_total 1\n",
        "sla_breaches_total 1\n",
        "sla_events_published_total{type=\"warning\"} 1\n",
        "sla_webhook_responses_total{status=\"200\"} 2\n",
        "sla_webhook_responses_total{status=\"401\"} 2\n",
        "sla_webhook_responses_total{status=\"413\"} 1\n",
    ] {
        assert!(metrics.contains(line), "metrics lack {line:?}:\n{metrics}");
    }
    assert_eq!(server.get_json("/healthz"), (200, json!({"status": "ok"})));
}

/// Answers every request with 503: an events endpoint that is down.
fn unavailable_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 65536];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    format!("http://{address}/events")
}

#[test]
fn an_event_recorded_before_a_crash_is_delivered_after_restart() {
    let ws = Workspace::new();
    let server = ws.start(START, &unavailable_endpoint());
    let (status, reply) = server.post_signed(
        "/webhooks/acme/canonical",
        &created("7", START),
        SECRET,
        START_EPOCH,
    );
    assert_eq!(status, 200, "{reply}");
    // The warning fails; then the warning again and the breach.
    for (minutes, failed) in [(46, 1), (74, 2)] {
        let report = server.advance(minutes * 60);
        assert_eq!(
            report["sweep"]["failed"], failed,
            "delivery should fail: {report}"
        );
    }
    let (_, ticket) = server.get_json("/tickets/acme/7");
    assert_eq!(
        ticket["pending_events"], 2,
        "warning and breach recorded, not delivered: {ticket}"
    );
    server.crash();

    // Both failed last at 11:00 and back off (1 then 2 minutes): restart once they are due.
    let restarted = ws.start("2026-03-02T11:05:00Z", ws.events_file().to_str().unwrap());
    let delivered = ws.wait_for_events("warning and breach after restart", |e| e.len() == 2);
    assert_eq!(
        of_type(&delivered, "7", "warning").len(),
        1,
        "{delivered:#?}"
    );
    assert_eq!(
        of_type(&delivered, "7", "breached").len(),
        1,
        "{delivered:#?}"
    );
    // The sweep that delivered them settles the outbox after publishing; a sweep on
    // demand runs only after it (sweeps never overlap) and has nothing left to deliver.
    let report = restarted.advance(0);
    assert_eq!(report["sweep"]["published"], 0, "{report}");
    let (status, ticket) = restarted.get_json("/tickets/acme/7");
    assert_eq!(status, 200, "state survived the crash: {ticket}");
    assert_eq!(ticket["pending_events"], 0, "{ticket}");
    assert_eq!(ticket["clocks"][0]["state"], "breached", "{ticket}");
}

/// Accepts connections and never answers: an events endpoint that hangs. Each request's
/// arrival is reported on the channel.
fn hanging_endpoint() -> (String, std::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (arrived, arrivals) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 65536];
            let _ = stream.read(&mut buffer);
            let _ = arrived.send(());
            held.push(stream);
        }
    });
    (format!("http://{address}/events"), arrivals)
}

/// Sends a request without waiting for the answer; the connection stays open.
fn send_without_waiting(address: &str, path: &str, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect to sla serve");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send request");
    stream
}

#[test]
fn an_event_claimed_by_a_process_that_died_is_delivered_once_its_claim_expires() {
    let ws = Workspace::new();
    let (url, arrivals) = hanging_endpoint();
    let server = ws.start(START, &url);
    let (status, reply) = server.post_signed(
        "/webhooks/acme/canonical",
        &created("9", START),
        SECRET,
        START_EPOCH,
    );
    assert_eq!(status, 200, "{reply}");
    // 09:46: the sweep records and claims the warning, then hangs delivering it.
    let _pending = send_without_waiting(
        &server.address,
        "/_test/clock",
        r#"{"advance_seconds": 2760}"#,
    );
    arrivals
        .recv_timeout(WAIT)
        .expect("the sweep starts delivering the warning");
    server.crash();

    // 09:47: the 2-minute claim taken at 09:46 still holds; the warning waits in the outbox.
    let restarted = ws.start("2026-03-02T09:47:00Z", ws.events_file().to_str().unwrap());
    let (_, ticket) = restarted.get_json("/tickets/acme/9");
    assert_eq!(ticket["pending_events"], 1, "{ticket}");
    assert!(ws.delivered().is_empty());
    // 09:49: the claim has expired; this sweep delivers it, once.
    restarted.advance(120);
    let delivered = ws.wait_for_events("the warning", |e| !e.is_empty());
    assert_eq!(delivered.len(), 1, "{delivered:#?}");
    assert_eq!(
        of_type(&delivered, "9", "warning").len(),
        1,
        "{delivered:#?}"
    );
}

#[test]
fn a_graceful_restart_loses_nothing_and_delivers_nothing_twice() {
    let ws = Workspace::new();
    let events = ws.events_file();
    let server = ws.start(START, events.to_str().unwrap());
    for id in ["1", "2"] {
        let (status, reply) = server.post_signed(
            "/webhooks/acme/canonical",
            &created(id, START),
            SECRET,
            START_EPOCH,
        );
        assert_eq!(status, 200, "{reply}");
    }
    server.advance(50 * 60);
    ws.wait_for_events("two warnings", |e| e.len() == 2);
    let (status, logs) = server.terminate();
    assert!(
        status.success(),
        "graceful stop exits 0, got {status}:\n{logs}"
    );
    assert!(logs.contains("final sweep done"), "{logs}");

    let restarted = ws.start("2026-03-02T09:50:00Z", events.to_str().unwrap());
    let (status, ticket) = restarted.get_json("/tickets/acme/2");
    assert_eq!(status, 200, "{ticket}");
    assert_eq!(ticket["clocks"][0]["state"], "running", "{ticket}");
    restarted.advance(20 * 60);
    let delivered = ws.wait_for_events("two warnings and two breaches", |e| e.len() >= 4);
    let mut unique_ids = ids(&delivered);
    unique_ids.sort();
    unique_ids.dedup();
    assert_eq!(
        unique_ids.len(),
        delivered.len(),
        "an event was delivered twice: {delivered:#?}"
    );
    assert_eq!(delivered.len(), 4, "{delivered:#?}");
    for id in ["1", "2"] {
        assert_eq!(
            of_type(&delivered, id, "breached").len(),
            1,
            "{delivered:#?}"
        );
    }
}

#[test]
fn the_test_clock_route_is_refused_without_the_flag() {
    let ws = Workspace::new();
    let log = ws.path("serve.log");
    let mut command = ws.command(&log);
    command.args(["--events", ws.events_file().to_str().unwrap()]);
    let server = Server::start(command, log);
    let (status, body) = http(
        &server.address,
        "POST",
        "/_test/clock",
        &[],
        br#"{"advance_seconds": 60}"#,
    );
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("--test-clock"), "{body}");
}

/// Runs `sla serve` expecting it to stop at start-up; returns its stderr.
fn failed_start(ws: &Workspace, extra: &[&str], secret: Option<&str>) -> String {
    let log = ws.path("failed.log");
    let mut command = ws.command(&log);
    command.args(extra);
    match secret {
        Some(value) => command.env(SECRET_ENV, value),
        None => command.env_remove(SECRET_ENV),
    };
    let status = command.status().expect("run sla serve");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !status.success(),
        "sla serve should refuse to start:\n{stderr}"
    );
    stderr
}

#[test]
fn configuration_errors_stop_start_up_with_one_clear_line() {
    let ws = Workspace::new();
    let stderr = failed_start(&ws, &[], None);
    assert!(
        stderr.contains(SECRET_ENV),
        "names the missing secret: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");

    std::fs::write(
        ws.path("policy.yaml"),
        POLICY.replace("calendar: 24x7", "calendar: office"),
    )
    .expect("rewrite policy");
    let stderr = failed_start(&ws, &[], Some(SECRET));
    assert!(
        stderr.contains("policy.yaml") && stderr.contains("office"),
        "{stderr}"
    );

    std::fs::write(ws.path("policy.yaml"), POLICY).expect("restore policy");
    let stderr = failed_start(&ws, &["--sweep-every", "15"], Some(SECRET));
    assert!(stderr.contains("--sweep-every"), "{stderr}");
}
