//! Runs every set in `tests/fixtures/sets/*.yaml`: calendars compiled together (unions, `.ics`
//! holidays relative to the fixture file, seasons, requester zones), then `sla calc` requests
//! against one of them, or the error the document must be rejected with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sla_calendar::calc::evaluate_on;
use sla_calendar::{compile_calendars, Calendar, CalendarError, CalendarSpec, IcsSources};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    sets: Vec<Set>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Set {
    about: String,
    calendars: BTreeMap<String, CalendarSpec>,
    #[serde(default)]
    cases: Vec<Case>,
    error: Option<String>,
    error_starts_with: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    case: String,
    calendar: String,
    /// Present (possibly null) to query the calendar as it applies to that requester.
    #[serde(default, deserialize_with = "present")]
    requester_timezone: Option<Option<String>>,
    input: serde_json::Value,
    expect: serde_json::Value,
    fallback: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn compile(set: &Set, dir: &Path) -> Result<BTreeMap<String, Calendar>, CalendarError> {
    let ics = IcsSources::load(&set.calendars, |path| {
        std::fs::read_to_string(dir.join(path))
    })?;
    compile_calendars(&set.calendars, &ics)
}

/// Checks one case; `Err` describes a mismatch.
fn check(calendars: &BTreeMap<String, Calendar>, case: &Case) -> Result<(), String> {
    let calendar = calendars
        .get(&case.calendar)
        .ok_or_else(|| format!("no calendar {:?}", case.calendar))?;
    let (calendar, fallback) = match &case.requester_timezone {
        Some(zone) => calendar.for_requester(zone.as_deref()),
        None => (std::sync::Arc::new(calendar.clone()), None),
    };
    let got = evaluate_on(&calendar, &case.input.to_string()).to_json();
    if got != case.expect {
        return Err(format!("expected {}, got {got}", case.expect));
    }
    let fallback = fallback.map(|f| f.to_string());
    if fallback != case.fallback {
        return Err(format!(
            "expected warning {:?}, got {fallback:?}",
            case.fallback
        ));
    }
    Ok(())
}

/// Checks one set; returns the number of checks and the failures.
fn run_set(set: &Set, dir: &Path) -> (usize, Vec<String>) {
    let compiled = compile(set, dir);
    match (&set.error, &set.error_starts_with, compiled) {
        (Some(expected), _, Err(e)) if e.to_string() == *expected => (1, vec![]),
        (_, Some(prefix), Err(e)) if e.to_string().starts_with(prefix.as_str()) => (1, vec![]),
        (None, None, Ok(calendars)) => {
            let failures = set
                .cases
                .iter()
                .filter_map(|case| {
                    check(&calendars, case)
                        .err()
                        .map(|e| format!("{}: {e}", case.case))
                })
                .collect();
            (set.cases.len(), failures)
        }
        (_, _, Err(e)) => (1, vec![format!("unexpected error: {e}")]),
        (_, _, Ok(_)) => (1, vec!["expected an error, compiled fine".into()]),
    }
}

#[test]
fn every_calendar_set_gives_its_expected_answers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sets");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("sets directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    let (mut checked, mut failures) = (0, Vec::new());
    for path in files {
        let file: File = serde_norway::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for set in &file.sets {
            let (n, fails) = run_set(set, &dir);
            checked += n;
            let name = path.file_name().unwrap().to_string_lossy();
            failures.extend(
                fails
                    .into_iter()
                    .map(|f| format!("{name}: {}: {f}", set.about)),
            );
        }
    }
    assert!(
        checked >= 35,
        "expected at least 35 checks, found {checked}"
    );
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_json_schema_lists_the_whose_hours_fields() {
    let schema = serde_json::to_value(schemars::schema_for!(CalendarSpec)).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for field in ["union", "seasons", "holidays_ics", "default_timezone"] {
        assert!(properties.contains_key(field), "schema lacks {field}");
    }
    let required = schema.get("required").and_then(|r| r.as_array());
    assert!(
        required.is_none_or(|r| r.is_empty()),
        "timezone and hours are optional (a union has neither)"
    );
    assert!(schema["$defs"]["SeasonSpec"]["properties"]["hours"].is_object());
}

#[test]
fn the_shipped_french_ics_has_holidays_next_year_and_a_stale_one_is_reported() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/holidays");
    let text = std::fs::read_to_string(dir.join("fr.ics")).expect("example .ics");
    let mut sources = IcsSources::new();
    sources.insert("fr.ics", text);
    sources.insert(
        "old.ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let stale = sources.without_events_between(day("2026-12-01"), day("2027-11-30"));
    assert_eq!(stale, vec!["old.ics"]);
    let fr = sla_calendar::IcsHolidays::parse("fr.ics", sources.get("fr.ics").unwrap()).unwrap();
    let ranges = fr.date_ranges();
    assert!(
        ranges.contains(&(day("2027-05-06"), day("2027-05-06"))),
        "Ascension 2027"
    );
    assert!(
        ranges.contains(&(day("2150-07-14"), day("2150-07-14"))),
        "yearly to 2199"
    );
}
