//! `sla report` on a small hand-written history (`tests/fixtures/report`, 24x7 targets:
//! first response 1h, resolution 8h, resolution paused while pending), every number
//! worked out by hand:
//!
//! - A (emea, alice): created Mon 2 March 09:00, replied 09:30 (first response met, 30m),
//!   solved 12:00 (resolution met, 3h).
//! - B (emea, bob): created 09:00, replied 11:00 (breached at 10:00, completed 1h late,
//!   2h), solved 20:00 (breached at 17:00, completed 3h late, 11h).
//! - C (americas, alice): created Tue 3 March 10:00, no reply by the end (14:00): first
//!   response breached at 11:00 and still open (4h), resolution open (4h).
//! - D (americas, bob): created 12:00, replied 12:20 (met, 20m), pending 12:30 to 13:00:
//!   resolution open, 1h30m used, 30m paused.
//! - E: tagged spam, excluded.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("run sla")
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/report/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn report(extra: &[&str]) -> String {
    let policy = fixture("policy.yaml");
    let events = fixture("events.jsonl");
    let mut args = vec!["report", "--policy", &policy, &events];
    args.extend(extra);
    let out = sla(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn json_report(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    serde_json::from_str(&report(&args)).expect("report JSON")
}

/// The rows keyed by the values of `dimensions`, joined with `/`.
fn rows(report: &Value, dimensions: &[&str]) -> BTreeMap<String, Value> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let key: Vec<&str> = dimensions
                .iter()
                .map(|d| row["key"][d].as_str().expect("key"))
                .collect();
            (key.join("/"), row.clone())
        })
        .collect()
}

/// Where the time of A, B, C and D went (both metrics' rows hold the same tickets).
/// Lives: A 3h, B 11h, C 4h (to the end), D 2h: 20h = 72000s.
/// Waiting for the first reply: A 30m, B 2h, C 4h, D 20m = 24600s (34.2%).
/// With an agent: A 2h30m, B 9h, D 10m + 1h = 45600s (63.3%). Pending: D 30m (2.5%).
/// 24x7: nothing outside business hours.
fn time_share() -> Value {
    serde_json::json!({
        "life_seconds": 72000,
        "waiting_first_reply_percent": 34.2,
        "with_agent_percent": 63.3,
        "paused_percent": {"pending": 2.5},
        "outside_hours_percent": 0.0
    })
}

#[test]
fn rows_per_metric_match_the_hand_computed_numbers() {
    let report = json_report(&[]);
    assert_eq!(report["tickets"], 4);
    assert_eq!(report["cycles"], 8);
    assert_eq!(report["excluded_tickets"], 1);
    assert_eq!(report["until"], "2026-03-03T14:00:00Z");
    let rows = rows(&report, &["policy", "priority", "metric"]);
    let first = &rows["support/normal/first_response"];
    let expected_first = serde_json::json!({
        "key": {"policy": "support", "priority": "normal", "metric": "first_response"},
        "tickets": 4, "cycles": 4, "met": 2, "breached": 2, "cancelled": 0, "open": 0,
        "excluded_tickets": 0, "met_percent": 50.0,
        // completed: D 20m, A 30m, B 2h
        "median_seconds": 1800, "p90_seconds": 7200, "p95_seconds": 7200,
        // B: 2h - 1h
        "mean_over_target_seconds": 3600.0, "max_over_target_seconds": 3600,
        "breached_open": 1,
        "time": time_share()
    });
    assert_eq!(first, &expected_first);
    let resolution = &rows["support/normal/resolution"];
    let expected_resolution = serde_json::json!({
        "key": {"policy": "support", "priority": "normal", "metric": "resolution"},
        "tickets": 4, "cycles": 4, "met": 1, "breached": 1, "cancelled": 0, "open": 2,
        "excluded_tickets": 0, "met_percent": 50.0,
        // completed: A 3h, B 11h
        "median_seconds": 10800, "p90_seconds": 39600, "p95_seconds": 39600,
        // B: 11h - 8h
        "mean_over_target_seconds": 10800.0, "max_over_target_seconds": 10800,
        "breached_open": 0,
        "time": time_share()
    });
    assert_eq!(resolution, &expected_resolution);
}

#[test]
fn periods_are_days_in_the_time_zone_the_cycle_ended() {
    let utc = json_report(&["--by", "metric,period", "--period", "day"]);
    let utc = rows(&utc, &["metric", "period"]);
    let summary = |row: &Value| (row["met"].clone(), row["breached"].clone());
    let keys: Vec<&str> = utc.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "first_response/-",
            "first_response/2026-03-02",
            "first_response/2026-03-03",
            "resolution/-",
            "resolution/2026-03-02",
        ]
    );
    // C's breach has not completed: it has no period yet.
    assert_eq!(summary(&utc["first_response/-"]), (0.into(), 1.into()));
    assert_eq!(utc["first_response/-"]["breached_open"], 1);
    assert_eq!(summary(&utc["resolution/2026-03-02"]), (1.into(), 1.into()));
    // B was solved at 20:00 UTC, 05:00 on Tuesday in Tokyo.
    let tokyo = json_report(&[
        "--by",
        "metric,period",
        "--period",
        "day",
        "--timezone",
        "Asia/Tokyo",
    ]);
    let tokyo = rows(&tokyo, &["metric", "period"]);
    assert_eq!(
        summary(&tokyo["resolution/2026-03-02"]),
        (1.into(), 0.into())
    );
    assert_eq!(
        summary(&tokyo["resolution/2026-03-03"]),
        (0.into(), 1.into())
    );
}

#[test]
fn rows_by_assignee_and_group() {
    let report = json_report(&["--by", "group,assignee"]);
    let rows = rows(&report, &["group", "assignee"]);
    let keys: Vec<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec!["americas/alice", "americas/bob", "emea/alice", "emea/bob"]
    );
    // C: first response breached and open, resolution open.
    assert_eq!(rows["americas/alice"]["breached_open"], 1);
    assert_eq!(rows["americas/alice"]["open"], 1);
    assert_eq!(rows["americas/alice"]["met_percent"], 0.0);
    // B: both late.
    assert_eq!(rows["emea/bob"]["breached"], 2);
    assert_eq!(rows["emea/bob"]["max_over_target_seconds"], 10800);
}

#[test]
fn too_few_cycles_recommend_no_target() {
    let report = json_report(&[]);
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 2);
    let first = &targets[0];
    assert_eq!(first["metric"], "first_response");
    assert_eq!(first["target_seconds"], 3600);
    // Completed: 20m, 30m, 2h; C is censored at 4h.
    assert_eq!(
        (first["completed"].clone(), first["censored"].clone()),
        (3.into(), 1.into())
    );
    assert_eq!(first["met_percent"], 66.7);
    assert_eq!(first["recommended_seconds"], Value::Null);
    assert!(first["note"].as_str().unwrap().contains("under 30"));
    let text = report_text();
    assert!(text.contains("no recommendation"), "{text}");
}

fn report_text() -> String {
    report(&[])
}

#[test]
fn the_text_report_shows_the_tables() {
    let text = report_text();
    assert!(
        text.starts_with("8 cycles of 4 tickets until 2026-03-03T14:00:00Z (1 excluded tickets;"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("support") && l.contains("resolution"))
        .expect("resolution row");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells,
        vec![
            "support",
            "normal",
            "resolution",
            "4",
            "4",
            "1",
            "1",
            "0",
            "2",
            "0",
            "50.0%",
            "3h",
            "11h",
            "11h",
            "3h",
            "3h",
            "0"
        ]
    );
}

#[test]
fn the_cycles_csv_reproduces_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("cycles.csv");
    let report = json_report(&["--cycles", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).expect("cycles.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let records: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(records.len(), 8, "{text}");
    for row in report["rows"].as_array().unwrap() {
        let metric = row["key"]["metric"].as_str().unwrap();
        let mine: Vec<&Vec<&str>> = records
            .iter()
            .filter(|r| r[column("metric")] == metric)
            .collect();
        let count = |outcome: &str| {
            mine.iter()
                .filter(|r| r[column("outcome")] == outcome)
                .count()
        };
        assert_eq!(row["met"], count("met"));
        assert_eq!(row["breached"], count("breached"));
        assert_eq!(row["open"], count("open"));
        let mut completed: Vec<i64> = mine
            .iter()
            .filter(|r| !r[column("end")].is_empty() && r[column("outcome")] != "cancelled")
            .map(|r| r[column("business_seconds")].parse().unwrap())
            .collect();
        completed.sort_unstable();
        let median = completed[completed.len().div_ceil(2) - 1];
        assert_eq!(row["median_seconds"], median);
        let over: Vec<i64> = mine
            .iter()
            .filter(|r| r[column("outcome")] == "breached" && !r[column("end")].is_empty())
            .map(|r| {
                r[column("business_seconds")].parse::<i64>().unwrap()
                    - r[column("target_seconds")].parse::<i64>().unwrap()
            })
            .collect();
        assert_eq!(row["max_over_target_seconds"], *over.iter().max().unwrap());
        let breached_open = mine
            .iter()
            .filter(|r| r[column("outcome")] == "breached" && r[column("end")].is_empty())
            .count();
        assert_eq!(row["breached_open"], breached_open);
    }
    let d_resolution = records
        .iter()
        .find(|r| r[column("ticket_id")] == "D" && r[column("metric")] == "resolution")
        .unwrap();
    assert_eq!(d_resolution[column("business_seconds")], "5400");
    assert_eq!(d_resolution[column("paused_seconds")], "1800");
    assert_eq!(d_resolution[column("assignee")], "bob");
    assert_eq!(d_resolution[column("end")], "");
}

#[test]
fn a_copy_of_the_policy_compares_with_zero_difference() {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("copy.yaml");
    std::fs::copy(fixture("policy.yaml"), &copy).expect("copy the policy");
    let report = json_report(&["--compare-policy", copy.to_str().unwrap()]);
    let compared = report["comparison"].as_array().expect("comparison");
    assert_eq!(compared.len(), 2);
    for row in compared {
        assert_eq!(row["met_percent_change"], 0.0);
        assert_eq!(row["breached_change"], 0);
        assert_eq!(row["median_change_seconds"], 0);
        assert_eq!(row["baseline"], row["proposed"]);
    }
}

#[test]
fn a_stricter_policy_shows_the_difference() {
    let dir = tempfile::tempdir().expect("temp dir");
    let strict = dir.path().join("strict.yaml");
    let text = std::fs::read_to_string(fixture("policy.yaml")).unwrap();
    std::fs::write(
        &strict,
        text.replace("first_response: 1h", "first_response: 25m"),
    )
    .unwrap();
    let report = json_report(&["--compare-policy", strict.to_str().unwrap()]);
    let first = &report["comparison"][0];
    assert_eq!(first["key"]["metric"], "first_response");
    // Under 25m, A (30m) breaches too: 1 met of 4 decided instead of 2.
    assert_eq!(first["met_percent_change"], -25.0);
    assert_eq!(first["breached_change"], 1);
}

#[test]
fn csv_output_and_out_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.csv");
    let stdout = report(&["--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("policy,priority,metric,tickets,cycles,met,breached,"));
    assert_eq!(
        lines.next().unwrap(),
        "support,normal,first_response,4,4,2,2,0,0,0,50,1800,7200,7200,3600,3600,1,72000,34.2,63.3,2.5,,,,0"
    );
}

#[test]
fn bad_options_are_refused() {
    let policy = fixture("policy.yaml");
    let events = fixture("events.jsonl");
    for extra in [["--by", "team"], ["--timezone", "Mars/Olympus"]] {
        let mut args = vec!["report", "--policy", &policy, &events];
        args.extend(extra);
        let out = sla(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn the_report_schema_describes_rows_and_targets() {
    let out = sla(&["schema", "report"]);
    assert!(out.status.success());
    let schema: Value = serde_json::from_slice(&out.stdout).expect("schema JSON");
    for field in ["rows", "targets", "comparison", "excluded_tickets"] {
        assert!(
            schema["properties"].get(field).is_some(),
            "no {field}: {schema}"
        );
    }
}
