//! A time zone's offset transitions in the supported range, and the mapping of local
//! wall-clock boundaries to instants under the DST rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::instant::{Nanos, DAY, MAX, MIN, SECOND};

/// One change of UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    /// The instant of the change.
    pub at: Nanos,
    /// Offset (local minus UTC) before `at`.
    pub before: Nanos,
    /// Offset from `at` on.
    pub after: Nanos,
}

/// Which end of an interval a local boundary is: decides gap and overlap resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Boundary {
    /// Opens an interval: an overlap maps to the earlier instant.
    Open,
    /// Closes an interval: an overlap maps to the later instant.
    Close,
}

/// The transitions of one zone between a few days before and after the supported range.
#[derive(Debug)]
pub(crate) struct ZoneTable {
    first_offset: Nanos,
    transitions: Vec<Transition>,
}

impl ZoneTable {
    /// The table for `tz`, built once per process and shared.
    pub fn for_zone(tz: Tz) -> Arc<ZoneTable> {
        static TABLES: OnceLock<Mutex<HashMap<Tz, Arc<ZoneTable>>>> = OnceLock::new();
        let tables = TABLES.get_or_init(Default::default);
        if let Some(table) = lock(tables).get(&tz) {
            return Arc::clone(table);
        }
        let table = Arc::new(Self::probe(tz));
        lock(tables).entry(tz).or_insert(table).clone()
    }

    /// Finds the transitions by sampling the offset daily and bisecting each change to the second.
    fn probe(tz: Tz) -> ZoneTable {
        let lo = MIN / SECOND - 8 * 86_400;
        let hi = MAX / SECOND + 8 * 86_400;
        let first_offset = offset_seconds(tz, lo);
        let mut transitions = Vec::new();
        let (mut t, mut off) = (lo, first_offset);
        while t < hi {
            let next = t + 86_400;
            let next_off = offset_seconds(tz, next);
            if next_off != off {
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let mid = a + (b - a) / 2;
                    if offset_seconds(tz, mid) == off {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                transitions.push(Transition {
                    at: b * SECOND,
                    before: off * SECOND,
                    after: offset_seconds(tz, b) * SECOND,
                });
                // Catch a second change inside the same day.
                let (mut u, mut u_off) = (b, offset_seconds(tz, b));
                while u_off != next_off {
                    let (mut a, mut c) = (u, next);
                    while c - a > 1 {
                        let mid = a + (c - a) / 2;
                        if offset_seconds(tz, mid) == u_off {
                            a = mid;
                        } else {
                            c = mid;
                        }
                    }
                    let after = offset_seconds(tz, c);
                    transitions.push(Transition {
                        at: c * SECOND,
                        before: u_off * SECOND,
                        after: after * SECOND,
                    });
                    (u, u_off) = (c, after);
                }
            }
            (t, off) = (next, next_off);
        }
        ZoneTable {
            first_offset: first_offset * SECOND,
            transitions,
        }
    }

    /// All transitions, in order.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// The offset in force at instant `t`.
    pub fn offset_at(&self, t: Nanos) -> Nanos {
        let i = self.transitions.partition_point(|tr| tr.at <= t);
        match i {
            0 => self.first_offset,
            _ => self.transitions[i - 1].after,
        }
    }

    /// The offset over `[from, to]` when no transition falls inside.
    pub fn fixed_offset_within(&self, from: Nanos, to: Nanos) -> Option<Nanos> {
        let i = self.transitions.partition_point(|tr| tr.at < from);
        match self.transitions.get(i) {
            Some(tr) if tr.at <= to => None,
            _ => Some(self.offset_at(from)),
        }
    }

    /// The instant of local wall-clock time `local` under the DST rules: a time in a
    /// spring-forward gap maps to the transition instant; a time in a fall-back overlap maps to
    /// the earlier instant when it opens an interval and the later one when it closes one.
    pub fn to_utc(&self, local: Nanos, boundary: Boundary) -> Nanos {
        let i = self
            .transitions
            .partition_point(|tr| tr.at + tr.before.max(tr.after) <= local);
        let Some(tr) = self.transitions.get(i) else {
            let last = self
                .transitions
                .last()
                .map_or(self.first_offset, |tr| tr.after);
            return local - last;
        };
        if local < tr.at + tr.before.min(tr.after) {
            local - tr.before
        } else if tr.after > tr.before {
            tr.at
        } else {
            match boundary {
                Boundary::Open => local - tr.before,
                Boundary::Close => local - tr.after,
            }
        }
    }

    /// Whether local date `day` (days since 1970-01-01) has at least one existing wall-clock time.
    pub fn date_exists(&self, day: i64) -> bool {
        self.to_utc(day * DAY, Boundary::Open) != self.to_utc((day + 1) * DAY, Boundary::Open)
    }
}

/// The cache, even if a thread panicked while holding it (the map stays consistent:
/// entries are inserted whole).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn offset_seconds(tz: Tz, t: i64) -> i64 {
    // Probe instants lie in the supported range, which chrono represents.
    DateTime::from_timestamp(t, 0).map_or(0, |utc| {
        i64::from(
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> Nanos {
        let naive = NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap();
        naive.and_utc().timestamp() * SECOND
    }

    fn utc(s: &str) -> Nanos {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp() * SECOND
    }

    #[test]
    fn paris_has_two_transitions_a_year() {
        let table = ZoneTable::for_zone(chrono_tz::Europe::Paris);
        let in_2026: Vec<_> = table
            .transitions()
            .iter()
            .filter(|tr| {
                (utc("2026-01-01T00:00:00Z")..utc("2027-01-01T00:00:00Z")).contains(&tr.at)
            })
            .collect();
        assert_eq!(in_2026.len(), 2);
        assert_eq!(in_2026[0].at, utc("2026-03-29T01:00:00Z"));
        assert_eq!(in_2026[1].at, utc("2026-10-25T01:00:00Z"));
    }

    #[test]
    fn gap_maps_to_the_transition_and_overlap_by_boundary() {
        let table = ZoneTable::for_zone(chrono_tz::Europe::Paris);
        let in_gap = local(2026, 3, 29, 2, 30);
        assert_eq!(
            table.to_utc(in_gap, Boundary::Open),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            table.to_utc(in_gap, Boundary::Close),
            utc("2026-03-29T01:00:00Z")
        );
        let in_overlap = local(2026, 10, 25, 2, 30);
        assert_eq!(
            table.to_utc(in_overlap, Boundary::Open),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            table.to_utc(in_overlap, Boundary::Close),
            utc("2026-10-25T01:30:00Z")
        );
    }

    #[test]
    fn apia_skipped_30_december_2011() {
        let table = ZoneTable::for_zone(chrono_tz::Pacific::Apia);
        let day = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
                / 86_400
        };
        assert!(table.date_exists(day(2011, 12, 29)));
        assert!(!table.date_exists(day(2011, 12, 30)));
        assert!(table.date_exists(day(2011, 12, 31)));
    }
}
