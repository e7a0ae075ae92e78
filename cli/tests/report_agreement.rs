//! `sla report --agreement` on `tests/fixtures/agreement` (see its README for the three
//! tickets and why each verdict is what it is). Expected, for both helpdesks: A agrees on
//! first response and resolution, B disagrees on first response (a holiday the helpdesk's
//! schedule lacks: we met Thu 09:30, it breached Wed 10:00) and agrees on the open
//! resolution, C has no SLA in the helpdesk (2 cycles not comparable): 3 agree, 1
//! disagree, 2 not comparable, 75% agreement, one helpdesk measurement not compared.

use std::process::Command;

use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/agreement/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn agreement(vendor: &str, files: &str, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args([
            "report",
            "--policy",
            &fixture("policy.yaml"),
            &fixture("events.jsonl"),
        ])
        .args(["--agreement", &fixture(files), "--agreement-vendor", vendor])
        .args(["--format", format])
        .output()
        .expect("run sla");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn statuses(doc: &Value) -> Vec<(String, String, String)> {
    doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (text("ticket_id"), text("metric"), text("status"))
        })
        .collect()
}

fn check(vendor: &str, files: &str, unmapped: &str) {
    let doc: Value = serde_json::from_str(&agreement(vendor, files, "json")).expect("JSON");
    assert_eq!(
        doc["totals"],
        json!({"agree": 3, "disagree": 1, "not_comparable": 2, "not_in_helpdesk": 0})
    );
    assert_eq!(doc["agree_percent"], json!(75.0));
    assert_eq!(doc["unmapped"], json!({ unmapped: 1 }));
    let s = |t: &str, m: &str, v: &str| (t.to_string(), m.to_string(), v.to_string());
    assert_eq!(
        statuses(&doc),
        [
            s("A", "first_response", "agree"),
            s("A", "resolution", "agree"),
            s("B", "first_response", "disagree"),
            s("B", "resolution", "agree"),
            s("C", "first_response", "not_comparable"),
            s("C", "resolution", "not_comparable"),
        ]
    );
    let b = &doc["rows"][2];
    assert_eq!(b["ours"]["at"], json!("2026-03-05T09:30:00Z"));
    assert_eq!(b["helpdesk"]["at"], json!("2026-03-04T10:00:00Z"));
    assert_eq!(b["helpdesk"]["outcome"], json!("breached"));
    assert_eq!(b["first_differing_step"]["step"], json!("met"));
}

#[test]
fn zendesk_metric_events_agree_disagree_and_are_not_comparable() {
    check("zendesk", "zendesk", "agent_work_time");
}

#[test]
fn jira_sla_answers_are_compared_the_same_way() {
    check("jira", "jira", "Time to close after resolution");
}

#[test]
fn csv_and_text_show_the_first_differing_step_as_explain_does() {
    let csv = agreement("zendesk", "zendesk", "csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with("ticket_id,metric,cycle,helpdesk_name,status,"));
    assert_eq!(
        lines[3],
        "B,first_response,1,reply_time#1,disagree,met,2026-03-05T09:30:00Z,breached,\
         2026-03-04T10:00:00Z,\"we say met, the helpdesk breached\",2026-03-05T09:30:00Z met"
    );
    let text = agreement("zendesk", "zendesk", "text");
    assert!(text.contains("AGREE%"), "{text}");
    assert!(text.contains("75.0%"), "{text}");
    assert!(text.contains("not compared (no counterpart among our metrics): agent_work_time x1"));
}

#[test]
fn zendesk_metric_events_saved_by_import_compare_the_same_way() {
    let dir = tempfile::tempdir().expect("temp dir");
    let saved = dir.path().join("verdicts.json");
    let import = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["import", "zendesk", &fixture("zendesk"), "--tenant", "acme"])
        .args(["--metric-events", &fixture("zendesk")])
        .arg("--verdicts-out")
        .arg(&saved)
        .output()
        .expect("run sla import");
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(import.status.success(), "{stderr}");
    assert!(stderr.contains("Zendesk verdicts"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args([
            "report",
            "--policy",
            &fixture("policy.yaml"),
            &fixture("events.jsonl"),
        ])
        .arg("--agreement")
        .arg(&saved)
        .args(["--agreement-vendor", "imported", "--format", "json"])
        .output()
        .expect("run sla report");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_saved: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let direct: Value =
        serde_json::from_str(&agreement("zendesk", "zendesk", "json")).expect("JSON");
    assert_eq!(from_saved, direct);
}

#[test]
fn metric_events_are_refused_for_other_helpdesks() {
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["import", "jira", &fixture("jira")])
        .args([
            "--metric-events",
            &fixture("zendesk"),
            "--verdicts-out",
            "/dev/null",
        ])
        .output()
        .expect("run sla import");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--metric-events"), "{stderr}");
}
