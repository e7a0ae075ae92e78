//! The autopilot through `sla serve`: a fake Zendesk and Slack on loopback record every
//! call (and answer 429 or 403 on demand); warnings tag once, breaches notify once, a
//! retraction untags, a 429 waits for its `Retry-After`, a refusal is visible and blocks
//! nothing, a restart repeats nothing. Included by `serve.rs` (shares its helpers).

use sla_actions_http::testkit::{calls_to, Call, FakeHelpdesk};

use super::*;

const ZD_EMAIL: &str = "agent@acme.example";
const ZD_TOKEN: &str = "zendesk-api-token";

const AUTOPILOT_POLICY: &str = "\
actions:
  - on: {type: warning}
    do: [{tag: sla_at_risk}]
  - on: {type: breached}
    do: [{notify: {channel: leads}}, {tag: sla_breached}]
  - on: {type: retracted}
    do: [{untag: sla_breached}]
policies:
  - name: standard
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
    warn_at: [\"75%\"]
";

/// Waits until `accept` holds for `fake`'s calls, then returns them.
fn wait_for(fake: &FakeHelpdesk, what: &str, accept: impl Fn(&[Call]) -> bool) -> Vec<Call> {
    poll_until(what, || fake.calls(), |calls| accept(calls))
}

/// `sla serve` over `ws` on the test clock at `clock`, acting in `fake`.
fn start_with_autopilot(ws: &Workspace, fake: &FakeHelpdesk, clock: &str) -> Server {
    let tenants = format!(
        "\
tenants:
  acme:
    policy: policy.yaml
    vendors:
      canonical: {{secret_env: {SECRET_ENV}}}
      zendesk:
        secret_env: {SECRET_ENV}
        api: {{base_url: \"http://{address}\", email_env: SLA_SERVE_TEST_ZD_EMAIL, token_env: SLA_SERVE_TEST_ZD_TOKEN}}
    channels:
      leads: {{slack_webhook_env: SLA_SERVE_TEST_SLACK}}
",
        address = fake.address
    );
    std::fs::write(ws.path("tenants.yaml"), tenants).expect("write tenants");
    std::fs::write(ws.path("policy.yaml"), AUTOPILOT_POLICY).expect("write policy");
    let log = ws.path(&format!("serve-{}.log", unique()));
    let mut command = ws.command(&log);
    command.args(["--test-clock", clock, "--events"]);
    command.arg(ws.events_file());
    command
        .env("SLA_SERVE_TEST_ZD_EMAIL", ZD_EMAIL)
        .env("SLA_SERVE_TEST_ZD_TOKEN", ZD_TOKEN)
        .env(
            "SLA_SERVE_TEST_SLACK",
            format!("http://{}/slack", fake.address),
        );
    Server::start(command, log)
}

/// A canonical event of a Zendesk ticket (`vendor: zendesk`).
fn zendesk_event(id: &str, event_id: &str, at: &str, kind: &str) -> Vec<u8> {
    let mut event = json!({
        "tenant": "acme",
        "ticket_id": id,
        "event_id": event_id,
        "at": at,
        "kind": kind,
        "vendor": "zendesk",
    });
    if kind == "created" {
        event["ticket"] = json!({"status": "new", "priority": "normal"});
    } else {
        event["comment"] = json!({"author": "agent", "public": true});
    }
    event.to_string().into_bytes()
}

fn post(server: &Server, body: &[u8], minutes_after_start: i64) {
    let signed_at = START_EPOCH + minutes_after_start * 60;
    let (status, reply) = server.post_signed("/webhooks/acme/canonical", body, SECRET, signed_at);
    assert_eq!(status, 200, "{reply}");
}

fn tag_body(tag: &str) -> Value {
    json!({ "tags": [tag] })
}

#[test]
fn autopilot_tags_notifies_and_untags_each_once() {
    let ws = Workspace::new();
    let fake = FakeHelpdesk::start();
    let server = start_with_autopilot(&ws, &fake, START);
    let created = zendesk_event("1", "c1", START, "created");
    post(&server, &created, 0);
    server.advance(46 * 60);
    let calls = wait_for(&fake, "the warning tags", |c| c.len() == 1);
    assert_eq!(calls[0].line, "PUT /api/v2/tickets/1/tags");
    assert_eq!(calls[0].body, tag_body("sla_at_risk"));
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{ZD_EMAIL}/token:{ZD_TOKEN}"),
    );
    assert_eq!(calls[0].authorization, Some(format!("Basic {basic}")));
    post(&server, &created, 46);

    server.advance(14 * 60);
    let calls = wait_for(&fake, "the breach notifies and tags", |c| c.len() == 3);
    let slack = calls_to(&calls, "POST /slack");
    assert_eq!(slack.len(), 1, "{:#?}", fake.lines());
    let text = slack[0].body["text"].as_str().expect("slack text");
    assert!(
        text.contains('1') && text.contains("first_response"),
        "{text}"
    );
    assert_eq!(calls[2].body, tag_body("sla_breached"));

    // The agent had replied at 09:50; the webhook arrives at 10:30: the breach is retracted.
    server.advance(30 * 60);
    post(
        &server,
        &zendesk_event("1", "r1", "2026-03-02T09:50:00Z", "comment"),
        90,
    );
    server.advance(1);
    let calls = wait_for(&fake, "the retraction untags", |c| c.len() == 4);
    assert_eq!(calls[3].line, "DELETE /api/v2/tickets/1/tags");
    assert_eq!(calls[3].body, tag_body("sla_breached"));

    thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.calls().len(), 4, "nothing twice: {:#?}", fake.lines());
    let (status, ticket) = server.get_json("/tenants/acme/tickets/1");
    assert_eq!(status, 200, "{ticket}");
    let actions = ticket["actions"].as_array().expect("actions listed");
    assert_eq!(actions.len(), 4, "{ticket:#}");
    assert!(actions.iter().all(|a| a["state"] == "done"), "{ticket:#}");
    assert_eq!(actions[0]["step"], "tag sla_at_risk");
    let (_, metrics) = server.get("/metrics");
    assert!(
        metrics.contains("sla_actions_total{target=\"zendesk\",step=\"tag\",outcome=\"done\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sla_actions_total{target=\"slack\",step=\"notify\",outcome=\"done\"} 1"),
        "{metrics}"
    );
}

#[test]
fn a_429_waits_for_retry_after_and_a_403_is_visible_and_blocks_nothing() {
    let ws = Workspace::new();
    let fake = FakeHelpdesk::start();
    fake.then_answer("PUT /api/v2/tickets/1/tags", 429, Some(1));
    fake.then_answer("PUT /api/v2/tickets/2/tags", 403, None);
    let server = start_with_autopilot(&ws, &fake, START);
    post(&server, &zendesk_event("1", "c1", START, "created"), 0);
    post(&server, &zendesk_event("2", "c2", START, "created"), 0);
    server.advance(46 * 60);
    let calls = wait_for(&fake, "both warnings tried", |c| {
        calls_to(c, "PUT /api/v2/tickets/1/tags").len() == 2
            && calls_to(c, "PUT /api/v2/tickets/2/tags").len() == 1
    });
    let first = calls_to(&calls, "PUT /api/v2/tickets/1/tags");
    assert!(
        first[1].at.duration_since(first[0].at) >= Duration::from_secs(1),
        "the retry waited for Retry-After: 1"
    );

    server.advance(14 * 60);
    wait_for(&fake, "both breaches acted on", |c| {
        calls_to(c, "POST /slack").len() == 2
            && calls_to(c, "PUT /api/v2/tickets/2/tags").len() == 2
    });
    let (_, ticket) = server.get_json("/tenants/acme/tickets/2");
    let actions = ticket["actions"].as_array().expect("actions listed");
    assert_eq!(actions[0]["state"], "dead", "{ticket:#}");
    let error = actions[0]["last_error"].as_str().expect("last error");
    assert!(error.contains("403"), "{error}");
    assert!(
        actions[1..].iter().all(|a| a["state"] == "done"),
        "{ticket:#}"
    );
    let (_, metrics) = server.get("/metrics");
    assert!(
        metrics.contains("sla_actions_total{target=\"zendesk\",step=\"tag\",outcome=\"failed\"} 1"),
        "{metrics}"
    );

    // Listed, then redriven: the running server carries it out.
    let cli = |verb: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_sla"))
            .args(["actions", verb, "--db"])
            .arg(ws.path("sla.db"))
            .output()
            .expect("run sla actions");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let listed = cli("list");
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(
        listed.contains("\"ticket_id\":\"2\"") && listed.contains("403"),
        "{listed}"
    );
    assert_eq!(cli("redrive").trim(), "{\"redriven\":1}");
    wait_for(&fake, "the redriven action runs", |c| {
        calls_to(c, "PUT /api/v2/tickets/2/tags").len() == 3
    });
    assert!(cli("list").is_empty());
}

#[test]
fn a_restart_in_the_middle_repeats_nothing() {
    let ws = Workspace::new();
    let fake = FakeHelpdesk::start();
    let server = start_with_autopilot(&ws, &fake, START);
    let created = zendesk_event("1", "c1", START, "created");
    post(&server, &created, 0);
    server.advance(46 * 60);
    wait_for(&fake, "the warning tags", |c| c.len() == 1);
    server.crash();

    let restarted = start_with_autopilot(&ws, &fake, "2026-03-02T09:46:00Z");
    post(&restarted, &created, 46);
    restarted.advance(1);
    thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.calls().len(), 1, "{:#?}", fake.lines());
    restarted.advance(14 * 60);
    let calls = wait_for(&fake, "the breach acts", |c| c.len() == 3);
    thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.calls().len(), 3, "{:#?}", fake.lines());
    assert_eq!(calls_to(&calls, "PUT /api/v2/tickets/1/tags").len(), 2);
    assert_eq!(calls_to(&calls, "POST /slack").len(), 1);
}
