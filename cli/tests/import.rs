//! `sla import`: the fixtures of `shared/sla-import` in, canonical JSON lines out, the
//! tally on stderr; `--strict`, malformed files, gzip, tenant mappings, and the output
//! replayed by `sla replay`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sla_core::TicketEvent;

fn fixtures(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/sla-import/tests/fixtures")
        .join(path)
}

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("sla runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn events(stdout: &[u8]) -> Vec<TicketEvent> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("canonical event"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn zendesk_export_becomes_the_expected_json_lines_with_a_tally() {
    let dir = fixtures("zendesk/roundtrip");
    let output = sla(&["import", "zendesk", path(&dir), "--tenant", "acme"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = std::fs::read(fixtures("expected/zendesk.jsonl")).unwrap();
    assert_eq!(events(&output.stdout), events(&expected));
    let tally = stderr(&output);
    assert!(tally.contains("imported 16 event(s)"), "{tally}");
    assert!(tally.contains("note 2 × duplicate change"), "{tally}");
}

#[test]
fn strict_fails_on_unusable_rows_and_names_the_first() {
    let csv = fixtures("csv/events.csv");
    let lenient = sla(&["import", "csv", path(&csv), "--tenant", "acme"]);
    assert!(lenient.status.success(), "{}", stderr(&lenient));
    assert!(stderr(&lenient).contains("skipped 1 × row whose `at` is not an RFC 3339 time"));
    let strict = sla(&["import", "csv", path(&csv), "--tenant", "acme", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(strict.stdout.is_empty());
    let message = stderr(&strict);
    assert!(
        message.contains("--strict: 2 record(s) could not be used"),
        "{message}"
    );
    assert!(
        message.contains("events.csv: record 7: field at"),
        "{message}"
    );
}

#[test]
fn malformed_file_is_named_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audits.jsonl");
    std::fs::write(&file, "{\"audits\": []}\n{\"audits\": [\n").unwrap();
    let output = sla(&["import", "zendesk", path(&file)]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("audits.jsonl: record 2: not JSON"),
        "{message}"
    );
}

#[test]
fn gzip_files_read_like_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fixtures("jira/search-changelog.json");
    let packed = dir.path().join("search.json.gz");
    let gz = Command::new("gzip").arg("-c").arg(&plain).output().unwrap();
    assert!(gz.status.success());
    std::fs::write(&packed, gz.stdout).unwrap();
    let a = sla(&["import", "jira", path(&plain)]);
    let b = sla(&["import", "jira", path(&packed)]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(events(&b.stdout).len(), 10);
}

#[test]
fn tenant_mapping_comes_from_the_tenants_file() {
    let dir = tempfile::tempdir().unwrap();
    let audits = dir.path().join("audits.json");
    std::fs::write(
        &audits,
        r#"{"audits": [{"id": 1, "ticket_id": 5, "created_at": "2025-03-03T09:00:00Z",
            "author_id": 2, "events": [{"type": "Create", "field_name": "status",
            "value": "Waiting on vendor"}]}]}"#,
    )
    .unwrap();
    let tenants = dir.path().join("tenants.yaml");
    std::fs::write(
        &tenants,
        "tenants:\n  acme:\n    vendors:\n      zendesk:\n        secret_env: UNUSED\n        statuses: {\"Waiting on vendor\": on_hold}\n",
    )
    .unwrap();
    let plain = sla(&["import", "zendesk", path(&audits), "--tenant", "acme"]);
    assert!(stderr(&plain).contains("skipped 1 × unknown status \"Waiting on vendor\""));
    let mapped = sla(&[
        "import",
        "zendesk",
        path(&audits),
        "--tenant",
        "acme",
        "--config",
        path(&tenants),
    ]);
    assert!(mapped.status.success(), "{}", stderr(&mapped));
    let events = events(&mapped.stdout);
    assert_eq!(events[0].ticket.status, Some(sla_core::Status::OnHold));
}

#[test]
fn imported_history_replays() {
    let dir = tempfile::tempdir().unwrap();
    let output = sla(&["import", "freshdesk", path(&fixtures("freshdesk"))]);
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, &output.stdout).unwrap();
    let policy = fixtures("policy.yaml");
    let replay = sla(&[
        "replay",
        "--policy",
        path(&policy),
        path(&file),
        "--format",
        "json",
    ]);
    assert!(replay.status.success(), "{}", stderr(&replay));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&replay.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    // Ticket 20's first public agent reply (08:45) met its 1h first-response target.
    let met = lines.iter().any(|l| {
        l["type"] == "met"
            && l["ticket_id"] == "20"
            && l["metric"] == "first_response"
            && l["at"] == "2025-03-06T08:45:00Z"
    });
    assert!(met, "{lines:?}");
    assert!(lines.last().is_some_and(|l| l.get("summary").is_some()));
}
