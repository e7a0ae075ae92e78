//! Property tests: algebraic laws of the calendar operations, and agreement with a naive
//! day-by-day reference over random calendars (overnight shifts, holidays, overrides,
//! exclusions, DST zones).

mod common;

use chrono::{Duration, NaiveDate};
use common::{
    anchor_strategy, calendar_strategy, duration_strategy, instant_strategy, TestCalendar,
};
use proptest::prelude::*;
use sla_calendar::DeadlineRule;

fn calendar_and_anchor() -> impl Strategy<Value = (TestCalendar, NaiveDate)> {
    anchor_strategy().prop_flat_map(|anchor| (calendar_strategy(anchor), Just(anchor)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn operations_agree_with_the_naive_reference(
        (cal, anchor) in calendar_and_anchor(),
        seeds in proptest::collection::vec((instant_strategy_seed(), duration_strategy()), 12),
    ) {
        let compiled = cal.compile();
        let reference = cal.reference(anchor - Duration::days(150), anchor + Duration::days(700));
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
            prop_assert_eq!(compiled.between(t, u), reference.between(t, u), "between({}, {})", t, u);
            prop_assert_eq!(compiled.between(u, t), reference.between(u, t), "between({}, {})", u, t);
            if let Some(due) = reference.add(t, d).filter(|x| reference.covers(*x)) {
                prop_assert_eq!(compiled.add(t, d), due, "add({}, {})", t, d);
            }
            if let Some(back) = reference.subtract(t, d).filter(|x| reference.covers(*x)) {
                prop_assert_eq!(compiled.subtract(t, d), back, "subtract({}, {})", t, d);
            }
        }
    }

    #[test]
    fn between_measures_what_add_added(
        (cal, anchor) in calendar_and_anchor(),
        offset in instant_strategy_seed(),
        d in duration_strategy(),
    ) {
        let compiled = cal.compile().with_deadline_rule(DeadlineRule::Earliest);
        let s = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc() + offset;
        prop_assert_eq!(compiled.between(s, compiled.add(s, d)), d);
        let next_opening = compiled.with_deadline_rule(DeadlineRule::NextOpening);
        if !d.is_zero() {
            prop_assert_eq!(next_opening.between(s, next_opening.add(s, d)), d);
        }
    }

    #[test]
    fn add_is_monotone_in_start_and_duration(
        (cal, anchor) in calendar_and_anchor(),
        a in instant_strategy_seed(), b in instant_strategy_seed(),
        d1 in duration_strategy(), d2 in duration_strategy(),
    ) {
        let at = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc();
        for compiled in [cal.compile().with_deadline_rule(DeadlineRule::Earliest), cal.compile().with_deadline_rule(DeadlineRule::NextOpening)] {
            let (s1, s2) = ((at + a).min(at + b), (at + a).max(at + b));
            prop_assert!(compiled.add(s1, d1) <= compiled.add(s2, d1));
            prop_assert!(compiled.add(s1, d1.min(d2)) <= compiled.add(s1, d1.max(d2)));
        }
    }

    #[test]
    fn adding_in_two_steps_equals_adding_once_under_earliest(
        (cal, anchor) in calendar_and_anchor(),
        offset in instant_strategy_seed(),
        a in duration_strategy(), b in duration_strategy(),
    ) {
        let compiled = cal.compile().with_deadline_rule(DeadlineRule::Earliest);
        let s = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc() + offset;
        prop_assert_eq!(compiled.add(compiled.add(s, a), b), compiled.add(s, a + b));
    }

    #[test]
    fn subtract_inverts_add_from_an_open_start(
        (cal, anchor) in calendar_and_anchor(),
        offset in instant_strategy_seed(),
        d in duration_strategy(),
    ) {
        for rule in [DeadlineRule::Earliest, DeadlineRule::NextOpening] {
            let compiled = cal.compile().with_deadline_rule(rule);
            let s = compiled.next_open(anchor.and_hms_opt(0, 0, 0).unwrap().and_utc() + offset).unwrap();
            let due = compiled.add(s, d);
            prop_assert_eq!(compiled.subtract(due, d), s);
            let back = compiled.subtract(s, d);
            prop_assert_eq!(compiled.between(back, s), d);
        }
    }
}

/// Cases per property: 96, or `PROPTEST_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

/// An offset from the anchor's midnight: minutes or nanosecond-precise, within ±20 days.
fn instant_strategy_seed() -> impl Strategy<Value = Duration> {
    let anchor = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let at = anchor.and_hms_opt(0, 0, 0).unwrap().and_utc();
    instant_strategy(anchor, 20 * 24).prop_map(move |t| t - at)
}
