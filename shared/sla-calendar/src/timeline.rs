//! The compiled base calendar (weekly hours, holidays, overrides, DST) over the supported range.
//!
//! The range is cut into segments. *Windows* surround every DST transition and every holiday or
//! override (a few days either side) and hold their open time as explicit UTC spans. Between
//! windows the offset is constant and every date is regular, so the open time there is the weekly
//! pattern shifted by that offset, answered arithmetically. A prefix sum of open time at every
//! segment boundary makes all queries binary searches.

use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;

use crate::instant::{Nanos, DAY, MAX, MIN};
use crate::rules::{CalendarRules, DayIntervals, Season};
use crate::weekly::{
    merge_spans, open_before, span_containing, span_reaching, Span, WeeklyPattern,
};
use crate::zone::{Boundary, ZoneTable};

/// How far a window reaches either side of a DST transition: an interval (at most 48 hours of
/// local time) whose mapping the transition changes lies within 3 days of it, even across a
/// 24-hour jump such as Apia's.
const TRANSITION_MARGIN: Nanos = 4 * DAY;
/// How far a window reaches before and after a special date range: that date's intervals lie
/// within local `[date, date + 2 days)`, so in UTC within a day either side of that for any
/// offset in ±24 hours; the margins add a day of slack.
const DATE_MARGIN_BEFORE: Nanos = 2 * DAY;
const DATE_MARGIN_AFTER: Nanos = 2 * DAY;

/// A stretch of regular weeks under one UTC offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    /// Index into the timeline's weekly patterns.
    pattern: usize,
    offset: Nanos,
    /// Weekly cumulative open time at the region's start.
    base: i128,
}

/// A stretch with explicit open spans.
#[derive(Debug, Clone, Copy)]
struct Window {
    spans_from: usize,
    spans_to: usize,
}

/// The compiled base calendar.
#[derive(Debug)]
pub(crate) struct Timeline {
    tz: Tz,
    /// The weekly patterns regions use: one for a zoned calendar, one per combination of
    /// member offsets for a union (in UTC).
    patterns: Vec<WeeklyPattern>,
    /// Segment boundaries: segment `j` is `[bounds[j], bounds[j + 1])`; even `j` are regions
    /// (`regions[j / 2]`), odd `j` windows (`windows[j / 2]`).
    bounds: Vec<Nanos>,
    /// Open time from `MIN` to each boundary.
    cum: Vec<i128>,
    regions: Vec<Region>,
    windows: Vec<Window>,
    spans: Vec<Span>,
}

/// Which kind of date a local date is.
struct DateRules<'a> {
    weekly: &'a [DayIntervals; 7],
    seasons: &'a [Season],
    holidays: &'a [(i64, i64)],
    overrides: &'a BTreeMap<i64, DayIntervals>,
}

impl DateRules<'_> {
    /// The intervals starting on local date `day`: none on a holiday, an override's, a season's
    /// weekday, or the regular weekday's.
    fn intervals(&self, day: i64) -> &[(Nanos, Nanos)] {
        let i = self.holidays.partition_point(|&(lo, _)| lo <= day);
        if i > 0 && day <= self.holidays[i - 1].1 {
            return &[];
        }
        if let Some(intervals) = self.overrides.get(&day) {
            return intervals;
        }
        let weekday = (day + 3).rem_euclid(7) as usize;
        let s = self.seasons.partition_point(|season| season.from <= day);
        match s.checked_sub(1).map(|s| &self.seasons[s]) {
            Some(season) if day <= season.to => &season.weekly[weekday],
            _ => &self.weekly[weekday],
        }
    }
}

impl Timeline {
    /// Compiles validated rules over the supported range.
    pub fn compile(rules: &CalendarRules) -> Timeline {
        let zone = ZoneTable::for_zone(rules.tz);
        let weekly = WeeklyPattern::new(&rules.weekly);
        let dates = DateRules {
            weekly: &rules.weekly,
            seasons: &rules.seasons,
            holidays: &rules.holidays,
            overrides: &rules.overrides,
        };
        let window_ranges = window_ranges(rules, &zone);
        let mut timeline = Timeline {
            tz: rules.tz,
            patterns: vec![weekly],
            bounds: vec![MIN],
            cum: vec![0],
            regions: Vec::with_capacity(window_ranges.len() + 1),
            windows: Vec::with_capacity(window_ranges.len()),
            spans: Vec::new(),
        };
        let mut scratch = Vec::new();
        for (ws, we) in window_ranges {
            timeline.push_region(ws, &zone);
            timeline.push_window((ws, we), &zone, &dates, &mut scratch);
        }
        timeline.push_region(MAX, &zone);
        timeline
    }

    /// A timeline open whenever one of `members` is. `windows` (sorted, disjoint, not touching)
    /// must cover every member's windows and exclusions, so that between them each member is
    /// inside one of its regions; `open_spans(ws, we, out)` lists the members' open spans there.
    pub fn union(
        members: &[&Timeline],
        windows: &[(Nanos, Nanos)],
        mut open_spans: impl FnMut(Nanos, Nanos, &mut Vec<(Nanos, Nanos)>),
    ) -> Timeline {
        let mut timeline = Timeline {
            tz: Tz::UTC,
            patterns: Vec::new(),
            bounds: vec![MIN],
            cum: vec![0],
            regions: Vec::with_capacity(windows.len() + 1),
            windows: Vec::with_capacity(windows.len()),
            spans: Vec::new(),
        };
        let mut patterns: HashMap<Vec<(usize, Nanos)>, usize> = HashMap::new();
        let mut raw = Vec::new();
        for &(ws, we) in windows.iter().chain([(MAX, MAX)].iter()) {
            let start = timeline.end();
            if start < ws {
                let key: Vec<(usize, Nanos)> =
                    members.iter().map(|m| m.region_key(start)).collect();
                let pattern = match patterns.get(&key) {
                    Some(&index) => index,
                    None => {
                        timeline.patterns.push(union_pattern(members, &key));
                        patterns.insert(key, timeline.patterns.len() - 1);
                        timeline.patterns.len() - 1
                    }
                };
                timeline.push_region_with(ws, pattern, 0);
            } else {
                timeline.regions.push(Region {
                    pattern: 0,
                    offset: 0,
                    base: 0,
                });
                timeline.close_segment(ws, 0);
            }
            if ws == MAX {
                break;
            }
            raw.clear();
            open_spans(ws, we, &mut raw);
            timeline.push_spans(we, &mut raw);
        }
        if timeline.patterns.is_empty() {
            timeline.patterns.push(WeeklyPattern::from_week_spans([]));
        }
        timeline
    }

    /// The UTC ranges held as explicit spans (around transitions and special dates).
    pub fn window_ranges(&self) -> impl Iterator<Item = (Nanos, Nanos)> + '_ {
        (0..self.windows.len()).map(|k| (self.bounds[2 * k + 1], self.bounds[2 * k + 2]))
    }

    /// The weekly pattern index and offset of the region containing `t`; `t` must lie in a region.
    fn region_key(&self, t: Nanos) -> (usize, Nanos) {
        match self.segment(self.segment_of(t)) {
            Segment::Region(region) => (region.pattern, region.offset),
            Segment::Window(_) => unreachable!("union windows cover every member window"),
        }
    }

    fn push_region(&mut self, end: Nanos, zone: &ZoneTable) {
        let start = self.end();
        self.push_region_with(end, 0, zone.offset_at(start));
    }

    /// Closes a region up to `end` under weekly pattern `pattern` shifted by `offset`.
    fn push_region_with(&mut self, end: Nanos, pattern: usize, offset: Nanos) {
        let start = self.end();
        let weekly = &self.patterns[pattern];
        let base = weekly.cum(start + offset);
        let open = weekly.cum(end + offset) - base;
        self.regions.push(Region {
            pattern,
            offset,
            base,
        });
        self.close_segment(end, open);
    }

    /// Closes a window up to `end` holding the (merged) open spans `raw`.
    fn push_spans(&mut self, end: Nanos, raw: &mut Vec<(Nanos, Nanos)>) {
        let spans_from = self.spans.len();
        self.spans.extend(merge_spans(raw));
        let open = self.spans[spans_from..]
            .last()
            .map_or(0, |s| s.cum + s.end - s.start);
        self.windows.push(Window {
            spans_from,
            spans_to: self.spans.len(),
        });
        self.close_segment(end, i128::from(open));
    }

    fn end(&self) -> Nanos {
        self.bounds.last().copied().unwrap_or(MIN)
    }

    /// Materializes the open spans of window `[ws, we)`; `raw` is a reused buffer.
    fn push_window(
        &mut self,
        (ws, we): (Nanos, Nanos),
        zone: &ZoneTable,
        dates: &DateRules,
        raw: &mut Vec<(Nanos, Nanos)>,
    ) {
        raw.clear();
        // Without a transition nearby the offset is fixed and mapping is a subtraction.
        let fixed = zone.fixed_offset_within(ws - TRANSITION_MARGIN, we + TRANSITION_MARGIN);
        let (first_day, last_day) = match fixed {
            Some(offset) => (
                (ws + offset).div_euclid(DAY) - 2,
                (we + offset).div_euclid(DAY),
            ),
            None => (ws.div_euclid(DAY) - 3, we.div_euclid(DAY) + 2),
        };
        for day in first_day..=last_day {
            if fixed.is_none() && !zone.date_exists(day) {
                continue;
            }
            for &(s, e) in dates.intervals(day) {
                let (s, e) = (day * DAY + s, day * DAY + e);
                let (start, end) = match fixed {
                    Some(offset) => (s - offset, e - offset),
                    None => (
                        zone.to_utc(s, Boundary::Open),
                        zone.to_utc(e, Boundary::Close),
                    ),
                };
                raw.push((start.max(ws), end.min(we)));
            }
        }
        self.push_spans(we, raw);
    }

    fn close_segment(&mut self, end: Nanos, open: i128) {
        let before = self.cum.last().copied().unwrap_or(0);
        self.bounds.push(end);
        self.cum.push(before + open);
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Open time in a regular week (for a union, the largest over its members' offsets).
    pub fn weekly_total(&self) -> Nanos {
        self.patterns
            .iter()
            .map(WeeklyPattern::total)
            .max()
            .unwrap_or(0)
    }

    /// Open time from `MIN` to `t` (`t` within the range).
    pub fn cum(&self, t: Nanos) -> i128 {
        let j = self.segment_of(t);
        self.cum[j] + self.open_in_segment(j, t)
    }

    /// Open time in the whole range.
    pub fn total(&self) -> i128 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// Smallest instant whose cumulative open time reaches `target`; `None` past the range.
    pub fn first_at(&self, target: i128) -> Option<Nanos> {
        if target <= 0 {
            return Some(MIN);
        }
        if target > self.total() {
            return None;
        }
        let j = self.cum.partition_point(|&c| c < target) - 1;
        let r = target - self.cum[j];
        Some(match self.segment(j) {
            Segment::Region(region) => {
                self.patterns[region.pattern].first_at(region.base + r) - region.offset
            }
            Segment::Window(spans) => {
                let r = r as Nanos;
                let span = spans[span_reaching(spans, r, false)];
                span.start + (r - span.cum)
            }
        })
    }

    /// Largest instant whose cumulative open time is still `target`; `None` before the range.
    pub fn last_at(&self, target: i128) -> Option<Nanos> {
        if target < 0 {
            return None;
        }
        if target >= self.total() {
            return Some(MAX);
        }
        let j = self.cum.partition_point(|&c| c <= target) - 1;
        let r = target - self.cum[j];
        Some(match self.segment(j) {
            Segment::Region(region) => {
                self.patterns[region.pattern].last_at(region.base + r) - region.offset
            }
            Segment::Window(spans) => {
                let r = r as Nanos;
                let span = spans[span_reaching(spans, r, true)];
                span.start + (r - span.cum)
            }
        })
    }

    pub fn is_open(&self, t: Nanos) -> bool {
        if !(MIN..MAX).contains(&t) {
            return false;
        }
        match self.segment(self.segment_of(t)) {
            Segment::Region(region) => self.patterns[region.pattern].is_open(t + region.offset),
            Segment::Window(spans) => span_containing(spans, t).is_some(),
        }
    }

    /// End of the open run containing open instant `t`; `None` when it lasts to the range's end.
    pub fn run_end(&self, t: Nanos) -> Option<Nanos> {
        let mut j = self.segment_of(t);
        let mut t = t;
        loop {
            let seg_end = self.bounds[j + 1];
            let end = match self.segment(j) {
                Segment::Region(region) => self.patterns[region.pattern]
                    .run_end(t + region.offset)
                    .map_or(seg_end, |local| (local - region.offset).min(seg_end)),
                Segment::Window(spans) => span_containing(spans, t).map_or(t, |s| s.end),
            };
            if end < seg_end || seg_end == MAX {
                return (end < MAX).then_some(end);
            }
            j += 1;
            t = seg_end;
            if !self.is_open(t) {
                return Some(seg_end);
            }
        }
    }

    fn segment_of(&self, t: Nanos) -> usize {
        let t = t.clamp(MIN, MAX - 1);
        self.bounds.partition_point(|&b| b <= t) - 1
    }

    fn segment(&self, j: usize) -> Segment<'_> {
        if j & 1 == 0 {
            Segment::Region(self.regions[j / 2])
        } else {
            let w = self.windows[j / 2];
            Segment::Window(&self.spans[w.spans_from..w.spans_to])
        }
    }

    fn open_in_segment(&self, j: usize, t: Nanos) -> i128 {
        let t = t.clamp(MIN, MAX);
        match self.segment(j) {
            Segment::Region(region) => {
                self.patterns[region.pattern].cum(t + region.offset) - region.base
            }
            Segment::Window(spans) => i128::from(open_before(spans, t)),
        }
    }
}

/// The UTC week open when any member is open, each member at its pattern and offset in `key`.
fn union_pattern(members: &[&Timeline], key: &[(usize, Nanos)]) -> WeeklyPattern {
    let spans = members
        .iter()
        .zip(key)
        .flat_map(|(member, &(pattern, offset))| member.patterns[pattern].shifted_spans(-offset));
    WeeklyPattern::from_week_spans(spans.collect::<Vec<_>>())
}

enum Segment<'a> {
    Region(Region),
    Window(&'a [Span]),
}

/// The UTC ranges needing explicit spans: around each transition and each special date range,
/// clipped to the supported range, sorted and merged.
fn window_ranges(rules: &CalendarRules, zone: &ZoneTable) -> Vec<(Nanos, Nanos)> {
    let mut ranges: Vec<(Nanos, Nanos)> = zone
        .transitions()
        .iter()
        .map(|tr| (tr.at - TRANSITION_MARGIN, tr.at + TRANSITION_MARGIN))
        .collect();
    let special_dates = rules
        .holidays
        .iter()
        .copied()
        .chain(rules.overrides.keys().map(|&d| (d, d)))
        .chain(rules.seasons.iter().map(|season| (season.from, season.to)));
    ranges.extend(special_dates.map(|(lo, hi)| {
        (
            lo * DAY - DATE_MARGIN_BEFORE,
            (hi + 2) * DAY + DATE_MARGIN_AFTER,
        )
    }));
    merge_ranges(ranges)
}

/// Clips ranges to the supported range, drops empty ones, sorts and merges touching ones.
pub(crate) fn merge_ranges(mut ranges: Vec<(Nanos, Nanos)>) -> Vec<(Nanos, Nanos)> {
    ranges.sort_unstable();
    let mut merged: Vec<(Nanos, Nanos)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        let (lo, hi) = (lo.max(MIN), hi.min(MAX));
        if lo >= hi {
            continue;
        }
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}
