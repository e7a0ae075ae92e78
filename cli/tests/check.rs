//! `sla check`: the target table, errors naming line and field, and lint warnings.

use std::path::PathBuf;
use std::process::{Command, Output};

use tempfile::TempDir;

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("run sla")
}

/// Writes `text` to `name` in the test's own temporary directory; returns its path.
fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn example_policy() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml").to_string()
}

#[test]
fn prints_the_target_table_of_the_example() {
    let out = sla(&["check", &example_policy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("4 policies, valid"), "{stdout}");
    let urgent = stdout
        .lines()
        .find(|l| {
            l.starts_with("enterprise-emea") && l.contains("urgent") && l.contains("first_response")
        })
        .expect("enterprise-emea urgent first_response row");
    for cell in ["30m", "24x7", "75% (22m30s)", "15m before (15m)"] {
        assert!(urgent.contains(cell), "{cell:?} missing in {urgent:?}");
    }
    assert!(!stdout.contains("warning:"), "{stdout}");
}

#[test]
fn rejects_a_day_unit_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "days.yaml",
        "policies:\n  - name: support\n    targets:\n      urgent: {first_response: 3d}\n",
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 4: policies[0].targets.urgent.first_response: \"3d\": no 'd' unit"),
        "{stderr}"
    );
}

#[test]
fn rejects_an_unknown_calendar_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "calendar.yaml",
        "policies:\n  - name: support\n    calendar: lyon\n    targets:\n      normal: {first_response: 1h}\n",
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 3: policies[0].calendar: \"lyon\": no such calendar"),
        "{stderr}"
    );
}

#[test]
fn warns_about_ambiguities() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "warnings.yaml",
        r#"calendars:
  paris:
    timezone: Europe/Paris
    hours: {mon: [["09:00", "18:00"]]}
    holidays: ["2026-12-24"]
    date_overrides: {"2026-12-24": [["09:00", "12:00"]]}
policies:
  - name: everyone
    calendar: paris
    targets:
      normal: {first_response: 1h}
    warn_at: ["100%"]
    pause: {resolution: [pending, waiting]}
  - name: vip
    when: {segment: [vip]}
    targets:
      normal: {first_response: 30m}
"#,
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for expected in [
        "policies[1]: policy \"vip\" is shadowed by \"everyone\"",
        "policy \"everyone\" has no targets for priority urgent",
        "policies[0].warn_at[0]: 100% is at or above 100%",
        "policies[0].pause.resolution[1]: \"waiting\" is not a status",
        "calendars.paris.date_overrides.2026-12-24: 2026-12-24 is both a holiday and a date override",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing in\n{stdout}");
    }
}

const VERSIONED: &str = r#"apply_to: open_tickets
exclude: {tags: [spam]}
priority_rules:
  - {when: {organization: [ACME]}, raise_to: urgent}
  - {when: {tags: [vip]}, raise_to: low}
acknowledgement_tags: [ack_macro]
versions:
  - effective_from: "2000-01-01T00:00:00Z"
    policies:
      - name: support
        start: {first_response: assigned}
        targets:
          normal: {first_response: 4h, resolution: 8h}
          urgent: {first_response: 1h}
  - effective_from: "2027-01-01T00:00:00Z"
    policies:
      - name: support
        targets:
          normal: {acknowledgement: 15m, first_response: 2h, resolution: 24h}
"#;

#[test]
fn lists_versions_and_what_changed_between_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "versions.yaml", VERSIONED);
    let out = sla(&["check", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "2 policy versions, valid (apply_to: open_tickets)",
        "exclude: tickets whose tags include one of [spam] get no clocks",
        "priority_rules[0]: raise to urgent when organization is one of [ACME]",
        "acknowledgement_tags: a public agent reply adding one of [ack_macro]",
        "version 1 (versions[0]), effective from 2000-01-01T00:00:00Z:",
        "1. support: applies when its `when` is empty, so it matches every ticket; on_priority_change: keep_start; starts first_response on assignment",
        "version 2 (versions[1]), effective from 2027-01-01T00:00:00Z:",
        "  added: support normal acknowledgement 15m on 24x7",
        "  tightened: support normal first_response 4h on 24x7 -> 2h on 24x7",
        "  loosened: support normal resolution 8h on 24x7 -> 24h on 24x7",
        "  removed: support urgent first_response (was 1h on 24x7)",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing in\n{stdout}");
    }
}

#[test]
fn warns_about_the_new_ambiguities() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "versions-warnings.yaml", VERSIONED);
    let out = sla(&["check", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "versions[0].policies[0].start.first_response: tickets of policy \"support\" may never be assigned",
        "priority_rules[1]: raise_to: low never raises a priority",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing in\n{stdout}");
    }
    let path = write(
        &dir,
        "ambiguous.yaml",
        "acknowledgement_tags: [ack]\napply_to: open_tickets\nexclude: {tags: [spam]}\npolicies:\n  - name: spam\n    when: {tags: [spam]}\n    targets:\n      normal: {first_response: 1h}\n",
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "acknowledgement_tags: no policy sets an acknowledgement target",
        "apply_to: open_tickets matters only with two or more `versions`",
        "policies[0].when: policy \"spam\" only matches tickets that exclude.tags excludes",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in\n{stdout}"
        );
    }
}

#[test]
fn rejects_versions_out_of_order_and_start_on_next_response() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "order.yaml",
        "versions:\n  - effective_from: \"2027-01-01T00:00:00Z\"\n    policies: []\n  - effective_from: \"2026-01-01T00:00:00Z\"\n    policies: []\n",
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("versions[1].effective_from: 2026-01-01 00:00:00 UTC is not after"),
        "{stderr}"
    );
    let path = write(
        &dir,
        "start.yaml",
        "policies:\n  - name: support\n    start: {next_response: assigned}\n",
    );
    let out = sla(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "line 3: policies[0].start.next_response: next_response starts on a customer comment"
        ),
        "{stderr}"
    );
}
