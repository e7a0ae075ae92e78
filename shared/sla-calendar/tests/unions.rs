//! Property tests for follow-the-sun unions: a union of random calendars (different zones,
//! holidays, overrides, exclusions) agrees with the union of the members' naive references, and
//! with a minute-by-minute walk.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{
    anchor_strategy, calendar_strategy, duration_strategy, merge, Reference, TestCalendar,
};
use proptest::prelude::*;
use sla_calendar::{compile_calendars, Calendar, CalendarSpec, DeadlineRule, IcsSources};

/// Members around one anchor, and whether the union uses `next_opening`.
fn union_strategy() -> impl Strategy<Value = (Vec<TestCalendar>, NaiveDate, bool)> {
    anchor_strategy().prop_flat_map(|anchor| {
        (
            proptest::collection::vec(calendar_strategy(anchor), 1..=3),
            Just(anchor),
            any::<bool>(),
        )
    })
}

fn compile_union(members: &[TestCalendar], next_opening: bool) -> Calendar {
    let mut specs: BTreeMap<String, serde_json::Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("m{i}"), m.spec_json()))
        .collect();
    let names: Vec<String> = specs.keys().cloned().collect();
    let rule = if next_opening {
        "next_opening"
    } else {
        "earliest"
    };
    specs.insert(
        "sun".into(),
        serde_json::json!({"union": names, "deadline_rule": rule}),
    );
    let specs: BTreeMap<String, CalendarSpec> =
        serde_json::from_value(serde_json::to_value(specs).unwrap()).unwrap();
    let mut calendars = compile_calendars(&specs, &IcsSources::new()).expect("union compiles");
    calendars.remove("sun").unwrap()
}

/// The union of the members' references, trusted where all of them are.
fn union_reference(members: &[TestCalendar], anchor: NaiveDate, next_opening: bool) -> Reference {
    let refs: Vec<Reference> = members
        .iter()
        .map(|m| m.reference(anchor - Duration::days(150), anchor + Duration::days(700)))
        .collect();
    Reference {
        spans: merge(refs.iter().flat_map(|r| r.spans.iter().copied()).collect()),
        rule: if next_opening {
            DeadlineRule::NextOpening
        } else {
            DeadlineRule::Earliest
        },
        lo: refs.iter().map(|r| r.lo).max().unwrap(),
        hi: refs.iter().map(|r| r.hi).min().unwrap(),
    }
}

fn offset_strategy() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (-20 * 24 * 60i64..20 * 24 * 60).prop_map(Duration::minutes),
        (-20 * 86_400i64..20 * 86_400, 0i64..1_000_000_000)
            .prop_map(|(s, n)| Duration::seconds(s) + Duration::nanoseconds(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn union_agrees_with_the_union_of_member_references(
        (members, anchor, next_opening) in union_strategy(),
        seeds in proptest::collection::vec((offset_strategy(), duration_strategy()), 12),
    ) {
        let compiled = compile_union(&members, next_opening);
        let reference = union_reference(&members, anchor, next_opening);
        let at = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc();
        for (offset, d) in seeds {
            let t = at + offset;
            prop_assert_eq!(compiled.is_open(t), reference.is_open(t), "is_open({})", t);
            if let Some(open) = reference.next_open(t).filter(|o| reference.covers(*o)) {
                prop_assert_eq!(compiled.next_open(t), Some(open), "next_open({})", t);
            }
            if let Some(close) = reference.next_close(t).filter(|c| reference.covers(*c)) {
                prop_assert_eq!(compiled.next_close(t), Some(close), "next_close({})", t);
            }
            let u = t + d;
            if reference.covers(u) {
                prop_assert_eq!(compiled.between(t, u), reference.between(t, u), "between({}, {})", t, u);
            }
            if let Some(due) = reference.add(t, d).filter(|x| reference.covers(*x)) {
                prop_assert_eq!(compiled.add(t, d), due, "add({}, {})", t, d);
            }
            if let Some(back) = reference.subtract(t, d).filter(|x| reference.covers(*x)) {
                prop_assert_eq!(compiled.subtract(t, d), back, "subtract({}, {})", t, d);
            }
        }
    }

    #[test]
    fn union_matches_a_minute_by_minute_walk(
        (members, anchor, _) in union_strategy(),
        start in -10 * 24 * 60i64..10 * 24 * 60,
    ) {
        let compiled = compile_union(&members, false);
        let reference = union_reference(&members, anchor, false);
        let t0: DateTime<Utc> = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::minutes(start);
        let mut open_minutes = 0i64;
        for m in 0..3 * 24 * 60 {
            let t = t0 + Duration::minutes(m);
            let open = reference.is_open(t);
            prop_assert_eq!(compiled.is_open(t), open, "is_open({})", t);
            prop_assert_eq!(compiled.between(t0, t), Duration::minutes(open_minutes), "between({}, {})", t0, t);
            open_minutes += i64::from(open);
        }
    }
}

/// Cases per property: 64, or `PROPTEST_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}
