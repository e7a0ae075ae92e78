//! Runs every case in `tests/fixtures/*.jsonl` through the `sla calc` evaluator.
//!
//! Each line is `{"case", "source", "input": <an sla calc request>, "expect": <its response>}`;
//! the CLI's integration test feeds the same `input`s to the `sla` binary.

use std::path::PathBuf;

use sla_calendar::calc::Evaluator;

fn fixture_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_case_gives_its_expected_response() {
    let mut evaluator = Evaluator::new();
    let (mut checked, mut failures) = (0, Vec::new());
    for file in fixture_files() {
        let text = std::fs::read_to_string(&file).expect("readable fixture");
        for (n, line) in text.lines().enumerate() {
            let case: serde_json::Value =
                serde_json::from_str(line).expect("fixture lines are JSON");
            let request = case["input"].to_string();
            let got = evaluator.evaluate(&request).to_json();
            if got != case["expect"] {
                failures.push(format!(
                    "{}:{}: {}\n  expected {}\n  got      {}",
                    file.file_name().unwrap().to_string_lossy(),
                    n + 1,
                    case["case"],
                    case["expect"],
                    got
                ));
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 100,
        "expected the fixture files to hold at least 100 cases, found {checked}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
