//! Autopilot in the offline commands: `sla check` validates and lists actions (and, with
//! `--tenants`, checks them against each tenant's helpdesks and channels), `sla explain`
//! lists the actions a timeline triggers, `sla replay --dry-run-actions` prints them.

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const POLICY: &str = r#"actions:
  - on: {type: warning, metric: first_response}
    do:
      - tag: sla_at_risk
      - note: "First response due {{deadline_local}} ({{time_left}} left)"
  - on: {type: breached}
    do: [{tag: sla_breached}, {notify: {channel: support-leads}}]
policies:
  - name: support
    targets:
      normal: {first_response: 1h}
    warn_at: ["75%"]
    actions:
      - on: {type: breached, metric: first_response}
        do: [{priority: {raise_to: high}}]
"#;

/// One Zendesk ticket created at 09:00 and never answered: a warning at 09:45, a breach
/// at 10:00.
const EVENTS: &str = r#"{"tenant":"acme","ticket_id":"42","event_id":"e1","at":"2026-03-02T09:00:00Z","kind":"created","vendor":"zendesk","ticket":{"status":"new","priority":"normal"},"comment":{"author":"customer","public":true}}"#;

#[test]
fn check_lists_every_step_of_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "check-policy.yaml", POLICY);
    let out = sla(&["check", &policy]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for row in [
        [
            "actions[0].do[0]",
            "(all)",
            "warning first_response",
            "tag sla_at_risk",
        ],
        [
            "actions[1].do[1]",
            "(all)",
            "breached",
            "notify support-leads",
        ],
        [
            "policies[0].actions[0].do[0]",
            "support",
            "breached first_response",
            "raise priority to high",
        ],
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(row[0]))
            .unwrap_or_else(|| panic!("no row {} in\n{stdout}", row[0]));
        let cells: Vec<&str> = line
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cells, row, "{line}");
    }
}

#[test]
fn check_rejects_an_unknown_template_field_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "bad-template.yaml",
        &POLICY.replace("{{time_left}}", "{{time_remaining}}"),
    );
    let out = sla(&["check", &policy]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "line 5: actions[0].do[1]: unknown template field {{time_remaining}}; known: ticket_id, tenant, metric"
        ),
        "{stderr}"
    );
}

#[test]
fn check_with_tenants_reports_impossible_steps_and_unknown_channels() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "tenant-policy.yaml", POLICY);
    // acme uses this file, on HubSpot (no tags) without the channel; other uses another
    // file and is not checked.
    let tenants = write(
        &dir,
        "tenants-bad.yaml",
        "tenants:\n  acme:\n    policy: tenant-policy.yaml\n    vendors:\n      hubspot: {secret_env: ACME_HS}\n      canonical: {secret_env: ACME_CANON}\n    channels:\n      managers: {slack_webhook_env: ACME_SLACK}\n  other:\n    policy: elsewhere.yaml\n    vendors:\n      front: {secret_env: OTHER_FRONT}\n",
    );
    let out = sla(&["check", &policy, "--tenants", &tenants]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 4: actions[0].do[0]: tenant acme: hubspot cannot add tags: HubSpot tickets have no tags"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 7: actions[1].do[1].notify.channel: tenant acme: no channel \"support-leads\" in the tenants file (channels: managers)"),
        "{stderr}"
    );
    assert!(!stderr.contains("tenant other"), "{stderr}");
    assert_eq!(stderr.lines().count(), 3, "{stderr}");

    let good = write(
        &dir,
        "tenants-good.yaml",
        "tenants:\n  acme:\n    policy: tenant-policy.yaml\n    vendors:\n      zendesk: {secret_env: ACME_ZD}\n    channels:\n      support-leads: {slack_webhook_env: ACME_SLACK}\n",
    );
    let out = sla(&["check", &policy, "--tenants", &good]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `sla explain` of `events` at 10:30 (after the warning and the breach) with `extra`
/// arguments; its stdout, once it succeeded.
fn explain_at(policy: &str, events: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "explain",
        "--policy",
        policy,
        events,
        "--at",
        "2026-03-02T10:30:00Z",
    ];
    args.extend_from_slice(extra);
    let out = sla(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    stdout
}

#[test]
fn explain_lists_the_actions_the_timeline_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "explain-policy.yaml", POLICY);
    let events = write(&dir, "explain-events.jsonl", EVENTS);
    let stdout = explain_at(&policy, &events, &[]);
    let section = stdout
        .split("actions (dry run, nothing is called):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no actions section in\n{stdout}"));
    let steps: Vec<&str> = section
        .lines()
        .map(|l| l.trim().split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        steps,
        [
            "tag sla_at_risk",
            "note: First response due 2026-03-02 10:00 UTC (15 min left)",
            "tag sla_breached",
            "notify support-leads: SLA breached: ticket 42 first_response (policy support, normal), due 2026-03-02 10:00 UTC (0 min left)",
            "raise priority to high",
        ]
    );
    let ids: Vec<&str> = section
        .lines()
        .map(|l| l.trim().split_once(' ').unwrap().0)
        .collect();
    for (id, suffix) in ids.iter().zip([":0.0", ":0.1", ":1.0", ":1.1", ":2.0"]) {
        assert!(id.ends_with(suffix), "{id} should end with {suffix}");
    }
}

/// `sla replay --dry-run-actions` (JSON) of `events` until 10:30 with `extra` arguments;
/// its stdout, once it succeeded.
fn dry_run_at(policy: &str, events: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "replay",
        "--policy",
        policy,
        events,
        "--until",
        "2026-03-02T10:30:00Z",
    ];
    args.extend_from_slice(&["--format", "json", "--dry-run-actions"]);
    args.extend_from_slice(extra);
    let out = sla(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn replay_dry_run_prints_planned_actions_as_json_lines_with_stable_ids() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "replay-policy.yaml", POLICY);
    let events = write(&dir, "replay-events.jsonl", EVENTS);
    let run = || dry_run_at(&policy, &events, &[]);
    let stdout = run();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let (summary, actions) = lines.split_last().unwrap();
    assert!(summary.get("summary").is_some(), "{stdout}");
    let steps: Vec<String> = actions.iter().map(|a| a["step"].to_string()).collect();
    assert_eq!(
        steps,
        [
            r#"{"tag":"sla_at_risk"}"#,
            r#"{"note":"First response due 2026-03-02 10:00 UTC (15 min left)"}"#,
            r#"{"tag":"sla_breached"}"#,
            r#"{"notify":{"channel":"support-leads","text":"SLA breached: ticket 42 first_response (policy support, normal), due 2026-03-02 10:00 UTC (0 min left)"}}"#,
            r#"{"raise_priority":"high"}"#,
        ]
    );
    for action in actions {
        let id = action["id"].as_str().unwrap();
        let event = action["event_id"].as_str().unwrap();
        assert!(id.starts_with(&format!("{event}:")), "{id}");
        assert_eq!(action["vendor"], "zendesk");
        assert_eq!(action["ticket_id"], "42");
    }
    assert_eq!(run(), stdout, "a second run plans the same ids");
}

/// A tenants file whose `ticket_url` links acme's tickets.
const TENANTS_WITH_URL: &str = "tenants:\n  acme:\n    ticket_url: \"https://acme.zendesk.com/agent/tickets/{id}\"\n    vendors:\n      zendesk: {secret_env: ACME_ZD}\n";

#[test]
fn explain_and_dry_run_render_the_ticket_url_from_the_tenants_file() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, "url-policy.yaml", POLICY);
    let events = write(&dir, "url-events.jsonl", EVENTS);
    let tenants = write(&dir, "tenants.yaml", TENANTS_WITH_URL);
    let link = "(0 min left) https://acme.zendesk.com/agent/tickets/42";

    let stdout = explain_at(&policy, &events, &["--tenants", &tenants]);
    let notify = stdout
        .lines()
        .find(|l| l.contains("notify support-leads"))
        .unwrap();
    assert!(notify.ends_with(link), "{notify}");

    let stdout = dry_run_at(&policy, &events, &["--tenants", &tenants]);
    let notify: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a["step"]["notify"].is_object())
        .unwrap();
    let message = notify["step"]["notify"]["text"].as_str().unwrap();
    assert!(message.ends_with(link), "{message}");

    // Without the file the link is empty, as before; --tenants needs --dry-run-actions.
    let stdout = explain_at(&policy, &events, &[]);
    assert!(!stdout.contains("https://"), "{stdout}");
    let out = sla(&[
        "replay",
        "--policy",
        &policy,
        &events,
        "--tenants",
        &tenants,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--dry-run-actions"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn policy_schema_describes_actions() {
    let out = sla(&["schema", "policy"]);
    assert!(out.status.success());
    let schema = text(&out.stdout);
    for key in [
        "\"actions\"",
        "\"do\"",
        "\"untag\"",
        "\"notify\"",
        "\"channel\"",
    ] {
        assert!(schema.contains(key), "{key} missing in the policy schema");
    }
}

#[test]
fn check_warns_about_a_rule_that_never_fires() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "never.yaml",
        &POLICY.replace("{type: breached}", "{type: breached, threshold: 15m}"),
    );
    let out = sla(&["check", &policy]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("never.yaml: actions[1].on.threshold: only warnings (and their retractions) carry a threshold, not breached, so this rule never fires"),
        "{stdout}"
    );
}

/// The first ```yaml block after `heading` in a file of the repository.
fn yaml_block(file: &str, heading: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/..").to_string() + file;
    let text = std::fs::read_to_string(&path).expect("documentation file");
    let section = text.split(heading).nth(1).expect("heading");
    let block = section.split("```yaml\n").nth(1).expect("a yaml block");
    block.split("```").next().unwrap().to_string()
}

#[test]
fn documented_examples_are_valid_policy_files() {
    let dir = tempfile::tempdir().unwrap();
    let format = yaml_block("/docs/autopilot.md", "## Format");
    let readme = yaml_block("/README.md", "## Autopilot") + "policies: []\n";
    for (name, yaml) in [("format.yaml", format), ("readme.yaml", readme)] {
        let path = write(&dir, name, &yaml);
        let out = sla(&["check", &path]);
        assert!(
            out.status.success(),
            "{name}:\n{yaml}\n{}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("actions:"), "{name}");
    }
}

/// `sla explain` at 10:30 of the example timeline on a HubSpot ticket, with `extra`
/// arguments (files named after `name`); its standard output, once it succeeded.
fn explain_hubspot(name: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(&dir, &format!("{name}-policy.yaml"), POLICY);
    let events = write(
        &dir,
        &format!("{name}-events.jsonl"),
        &EVENTS.replace("zendesk", "hubspot"),
    );
    let mut args = vec![
        "explain",
        "--policy",
        &policy,
        &events,
        "--at",
        "2026-03-02T10:30:00Z",
    ];
    args.extend_from_slice(extra);
    let out = sla(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    stdout
}

#[test]
fn explain_marks_steps_the_ticket_helpdesk_cannot_run() {
    let stdout = explain_hubspot("explain-hubspot", &[]);
    let marked: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("(cannot run: "))
        .collect();
    assert_eq!(marked.len(), 2, "{stdout}");
    assert!(
        marked[0].ends_with(
            ":0.0 tag sla_at_risk (cannot run: HubSpot tickets have no tags in the CRM API)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("notify support-leads: SLA breached"),
        "{stdout}"
    );
}

#[test]
fn explain_as_json_lists_the_actions_with_what_cannot_run() {
    let stdout = explain_hubspot("explain-json", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let actions = json["actions"].as_array().expect("actions listed");
    let described: Vec<&str> = actions
        .iter()
        .map(|a| a["description"].as_str().expect("description"))
        .collect();
    assert_eq!(described.len(), 5, "{described:?}");
    assert_eq!(described[0], "tag sla_at_risk");
    assert_eq!(actions[0]["vendor"], "hubspot");
    assert!(actions[0]["id"].as_str().expect("id").ends_with(":0.0"));
    assert_eq!(
        actions[0]["cannot_run"],
        "HubSpot tickets have no tags in the CRM API"
    );
    assert!(
        actions[3].get("cannot_run").is_none(),
        "notify runs anywhere"
    );
    assert!(json["clocks"].is_array(), "the ticket state is still there");
}
