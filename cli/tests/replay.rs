//! `sla replay`: the example week runs through the engine and prints SLA events and a
//! compliance summary; output is deterministic.

use std::process::{Command, Output};

use sla_core::{SlaEvent, SlaEventType};

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("run sla")
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn replay(format: &str) -> Output {
    let out = sla(&[
        "replay",
        "--policy",
        &example("policy.yaml"),
        &example("tickets.jsonl"),
        "--format",
        format,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn replays_the_example_week_into_sla_events_and_a_summary() {
    let out = replay("text");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<SlaEvent> = stdout
        .lines()
        .take_while(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("SLA event JSON"))
        .collect();
    for kind in [
        SlaEventType::Warning,
        SlaEventType::Breached,
        SlaEventType::Met,
    ] {
        assert!(events.iter().any(|e| e.kind == kind), "no {kind:?} event");
    }
    assert!(
        events
            .windows(2)
            .all(|w| w[0].kind == SlaEventType::Retracted
                || w[0].at <= w[1].at
                || w[1].kind != SlaEventType::Breached),
        "breaches are printed in time order"
    );
    let mut ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), events.len(), "event ids are unique");
    assert!(
        stdout.contains("duplicates dropped) of 300 tickets"),
        "{stdout}"
    );
    assert!(stdout.contains("POLICY"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("enterprise-emea") && l.contains("first_response")),
        "{stdout}"
    );
}

#[test]
fn json_summary_is_the_last_line() {
    let out = replay("json");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let summary = &last["summary"];
    assert_eq!(summary["tickets"], 300);
    assert!(
        summary["duplicates"].as_u64().unwrap() > 0,
        "the example repeats some webhooks"
    );
    let rows = summary["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let decided = row["met"].as_u64().unwrap() + row["breached"].as_u64().unwrap();
        let cycles = decided + row["cancelled"].as_u64().unwrap() + row["open"].as_u64().unwrap();
        assert_eq!(row["cycles"].as_u64().unwrap(), cycles, "{row}");
        assert!(row["tickets"].as_u64().unwrap() <= cycles, "{row}");
    }
    let printed = stdout.lines().count() - 1;
    assert_eq!(summary["sla_events"].as_u64().unwrap() as usize, printed);
}

#[test]
fn output_is_deterministic() {
    assert_eq!(replay("json").stdout, replay("json").stdout);
}
