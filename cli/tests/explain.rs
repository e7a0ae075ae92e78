//! `sla explain`: a readable timeline of one ticket's clocks.

use std::process::{Command, Output};

use tempfile::TempDir;

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("run sla")
}

/// Writes `text` to `name` in the test's own temporary directory; returns its path.
fn write(dir: &TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const POLICY: &str = r#"calendars:
  paris:
    timezone: Europe/Paris
    hours: {mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]],
            thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]]}
policies:
  - name: enterprise
    when: {segment: [enterprise]}
    calendar: paris
    targets:
      normal: {first_response: 1h, resolution: 8h}
"#;

fn line(id: &str, ticket: &str, at: &str, rest: &str) -> String {
    format!(r#"{{"tenant":"acme","ticket_id":"{ticket}","event_id":"{id}","at":"{at}",{rest}}}"#)
}

fn events() -> String {
    [
        // Friday 17:30 Paris: first_response runs 30 minutes on Friday, breaches Monday 09:30.
        line("a1", "7", "2026-03-06T16:30:00Z", r#""kind":"created","ticket":{"status":"new","priority":"normal","segment":"enterprise"},"comment":{"author":"customer","public":true}"#),
        line("a2", "7", "2026-03-09T08:00:00Z", r#""kind":"updated","ticket":{"status":"pending"}"#),
        line("a3", "7", "2026-03-09T09:00:00Z", r#""kind":"comment","ticket":{"status":"open"},"comment":{"author":"agent","public":true}"#),
        line("b1", "8", "2026-03-06T16:30:00Z", r#""kind":"created","ticket":{"status":"new","segment":"smb"}"#),
    ]
    .join("\n")
}

#[test]
fn explains_policy_clock_steps_and_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy.yaml", POLICY);
    let events = write(&dir, "events.jsonl", &events());
    let out = sla(&["explain", "--policy", &policy, &events, "--ticket", "7"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "policy \"enterprise\" (policies[0]) applies: segment is one of [enterprise]",
        "first_response cycle 1: breached",
        "2026-03-09T08:30:00Z (Mon 09:30 Europe/Paris)  breached",
        "business time used: 1h30m of 1h on calendar paris",
        "deadline: 2026-03-09T08:30:00Z",
        "(deadline rule: earliest)",
        "resolution cycle 1: running",
        "paused: status pending",
        "resumed",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in\n{stdout}"
        );
    }
}

#[test]
fn explains_as_of_an_earlier_instant() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-at.yaml", POLICY);
    let events = write(&dir, "events-at.jsonl", &events());
    let out = sla(&[
        "explain",
        "--policy",
        &policy,
        &events,
        "--ticket",
        "7",
        "--at",
        "2026-03-06T17:00:00Z",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("first_response cycle 1: running"),
        "{stdout}"
    );
    assert!(stdout.contains("business time used: 30m of 1h"), "{stdout}");
}

#[test]
fn says_when_no_policy_matches() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-none.yaml", POLICY);
    let events = write(&dir, "events-none.jsonl", &events());
    let out = sla(&["explain", "--policy", &policy, &events, "--ticket", "8"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("no policy matches this ticket: it has no SLA clocks"),
        "{stdout}"
    );
}

#[test]
fn asks_for_a_ticket_when_the_file_has_several() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-many.yaml", POLICY);
    let events = write(&dir, "events-many.jsonl", &events());
    let out = sla(&["explain", "--policy", &policy, &events]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("2 tickets match; choose one with --ticket"),
        "{stderr}"
    );
}

#[test]
fn prints_the_state_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-json.yaml", POLICY);
    let events = write(&dir, "events-json.jsonl", &events());
    let out = sla(&[
        "explain", "--policy", &policy, &events, "--ticket", "7", "--format", "json",
    ]);
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON state");
    assert_eq!(state["policy"]["name"], "enterprise");
    assert_eq!(state["clocks"][0]["metric"], "first_response");
    assert_eq!(state["clocks"][0]["state"], "breached");
    assert_eq!(state["clocks"][0]["deadline"], "2026-03-09T08:30:00Z");
}

const RULES_POLICY: &str = r#"exclude: {tags: [spam]}
priority_rules:
  - {when: {organization: [ACME]}, raise_to: urgent}
policies:
  - name: support
    start: {first_response: assigned}
    targets:
      normal: {first_response: 4h, resolution: 8h}
      urgent: {first_response: 1h, resolution: 4h}
"#;

fn rules_events() -> String {
    [
        line(
            "c1",
            "9",
            "2026-03-02T09:00:00Z",
            r#""kind":"created","ticket":{"status":"new","organization":"ACME"}"#,
        ),
        line(
            "d1",
            "10",
            "2026-03-02T09:00:00Z",
            r#""kind":"created","ticket":{"status":"new","tags":["spam"]}"#,
        ),
        line(
            "e1",
            "11",
            "2026-03-02T09:00:00Z",
            r#""kind":"created","ticket":{"status":"new","assignee":"ana"}"#,
        ),
    ]
    .join("\n")
}

#[test]
fn explains_priority_rules_starts_and_waiting_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-rules.yaml", RULES_POLICY);
    let events = write(&dir, "events-rules.jsonl", &rules_events());
    let out = sla(&["explain", "--policy", &policy, &events, "--ticket", "9"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "priority urgent",
        "priority raised from normal to urgent by priority_rules[0]: organization is one of [ACME]",
        "first_response: not started, waiting for the ticket's first assignee (start: assigned)",
        "resolution cycle 1: running",
        "  start: created",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in\n{stdout}"
        );
    }
    let out = sla(&["explain", "--policy", &policy, &events, "--ticket", "11"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "first_response cycle 1: running",
        "  start: assigned (the first time the ticket has an assignee",
        "started: ticket created already assigned (start: assigned)",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in\n{stdout}"
        );
    }
}

#[test]
fn says_which_rule_excluded_a_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "policy-excluded.yaml", RULES_POLICY);
    let events = write(&dir, "events-excluded.jsonl", &rules_events());
    let out = sla(&["explain", "--policy", &policy, &events, "--ticket", "10"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "excluded: exclude.tags lists \"spam\", so the ticket has no SLA clocks (reports count it apart)"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("cycle 1"), "{stdout}");
}
