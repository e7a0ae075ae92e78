//! `timezone: requester` calendars as the engine uses them: resolved per requester zone,
//! cached, keeping the caller's deadline rule and exclusions, usable from several threads.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sla_calendar::{Calendar, CalendarSpec, DeadlineRule, ZoneFallback};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("test instant")
}

fn requester_hours() -> Calendar {
    let spec: CalendarSpec = serde_json::from_str(
        r#"{"timezone": "requester", "default_timezone": "Europe/Paris",
            "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]},
            "holidays": ["2026-01-06"]}"#,
    )
    .unwrap();
    Calendar::compile(&spec).unwrap()
}

#[test]
fn a_plain_calendar_is_returned_as_it_is() {
    let plain = Calendar::always_open();
    assert!(!plain.is_requester_zoned());
    let (resolved, warning) = plain.for_requester(Some("Asia/Tokyo"));
    assert_eq!(warning, None);
    assert_eq!(resolved.timezone(), chrono_tz::UTC);
}

#[test]
fn each_zone_is_compiled_once_and_shared_by_clones() {
    let calendar = requester_hours();
    let (first, _) = calendar.for_requester(Some("Asia/Tokyo"));
    let (again, _) = calendar.clone().for_requester(Some("Asia/Tokyo"));
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(first.timezone(), chrono_tz::Asia::Tokyo);
    assert!(!first.is_requester_zoned());
    // Monday 09:00 in Tokyo is 00:00Z; the holiday is Tokyo's 6 January.
    assert!(first.is_open(at("2026-01-05T00:00:00Z")));
    assert!(!first.is_open(at("2026-01-06T00:00:00Z")));
}

#[test]
fn the_default_zone_is_the_calendar_itself_and_missing_zones_warn() {
    let calendar = requester_hours();
    assert_eq!(calendar.timezone(), chrono_tz::Europe::Paris);
    let (paris, warning) = calendar.for_requester(None);
    assert_eq!(
        warning,
        Some(ZoneFallback::Missing {
            default: chrono_tz::Europe::Paris
        })
    );
    let t = at("2026-01-05T08:00:00Z");
    assert_eq!(
        paris.add(t, Duration::hours(8)),
        calendar.add(t, Duration::hours(8))
    );
    let (_, warning) = calendar.for_requester(Some(""));
    assert!(matches!(warning, Some(ZoneFallback::Unknown { zone, .. }) if zone.is_empty()));
}

#[test]
fn the_callers_deadline_rule_and_exclusions_carry_over() {
    let calendar = requester_hours()
        .with_deadline_rule(DeadlineRule::NextOpening)
        .with_exclusions(&[(at("2026-01-05T00:00:00Z"), at("2026-01-05T01:00:00Z"))]);
    let (tokyo, _) = calendar.for_requester(Some("Asia/Tokyo"));
    assert_eq!(tokyo.deadline_rule(), DeadlineRule::NextOpening);
    assert!(!tokyo.is_open(at("2026-01-05T00:30:00Z")));
    assert!(tokyo.is_open(at("2026-01-05T01:00:00Z")));
    // 7 h from 01:00Z end at Monday's 08:00Z closing (17:00 in Tokyo), which moves to the next
    // opening: Tuesday 6 January is a holiday (a local date), so Monday 12 January 09:00.
    assert_eq!(
        tokyo.add(at("2026-01-05T01:00:00Z"), Duration::hours(7)),
        at("2026-01-12T00:00:00Z")
    );
}

#[test]
fn zones_resolve_from_several_threads() {
    let calendar = requester_hours();
    let zones = [
        "Asia/Tokyo",
        "America/New_York",
        "Australia/Sydney",
        "Europe/Paris",
    ];
    std::thread::scope(|scope| {
        for zone in zones {
            let calendar = &calendar;
            scope.spawn(move || {
                let (resolved, warning) = calendar.for_requester(Some(zone));
                assert_eq!(warning, None);
                assert_eq!(resolved.timezone().name(), zone);
            });
        }
    });
}
