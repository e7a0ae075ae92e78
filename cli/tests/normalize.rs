//! `sla normalize`: fixture bodies in through stdin, canonical JSON lines or a one-line
//! refusal out. The payloads are the adapter fixtures of `shared/sla-helpdesk`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ZENDESK_TEST_SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
const ZENDESK_FIXTURE_SIGNATURE: &str = "PlxjkFT3fSnU9NWSRjLHP86izLX68auazS1Xo8ZfiZE=";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(path: &str) -> Vec<u8> {
    let full = repo().join("shared/sla-helpdesk/tests/fixtures").join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn normalize(args: &[&str], body: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sla"))
        .arg("normalize")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sla runs");
    let written = child.stdin.take().expect("stdin").write_all(body);
    // A command that refuses its arguments may exit before reading stdin.
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing the body: {e}"
        );
    }
    child.wait_with_output().expect("sla finishes")
}

fn stdout_json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each stdout line is JSON"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn zendesk_signed(now: &str, secret: &str) -> Output {
    normalize(
        &[
            "--vendor",
            "zendesk",
            "--tenant",
            "acme",
            "--secret",
            secret,
            "-H",
            &format!("X-Zendesk-Webhook-Signature: {ZENDESK_FIXTURE_SIGNATURE}"),
            "-H",
            "X-Zendesk-Webhook-Signature-Timestamp: 1234",
            "--now",
            now,
        ],
        &fixture("zendesk/trigger_ticket_update.zendesk-go_fixture.json"),
    )
}

#[test]
fn a_signed_zendesk_trigger_becomes_one_canonical_event() {
    let output = zendesk_signed("1970-01-01T00:22:00Z", ZENDESK_TEST_SECRET);
    assert!(output.status.success(), "{}", stderr(&output));
    let events = stdout_json_lines(&output);
    assert_eq!(
        events,
        vec![serde_json::json!({
            "tenant": "acme",
            "ticket_id": "12345",
            "event_id": "zendesk:64402627c1e2d490468336c314a61d36",
            "at": "1970-01-01T00:20:34Z",
            "kind": "comment",
            "ticket": {"priority": "normal", "group": "9000", "tags": ["new"]},
            "comment": {"author": "customer", "public": true},
            "vendor": "zendesk"
        })]
    );
}

#[test]
fn a_wrong_secret_is_refused_with_one_line() {
    let output = zendesk_signed("1970-01-01T00:22:00Z", "not-the-secret");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("refused (401)"), "{message}");
    assert!(message.contains("X-Zendesk-Webhook-Signature"), "{message}");
}

#[test]
fn a_stale_timestamp_is_refused() {
    let output = zendesk_signed("1970-01-01T01:00:00Z", ZENDESK_TEST_SECRET);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("tolerance 300s"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_malformed_body_is_refused() {
    let output = normalize(&["--vendor", "zendesk"], b"{not json");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("refused (400)") && message.contains("not JSON"),
        "{message}"
    );
}

#[test]
fn a_payload_without_an_sla_event_succeeds_and_says_so() {
    let output = normalize(
        &["--vendor", "zendesk"],
        &fixture("zendesk/event_user_group_membership_created.zendesk-go_fixture.json"),
    );
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("no event"), "{}", stderr(&output));
}

#[test]
fn hubspot_verification_uses_method_and_uri() {
    let args = |uri: &'static str| {
        vec![
            "--vendor",
            "hubspot",
            "--tenant",
            "acme",
            "--secret",
            "hubspot-client-secret",
            "-H",
            "X-HubSpot-Signature-v3: E1TxVQfehl09+C+4I+1CA/AxjKv5iR3zFy6Em/ZYR+s=",
            "-H",
            "X-HubSpot-Request-Timestamp: 1736330520000",
            "--method",
            "POST",
            "--uri",
            uri,
            "--now",
            "2025-01-08T10:03:00Z",
        ]
    };
    let body = fixture("hubspot/ticket_batch.json");
    let good = normalize(
        &args("https://sla.example.com/webhooks/acme/hubspot?portal=62515&note=a%3Ab"),
        &body,
    );
    assert!(good.status.success(), "{}", stderr(&good));
    assert_eq!(stdout_json_lines(&good).len(), 3);
    let bad = normalize(&args("https://sla.example.com/other"), &body);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn config_supplies_the_tenant_mapping() {
    let config = repo().join("examples/tenants.yaml");
    let body = fixture("jira/issue_created.json");
    let mapped = normalize(
        &[
            "--vendor",
            "jira",
            "--tenant",
            "globex",
            "--config",
            config.to_str().expect("utf-8 path"),
        ],
        &body,
    );
    assert!(mapped.status.success(), "{}", stderr(&mapped));
    assert_eq!(
        stdout_json_lines(&mapped)[0]["ticket"]["priority"],
        "urgent"
    );

    let unmapped = normalize(&["--vendor", "jira", "--tenant", "globex"], &body);
    assert_eq!(unmapped.status.code(), Some(1));
    assert!(
        stderr(&unmapped).contains("refused (422)"),
        "{}",
        stderr(&unmapped)
    );
}

#[test]
fn unusable_arguments_exit_with_status_2() {
    for args in [
        vec!["--vendor", "zendesk", "-H", "no colon here"],
        vec!["--vendor", "zendesk", "--tenant", "a/b"],
        vec!["--vendor", "nope"],
        vec!["--vendor", "zendesk", "--now", "yesterday"],
    ] {
        let output = normalize(&args, b"{}");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}
