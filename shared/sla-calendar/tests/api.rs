//! The public API as other crates use it: building calendars, exclusions for paused clocks,
//! deadline rules, YAML documents, and the range limits.

use chrono::{DateTime, Duration, Utc};
use sla_calendar::{Calendar, CalendarSpec, DeadlineRule, OutOfRange};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("test instant")
}

fn office() -> Calendar {
    let spec: CalendarSpec = serde_json::from_str(
        r#"{"timezone": "UTC", "hours": {"mon": [["09:00","12:00"],["13:00","17:00"]], "tue": [["09:00","17:00"]]}}"#,
    )
    .unwrap();
    Calendar::compile(&spec).unwrap()
}

#[test]
fn calendars_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Calendar>();
}

#[test]
fn always_open_is_24x7_utc() {
    let calendar = Calendar::always_open();
    assert_eq!(calendar.timezone(), chrono_tz::UTC);
    assert_eq!(calendar.open_seconds_per_week_hint(), 7 * 86_400);
    assert_eq!(
        calendar.add(at("2026-01-01T00:00:00Z"), Duration::hours(30)),
        at("2026-01-02T06:00:00Z")
    );
    assert_eq!(calendar.next_close(at("2026-01-01T00:00:00Z")), None);
}

#[test]
fn with_exclusions_pauses_the_clock_and_keeps_the_original() {
    let calendar = office();
    let paused = calendar.with_exclusions(&[
        (at("2026-01-05T10:00:00Z"), at("2026-01-05T11:00:00Z")),
        (at("2026-01-05T09:30:00Z"), at("2026-01-05T10:30:00Z")),
    ]);
    assert_eq!(
        paused.between(at("2026-01-05T09:00:00Z"), at("2026-01-05T12:00:00Z")),
        Duration::minutes(90)
    );
    assert_eq!(
        calendar.between(at("2026-01-05T09:00:00Z"), at("2026-01-05T12:00:00Z")),
        Duration::hours(3)
    );
    let paused_more =
        paused.with_exclusions(&[(at("2026-01-05T11:00:00Z"), at("2026-01-05T11:30:00Z"))]);
    assert_eq!(
        paused_more.between(at("2026-01-05T09:00:00Z"), at("2026-01-05T12:00:00Z")),
        Duration::hours(1)
    );
    assert!(!paused.is_open(at("2026-01-05T10:15:00Z")));
    assert_eq!(
        paused.next_open(at("2026-01-05T10:15:00Z")),
        Some(at("2026-01-05T11:00:00Z"))
    );
}

#[test]
fn deadline_rule_is_switchable_and_reported() {
    let earliest = office();
    assert_eq!(earliest.deadline_rule(), DeadlineRule::Earliest);
    let next_opening = earliest.with_deadline_rule(DeadlineRule::NextOpening);
    assert_eq!(next_opening.deadline_rule(), DeadlineRule::NextOpening);
    let start = at("2026-01-05T09:00:00Z");
    assert_eq!(
        earliest.add(start, Duration::hours(3)),
        at("2026-01-05T12:00:00Z")
    );
    assert_eq!(
        next_opening.add(start, Duration::hours(3)),
        at("2026-01-05T13:00:00Z")
    );
}

#[test]
fn open_seconds_per_week_ignores_holidays() {
    assert_eq!(office().open_seconds_per_week_hint(), 15 * 3_600);
}

#[test]
fn next_close_of_a_closed_instant_is_the_next_intervals_close() {
    assert_eq!(
        office().next_close(at("2026-01-05T12:30:00Z")),
        Some(at("2026-01-05T17:00:00Z"))
    );
    assert_eq!(
        office().next_close(at("2026-01-05T18:00:00Z")),
        Some(at("2026-01-06T17:00:00Z"))
    );
}

#[test]
fn a_yaml_policy_calendar_deserializes_with_plain_serde() {
    let yaml = r#"
timezone: America/New_York
hours:
  mon: [["09:00", "17:00"]]
  fri: [["09:00", "13:00"]]
holidays:
  - "2026-11-26"
  - {from: "2026-12-24", to: "2026-12-26"}
  - {yearly: "01-01"}
date_overrides:
  "2026-12-31": [["09:00", "12:00"]]
deadline_rule: next_opening
"#;
    let spec: CalendarSpec = serde_norway::from_str(yaml).unwrap();
    let calendar = Calendar::compile(&spec).unwrap();
    assert_eq!(calendar.deadline_rule(), DeadlineRule::NextOpening);
    assert_eq!(calendar.open_seconds_per_week_hint(), 12 * 3_600);
    let round_trip: CalendarSpec =
        serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(round_trip, spec);
    let yaml_24x7: CalendarSpec = serde_norway::from_str("timezone: UTC\nhours: 24x7\n").unwrap();
    assert!(Calendar::compile(&yaml_24x7).is_ok());
}

#[test]
fn the_json_schema_lists_the_calendar_fields() {
    let schema = serde_json::to_value(schemars::schema_for!(CalendarSpec)).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for field in [
        "timezone",
        "hours",
        "holidays",
        "date_overrides",
        "exclusions",
        "deadline_rule",
    ] {
        assert!(properties.contains_key(field), "schema lacks {field}");
    }
}

#[test]
fn range_limits_saturate_or_report() {
    let calendar = office();
    let late = at("2199-12-30T00:00:00Z");
    assert_eq!(
        calendar.add(late, Duration::hours(100)),
        at("2200-01-01T00:00:00Z")
    );
    assert_eq!(
        calendar.try_add(late, Duration::hours(100)),
        Err(OutOfRange::Result)
    );
    let too_early = at("1850-01-01T00:00:00Z");
    assert_eq!(
        calendar.try_add(too_early, Duration::hours(1)),
        Err(OutOfRange::Start(too_early))
    );
    assert!(!calendar.is_open(at("2300-01-05T10:00:00Z")));
    assert_eq!(
        calendar.subtract(at("1900-01-02T00:00:00Z"), Duration::hours(100)),
        at("1900-01-01T00:00:00Z")
    );
}

#[test]
fn far_apart_instants_are_measured_without_walking() {
    let calendar = office();
    let a = at("1901-01-07T00:00:00Z"); // a Monday
    let b = a + Duration::weeks(52 * 290);
    assert_eq!(calendar.between(a, b), Duration::hours(15 * 52 * 290));
    assert_eq!(
        calendar.add(a, Duration::hours(15 * 52 * 290)),
        b - Duration::days(7) + Duration::hours(24 + 17)
    );
}
