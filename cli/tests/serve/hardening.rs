//! Hostile and unlucky clients of `sla serve`: slow connections, too many connections,
//! trickled bodies, missing read tokens, a failing store, TLS proxies in front of HubSpot,
//! and absurd test-clock moves. Included by `serve.rs` (shares its helpers).

use std::io::ErrorKind;

use base64::Engine as _;

use super::*;

/// How long the slow clients are given before they must all have been closed.
const CLOSE_WAIT: Duration = Duration::from_secs(20);

/// Starts `sla serve` over `ws` with the test clock and `extra` flags.
fn start_with(ws: &Workspace, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let log = ws.path(&format!("serve-{}.log", unique()));
    let mut command = ws.command(&log);
    command.args(["--test-clock", START, "--events"]);
    command.arg(ws.events_file());
    command.args(extra);
    for (name, value) in env {
        command.env(name, value);
    }
    Server::start(command, log)
}

/// A connection that sends a request head one byte at a time and never finishes it.
struct SlowClient {
    stream: TcpStream,
    closed: bool,
}

impl SlowClient {
    fn open(address: &str) -> Self {
        let mut stream = TcpStream::connect(address).expect("connect slow client");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .expect("send partial head");
        stream.set_nonblocking(true).expect("non-blocking");
        Self {
            stream,
            closed: false,
        }
    }

    /// Sends one more byte; notices when the server closed the connection.
    fn trickle(&mut self) {
        if self.closed {
            return;
        }
        let mut buf = [0u8; 256];
        match self.stream.read(&mut buf) {
            Ok(0) => self.closed = true,
            Err(e) if e.kind() != ErrorKind::WouldBlock => self.closed = true,
            _ => {}
        }
        if !self.closed && self.stream.write(b"a").is_err() {
            self.closed = true;
        }
    }
}

#[test]
fn slow_clients_are_closed_and_healthz_still_answers() {
    let ws = Workspace::new();
    let server = start_with(
        &ws,
        &["--header-timeout", "2s", "--idle-timeout", "2s"],
        &[],
    );
    let mut slow: Vec<SlowClient> = (0..200)
        .map(|_| SlowClient::open(&server.address))
        .collect();
    for client in &mut slow {
        client.trickle();
    }

    let asked = Instant::now();
    let (status, body) = server.get("/healthz");
    let took = asked.elapsed();
    assert_eq!(status, 200, "{body}");
    // Generous: a functional check that the slow clients do not starve the server.
    assert!(took < Duration::from_secs(1), "/healthz took {took:?}");

    let deadline = Instant::now() + CLOSE_WAIT;
    while slow.iter().any(|c| !c.closed) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(200));
        for client in &mut slow {
            client.trickle();
        }
    }
    let open = slow.iter().filter(|c| !c.closed).count();
    assert_eq!(open, 0, "slow connections still open after {CLOSE_WAIT:?}");
    assert_eq!(server.get("/healthz").0, 200);
}

#[test]
fn connections_over_the_limit_are_answered_503() {
    let ws = Workspace::new();
    let server = start_with(&ws, &["--max-connections", "3"], &[]);
    let held: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    // The server accepts in order: once a held connection is served, the limit is reached.
    thread::sleep(Duration::from_millis(300));
    let (status, body) = server.get("/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("too many connections"), "{body}");
    drop(held);
    let deadline = Instant::now() + WAIT;
    while server.get("/healthz").0 != 200 {
        assert!(Instant::now() < deadline, "slots never freed");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_trickled_body_is_answered_408() {
    let ws = Workspace::new();
    let server = start_with(&ws, &["--body-timeout", "1s"], &[]);
    let mut stream = TcpStream::connect(&server.address).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    stream
        .write_all(
            b"POST /webhooks/acme/canonical HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\"",
        )
        .expect("send head and part of the body");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let (status, body) = parse_response(&response);
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("request body"), "{body}");
}

#[test]
fn read_routes_need_the_token_when_one_is_set() {
    let ws = Workspace::new();
    let token = "read-token-for-tests";
    let server = start_with(&ws, &[], &[("SLA_READ_TOKEN", token)]);
    let created = created("T-1", START);
    let (status, body) =
        server.post_signed("/webhooks/acme/canonical", &created, SECRET, START_EPOCH);
    assert_eq!(status, 200, "webhooks stay open: {body}");
    assert_eq!(server.get("/healthz").0, 200, "healthz stays open");

    let right = format!("Bearer {token}");
    let right = right.as_str();
    let cases: [(&str, Headers, u16); 7] = [
        ("/tickets/acme/T-1", &[], 401),
        (
            "/tickets/acme/T-1",
            &[("Authorization", "Bearer wrong")],
            401,
        ),
        ("/tickets/acme/T-1", &[("Authorization", token)], 401),
        ("/metrics", &[], 401),
        ("/tickets/acme/T-1", &[("Authorization", right)], 200),
        ("/tickets/nobody/T-1", &[("Authorization", right)], 404),
        ("/metrics", &[("Authorization", right)], 200),
    ];
    for (path, headers, expected) in cases {
        let (status, body) = http(&server.address, "GET", path, headers, b"");
        assert_eq!(status, expected, "GET {path} with {headers:?}: {body}");
    }
    let (status, _) = http(
        &server.address,
        "POST",
        "/_test/clock",
        &[],
        br#"{"advance_seconds": 1}"#,
    );
    assert_eq!(status, 401, "the test clock is a protected route too");
}

#[test]
fn listening_beyond_loopback_needs_a_read_token_or_public_read() {
    let ws = Workspace::new();
    let log = ws.path("public.log");
    let mut command = ws.command_on(&log, "0.0.0.0:0");
    let mut child = command.spawn().expect("run sla serve");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sla serve started on a public address without a read token");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SLA_READ_TOKEN") && stderr.contains("--public-read"),
        "{stderr}"
    );
}

#[test]
fn a_store_failure_answers_a_generic_503_with_a_request_id() {
    let ws = Workspace::new();
    let server = start_with(&ws, &[], &[]);
    let blocker = rusqlite::Connection::open(ws.path("sla.db")).expect("open the database");
    blocker
        .execute_batch("BEGIN EXCLUSIVE;")
        .expect("lock the database");
    let created = created("T-locked", START);
    let (status, body) =
        server.post_signed("/webhooks/acme/canonical", &created, SECRET, START_EPOCH);
    blocker.execute_batch("ROLLBACK;").expect("unlock");
    assert_eq!(status, 503, "{body}");
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("lock") && !text.contains("sqlite") && !text.contains("database"),
        "the answer must not carry the store's error: {body}"
    );
    let id = body["request_id"].as_str().expect("a request id");
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("no log line with request id {id}:\n{logs}"));
    assert!(
        line.to_lowercase().contains("lock"),
        "the log has the detail: {line}"
    );
}

/// Extra request headers, name and value.
type Headers<'a> = &'a [(&'a str, &'a str)];

const HUBSPOT_SECRET: &str = "hubspot-client-secret";

/// A HubSpot ticket creation at the test clock's start.
fn hubspot_creation() -> Vec<u8> {
    json!([{
        "eventId": 1, "subscriptionId": 2, "portalId": 62515, "appId": 5,
        "occurredAt": START_EPOCH * 1000, "subscriptionType": "ticket.creation",
        "attemptNumber": 0, "objectId": 7001, "changeFlag": "CREATED", "changeSource": "CRM"
    }])
    .to_string()
    .into_bytes()
}

/// Posts a HubSpot v3 delivery signed over `signed_url`, with `extra` headers.
fn post_hubspot(server: &Server, signed_url: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let body = hubspot_creation();
    let timestamp = (START_EPOCH * 1000).to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(HUBSPOT_SECRET.as_bytes()).expect("key");
    for part in [
        b"POST".as_slice(),
        signed_url.as_bytes(),
        &body,
        timestamp.as_bytes(),
    ] {
        mac.update(part);
    }
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut headers = vec![
        ("X-HubSpot-Signature-v3", signature.as_str()),
        ("X-HubSpot-Request-Timestamp", timestamp.as_str()),
    ];
    headers.extend_from_slice(extra);
    http(
        &server.address,
        "POST",
        "/webhooks/acme/hubspot",
        &headers,
        &body,
    )
}

/// A workspace whose tenant also has HubSpot.
fn hubspot_workspace() -> Workspace {
    let ws = Workspace::new();
    let tenants =
        format!("{TENANTS}      hubspot: {{secret_env: SLA_SERVE_TEST_HUBSPOT_SECRET}}\n");
    std::fs::write(ws.path("tenants.yaml"), tenants).expect("write tenants");
    ws
}

#[test]
fn hubspot_signatures_over_the_public_https_url_are_accepted() {
    let signed_url = "https://sla.example.com/webhooks/acme/hubspot";
    let env = [("SLA_SERVE_TEST_HUBSPOT_SECRET", HUBSPOT_SECRET)];

    let ws = hubspot_workspace();
    let plain = start_with(&ws, &[], &env);
    let forwarded = [
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "sla.example.com"),
    ];
    let (status, body) = post_hubspot(&plain, signed_url, &forwarded);
    assert_eq!(
        status, 401,
        "forwarded headers are not trusted by default: {body}"
    );
    drop(plain);

    let ws = hubspot_workspace();
    let public = start_with(&ws, &["--public-url", "https://sla.example.com"], &env);
    let (status, body) = post_hubspot(&public, signed_url, &[]);
    assert_eq!(status, 200, "--public-url: {body}");
    drop(public);

    let ws = hubspot_workspace();
    let trusting = start_with(&ws, &["--trust-forwarded"], &env);
    let (status, body) = post_hubspot(&trusting, signed_url, &forwarded);
    assert_eq!(status, 200, "--trust-forwarded: {body}");
}

#[test]
fn an_absurd_test_clock_move_is_refused_with_400() {
    let ws = Workspace::new();
    let server = start_with(&ws, &[], &[]);
    for body in [
        json!({ "advance_seconds": i64::MAX }),
        json!({ "advance_seconds": i64::MIN }),
        json!({ "advance_seconds": 400_i64 * 366 * 86_400 }),
        json!({ "now": "+262142-12-01T00:00:00Z" }),
    ] {
        let text = body.to_string();
        let (status, answer) = http(
            &server.address,
            "POST",
            "/_test/clock",
            &[],
            text.as_bytes(),
        );
        assert_eq!(status, 400, "{text}: {answer}");
    }
    assert_eq!(server.get("/healthz").0, 200, "the server is still up");
    assert_eq!(server.advance(60)["now"], "2026-03-02T09:01:00Z");
}

/// The issue's crash (a signed event stamped in year +262142) and its siblings: each is
/// a clear 4xx naming the problem, nothing is stored, and the server keeps answering.
#[test]
fn hostile_signed_webhooks_are_refused_and_the_server_stays_up() {
    let ws = Workspace::new();
    let server = start_with(&ws, &[], &[]);
    let route = "/webhooks/acme/canonical";
    let event = |id: &str, at: &str| {
        json!({"tenant": "acme", "ticket_id": id, "event_id": format!("e-{id}"), "at": at,
               "kind": "created", "ticket": {"status": "new", "priority": "normal"}})
    };
    let many: Vec<Value> = (0..1001).map(|i| event(&format!("m{i}"), START)).collect();
    let mut tags_event = event("tags", START);
    tags_event["ticket"]["tags"] = json!((0..101).map(|i| format!("t{i}")).collect::<Vec<_>>());
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "far future",
            event("far", "+262142-12-01T00:00:00Z"),
            422,
            "at",
        ),
        (
            "before 1900",
            event("old", "1899-12-31T23:59:59Z"),
            422,
            "at",
        ),
        (
            "long ticket id",
            event(&"x".repeat(257), START),
            422,
            "ticket_id",
        ),
        ("too many tags", tags_event, 422, "tags"),
        (
            "too many events",
            Value::Array(many),
            413,
            "too many events",
        ),
    ];
    for (name, body, status, needle) in cases {
        let bytes = body.to_string().into_bytes();
        let (got, reply) = server.post_signed(route, &bytes, SECRET, START_EPOCH);
        assert_eq!(got, status, "{name}: {reply}");
        let message = reply["error"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{name}: {reply}");
        assert_eq!(
            server.get_json("/healthz"),
            (200, json!({"status": "ok"})),
            "{name}: the server must keep answering"
        );
    }
    for id in ["far", "old", "tags", "m0"] {
        assert_eq!(
            server.get(&format!("/tickets/acme/{id}")).0,
            404,
            "{id} stored"
        );
    }
}
