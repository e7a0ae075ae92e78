//! The read API and the dashboard through `sla serve`: tenant tokens from the tenants file
//! read their own tenant only, the admin token (`SLA_READ_TOKEN`) reads every tenant and
//! alone opens `/metrics`, and the dashboard page and its assets need no token. Included
//! by `serve.rs` (shares its helpers).

use super::*;

const ADMIN: &str = "admin-token-for-reads";
const ACME_READ: &str = "acme-read-token";
const GLOBEX_READ: &str = "globex-read-token";

const TWO_TENANTS: &str = "\
tenants:
  acme:
    policy: policy.yaml
    read_token_env: SLA_SERVE_TEST_ACME_READ
    ticket_url: \"https://acme.example.com/tickets/{id}\"
    vendors:
      canonical: {secret_env: SLA_SERVE_TEST_ACME_SECRET}
  globex:
    policy: policy.yaml
    read_token_env: SLA_SERVE_TEST_GLOBEX_READ
    vendors:
      canonical: {secret_env: SLA_SERVE_TEST_ACME_SECRET}
";

/// `sla serve` over `ws` with two tenants, each with its read token, and the admin token.
fn start_two_tenants(ws: &Workspace) -> Server {
    std::fs::write(ws.path("tenants.yaml"), TWO_TENANTS).expect("write tenants");
    let log = ws.path(&format!("serve-{}.log", unique()));
    let mut command = ws.command(&log);
    command.args(["--test-clock", START, "--events"]);
    command.arg(ws.events_file());
    command
        .env("SLA_READ_TOKEN", ADMIN)
        .env("SLA_SERVE_TEST_ACME_READ", ACME_READ)
        .env("SLA_SERVE_TEST_GLOBEX_READ", GLOBEX_READ);
    Server::start(command, log)
}

/// GET `path` with `token` as bearer (none when empty): the status and the JSON body.
fn read(server: &Server, path: &str, token: &str) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let headers: &[(&str, &str)] = if token.is_empty() {
        &[]
    } else {
        &[("Authorization", auth.as_str())]
    };
    let (status, body) = http(&server.address, "GET", path, headers, b"");
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// GET `path` without a token: the status, the response head (lower case) and the body.
fn get_with_head(server: &Server, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&server.address).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, _) = text.split_once("\r\n\r\n").expect("a head");
    let (status, body) = parse_response(&response);
    (status, head.to_ascii_lowercase(), body)
}

#[test]
fn tenant_tokens_read_only_their_tenant_and_the_admin_token_reads_all() {
    let ws = Workspace::new();
    let server = start_two_tenants(&ws);
    let (status, reply) = server.post_signed(
        "/webhooks/acme/canonical",
        &created("T-1", START),
        SECRET,
        START_EPOCH,
    );
    assert_eq!(status, 200, "{reply}");
    let cases = [
        ("/tenants/acme/queue", ACME_READ, 200),
        ("/tenants/acme/queue", ADMIN, 200),
        ("/tenants/acme/queue", GLOBEX_READ, 401),
        ("/tenants/acme/queue", "", 401),
        ("/tenants/globex/queue", GLOBEX_READ, 200),
        ("/tenants/acme/tickets/T-1", GLOBEX_READ, 401),
        ("/tickets/acme/T-1", ACME_READ, 200),
        ("/tenants/acme/summary?period=7d", ACME_READ, 200),
        ("/tenants/acme/queue?state=late", ACME_READ, 400),
        ("/tenants/nobody/queue", ADMIN, 404),
        ("/metrics", ACME_READ, 401),
        ("/metrics", ADMIN, 200),
    ];
    for (path, token, expected) in cases {
        let (status, body) = read(&server, path, token);
        assert_eq!(status, expected, "GET {path} with {token:?}: {body}");
    }
    let (_, queue) = read(&server, "/tenants/acme/queue", ACME_READ);
    assert_eq!(queue["items"][0]["ticket_id"], "T-1", "{queue}");
    assert_eq!(
        queue["items"][0]["url"], "https://acme.example.com/tickets/T-1",
        "{queue}"
    );
    let (_, ticket) = read(&server, "/tenants/acme/tickets/T-1", ACME_READ);
    assert!(
        ticket["explanation"][0]["lines"]
            .as_array()
            .is_some_and(|lines| !lines.is_empty()),
        "{ticket}"
    );
    let (status, body) = http(&server.address, "POST", "/tenants/acme/queue", &[], b"");
    assert_eq!(status, 405, "{body}");
    assert!(
        !server.logs().contains(ACME_READ) && !server.logs().contains(ADMIN),
        "a token is logged"
    );
}

#[test]
fn the_dashboard_and_its_assets_need_no_token_and_run_under_a_strict_policy() {
    let ws = Workspace::new();
    let server = start_two_tenants(&ws);
    let (status, head, body) = get_with_head(&server, "/dashboard/acme");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    assert!(body.contains(r#"data-tenant="acme""#), "{body}");
    let (status, head, body) = get_with_head(&server, "/dashboard/assets/app.js");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: text/javascript"), "{head}");
    assert_eq!(get_with_head(&server, "/dashboard/nobody").0, 404);
    assert_eq!(
        get_with_head(&server, "/dashboard/assets/nothing.js").0,
        404
    );
}
