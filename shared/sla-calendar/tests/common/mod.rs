//! A naive reference implementation for the property tests: it materializes every local date's
//! intervals through chrono-tz's own local-time resolution and walks the resulting spans.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};
use proptest::prelude::*;
use sla_calendar::{Calendar, CalendarSpec, DeadlineRule};

/// One interval in minutes after local midnight; `end <= start` runs overnight; 1440 is "24:00".
pub type Minutes = (u32, u32);

/// A calendar described independently of the crate's parsing.
#[derive(Debug, Clone)]
pub struct TestCalendar {
    pub tz: Tz,
    pub weekly: [Vec<Minutes>; 7],
    pub holidays: Vec<NaiveDate>,
    pub overrides: BTreeMap<NaiveDate, Vec<Minutes>>,
    pub exclusions: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub rule: DeadlineRule,
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn intervals_json(intervals: &[Minutes]) -> serde_json::Value {
    intervals
        .iter()
        .map(|&(s, e)| serde_json::json!([hhmm(s), hhmm(e)]))
        .collect()
}

impl TestCalendar {
    pub fn spec_json(&self) -> serde_json::Value {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let hours: serde_json::Map<_, _> = names
            .iter()
            .zip(&self.weekly)
            .map(|(n, d)| (n.to_string(), intervals_json(d)))
            .collect();
        let overrides: serde_json::Map<_, _> = self
            .overrides
            .iter()
            .map(|(d, i)| (d.to_string(), intervals_json(i)))
            .collect();
        serde_json::json!({
            "timezone": self.tz.name(),
            "hours": hours,
            "holidays": self.holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "date_overrides": overrides,
            "exclusions": self.exclusions.iter().map(|(s, e)| [s.to_rfc3339(), e.to_rfc3339()]).collect::<Vec<_>>(),
            "deadline_rule": match self.rule { DeadlineRule::Earliest => "earliest", DeadlineRule::NextOpening => "next_opening" },
        })
    }

    pub fn compile(&self) -> Calendar {
        let spec: CalendarSpec =
            serde_json::from_value(self.spec_json()).expect("generated spec parses");
        Calendar::compile(&spec).expect("generated spec compiles")
    }

    /// Materializes the open spans of local dates `from..=to` (UTC, sorted, merged, exclusions removed).
    pub fn reference(&self, from: NaiveDate, to: NaiveDate) -> Reference {
        let mut raw = Vec::new();
        let mut day = from;
        while day <= to {
            if self.holidays.contains(&day) || !date_exists(self.tz, day) {
                day = day.succ_opt().unwrap();
                continue;
            }
            let weekday = chrono::Datelike::weekday(&day).num_days_from_monday() as usize;
            let intervals = self.overrides.get(&day).unwrap_or(&self.weekly[weekday]);
            for &(s, e) in intervals {
                let e = if e <= s { e + 1440 } else { e };
                let open = resolve(self.tz, local(day, s), true);
                let close = resolve(self.tz, local(day, e), false);
                if close > open {
                    raw.push((open, close));
                }
            }
            day = day.succ_opt().unwrap();
        }
        let mut spans = merge(raw);
        for &(xs, xe) in &self.exclusions {
            spans = spans
                .into_iter()
                .flat_map(|(s, e)| {
                    let mut parts = Vec::new();
                    if s < xs.min(e) {
                        parts.push((s, xs.min(e)));
                    }
                    if xe.max(s) < e {
                        parts.push((xe.max(s), e));
                    }
                    parts
                })
                .collect();
        }
        let lo = resolve(self.tz, local(from, 0), true) + Duration::days(2);
        let hi = resolve(self.tz, local(to, 0), true) - Duration::days(2);
        Reference {
            spans: merge(spans),
            rule: self.rule,
            lo,
            hi,
        }
    }
}

fn local(day: NaiveDate, minutes: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes))
}

/// chrono-tz's view: a gap maps to the first instant after it; an overlap to the earlier
/// instant for an opening and the later one for a closing.
fn resolve(tz: Tz, local: NaiveDateTime, opening: bool) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.to_utc(), b.to_utc());
            if opening {
                a.min(b)
            } else {
                a.max(b)
            }
        }
        LocalResult::None => GapInfo::new(&local, &tz).unwrap().end.unwrap().to_utc(),
    }
}

fn date_exists(tz: Tz, day: NaiveDate) -> bool {
    let midnight = local(day, 0);
    match GapInfo::new(&midnight, &tz) {
        None => true,
        Some(gap) => {
            gap.end.unwrap().naive_local().date() == day
                && gap.end.unwrap().naive_local() < local(day, 1440)
        }
    }
}

pub fn merge(mut raw: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    raw.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (s, e) in raw {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Materialized open spans, valid for instants in `[lo, hi]`.
#[derive(Debug)]
pub struct Reference {
    pub spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub rule: DeadlineRule,
    pub lo: DateTime<Utc>,
    pub hi: DateTime<Utc>,
}

impl Reference {
    /// Whether `t` is far enough from the materialized edges for answers to be trusted.
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        self.lo <= t && t <= self.hi
    }

    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.spans.iter().any(|&(s, e)| s <= t && t < e)
    }

    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        if b < a {
            return -self.between(b, a);
        }
        self.spans
            .iter()
            .map(|&(s, e)| (e.min(b) - s.max(a)).max(Duration::zero()))
            .sum()
    }

    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.spans
            .iter()
            .find(|&&(_, e)| e > t)
            .map(|&(s, _)| s.max(t))
    }

    pub fn next_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.spans.iter().find(|&&(_, e)| e > t).map(|&(_, e)| e)
    }

    pub fn add(&self, start: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        let next_opening = self.rule == DeadlineRule::NextOpening;
        if d.is_zero() {
            return if next_opening {
                self.next_open(start)
            } else {
                Some(start)
            };
        }
        let mut left = d;
        for &(s, e) in self.spans.iter().filter(|&&(_, e)| e > start) {
            let from = s.max(start);
            if left <= e - from {
                let end = from + left;
                return if next_opening && end == e {
                    self.next_open(end)
                } else {
                    Some(end)
                };
            }
            left -= e - from;
        }
        None
    }

    pub fn subtract(&self, start: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        if d.is_zero() {
            if self.rule == DeadlineRule::Earliest || self.is_open(start) {
                return Some(start);
            }
            return self
                .spans
                .iter()
                .rev()
                .find(|&&(_, e)| e <= start)
                .map(|&(_, e)| e);
        }
        let mut left = d;
        for &(s, e) in self.spans.iter().rev().filter(|&&(s, _)| s < start) {
            let to = e.min(start);
            if left <= to - s {
                return Some(to - left);
            }
            left -= to - s;
        }
        None
    }
}

pub const ZONES: [Tz; 12] = [
    chrono_tz::Europe::Paris,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
    chrono_tz::America::Santiago,
    chrono_tz::Europe::Dublin,
    chrono_tz::Africa::Casablanca,
    chrono_tz::Asia::Tehran,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Australia::Sydney,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::UTC,
];

/// Up to two same-day intervals on a 15-minute grid, the later one possibly overnight.
pub fn day_strategy() -> impl Strategy<Value = Vec<Minutes>> {
    (
        proptest::collection::btree_set(0u32..=96, 0..=4),
        any::<bool>(),
        0u32..96,
    )
        .prop_map(|(cuts, overnight, wrap)| {
            let cuts: Vec<u32> = cuts.into_iter().map(|c| c * 15).collect();
            let mut intervals: Vec<Minutes> = cuts.chunks_exact(2).map(|p| (p[0], p[1])).collect();
            if let Some(last) = intervals.last_mut() {
                if overnight && last.0 < 1440 {
                    last.1 = (wrap * 15).min(last.0);
                }
            }
            intervals.retain(|&(s, _)| s < 1440);
            intervals
        })
}

pub fn date_strategy(anchor: NaiveDate, spread_days: i64) -> impl Strategy<Value = NaiveDate> {
    (-spread_days..=spread_days).prop_map(move |d| anchor + Duration::days(d))
}

/// A random calendar around `anchor` (a local date), with holidays, overrides and exclusions near it.
pub fn calendar_strategy(anchor: NaiveDate) -> impl Strategy<Value = TestCalendar> {
    let at = anchor.and_time(NaiveTime::MIN).and_utc();
    (
        proptest::sample::select(ZONES.to_vec()),
        proptest::array::uniform7(day_strategy()),
        proptest::collection::vec(date_strategy(anchor, 30), 0..6),
        proptest::collection::btree_map(date_strategy(anchor, 30), day_strategy(), 0..4),
        proptest::collection::vec((-30 * 24i64..30 * 24, 1i64..72 * 60), 0..4),
        any::<bool>(),
    )
        .prop_map(
            move |(tz, mut weekly, holidays, overrides, exclusions, next_opening)| {
                if weekly.iter().all(Vec::is_empty) {
                    weekly[0] = vec![(540, 1020)];
                }
                TestCalendar {
                    tz,
                    weekly,
                    holidays,
                    overrides,
                    exclusions: exclusions
                        .into_iter()
                        .map(|(h, len)| {
                            (
                                at + Duration::hours(h),
                                at + Duration::hours(h) + Duration::minutes(len),
                            )
                        })
                        .collect(),
                    rule: if next_opening {
                        DeadlineRule::NextOpening
                    } else {
                        DeadlineRule::Earliest
                    },
                }
            },
        )
}

/// Anchors: random dates plus dates next to notable transitions.
pub fn anchor_strategy() -> impl Strategy<Value = NaiveDate> {
    let notable = [
        NaiveDate::from_ymd_opt(2011, 12, 30).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 5).unwrap(),
        NaiveDate::from_ymd_opt(2026, 9, 6).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        NaiveDate::from_ymd_opt(2022, 9, 21).unwrap(),
        NaiveDate::from_ymd_opt(2025, 2, 23).unwrap(),
    ];
    prop_oneof![
        proptest::sample::select(notable.to_vec()),
        (0i64..365 * 20)
            .prop_map(|d| NaiveDate::from_ymd_opt(2008, 1, 1).unwrap() + Duration::days(d)),
    ]
}

/// An instant within `spread_hours` of `anchor`, on a minute grid or with nanoseconds.
pub fn instant_strategy(
    anchor: NaiveDate,
    spread_hours: i64,
) -> impl Strategy<Value = DateTime<Utc>> {
    let at = anchor.and_time(NaiveTime::MIN).and_utc();
    prop_oneof![
        (-spread_hours * 60..spread_hours * 60).prop_map(move |m| at + Duration::minutes(m)),
        (
            -spread_hours * 3600..spread_hours * 3600,
            0i64..1_000_000_000
        )
            .prop_map(move |(s, n)| at + Duration::seconds(s) + Duration::nanoseconds(n)),
    ]
}

/// A business duration: minutes, seconds with nanoseconds (up to about two weeks), or up to
/// 3,000 hours.
pub fn duration_strategy() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::zero()),
        (1i64..3_000).prop_map(Duration::hours),
        (1i64..20_000).prop_map(Duration::minutes),
        (0i64..1_200_000, 0i64..1_000_000_000)
            .prop_map(|(s, n)| Duration::seconds(s) + Duration::nanoseconds(n)),
    ]
}
