//! Runs the built `sla` binary on the calendar fixture files: every `input` line piped to
//! `sla calc` must produce its `expect` line, in order.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn fixture_cases() -> Vec<serde_json::Value> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/sla-calendar/tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("calendar fixtures directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).expect("readable fixture");
            text.lines()
                .map(|line| {
                    serde_json::from_str::<serde_json::Value>(line).expect("fixture lines are JSON")
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn run_calc(stdin: &str) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sla"))
        .arg("calc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sla binary starts");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_owned();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()).expect("write stdin"));
    let output = child.wait_with_output().expect("sla calc finishes");
    writer.join().expect("stdin writer");
    (
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn sla_calc_answers_every_fixture_line_in_order() {
    let cases = fixture_cases();
    assert!(
        cases.len() >= 100,
        "found only {} fixture cases",
        cases.len()
    );
    let stdin: String = cases
        .iter()
        .map(|case| format!("{}\n", case["input"]))
        .collect();
    let (stdout, code) = run_calc(&stdin);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len(), "one output line per input line");
    for (case, line) in cases.iter().zip(&lines) {
        let got: serde_json::Value = serde_json::from_str(line).expect("output lines are JSON");
        assert_eq!(got, case["expect"], "case {}", case["case"]);
    }
    let any_error = cases
        .iter()
        .any(|case| case["expect"].get("error").is_some());
    assert_eq!(code, i32::from(any_error), "exit code 1 when a line failed");
}

#[test]
fn sla_calc_exits_zero_when_every_line_succeeds() {
    let line = r#"{"calendar":{"timezone":"Europe/Paris","hours":"24x7"},"op":"add_business_duration","start":"2026-03-29T00:30:00+01:00","duration_seconds":3600}"#;
    let (stdout, code) = run_calc(&format!("{line}\n{line}\n"));
    assert_eq!(stdout, "{\"result\":\"2026-03-29T00:30:00Z\"}\n".repeat(2));
    assert_eq!(code, 0);
}
