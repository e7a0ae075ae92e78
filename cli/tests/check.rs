//! `sla check`: the target table, errors naming line and field, and lint warnings.

use std::path::PathBuf;
use std::process::{Command, Output};

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("run sla")
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sla-check-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
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
    let path = write(
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
    let path = write(
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
    let path = write(
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
