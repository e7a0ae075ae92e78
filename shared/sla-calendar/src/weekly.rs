//! The regular week as merged open spans in local wall-clock time, with the arithmetic that
//! skips whole weeks: cumulative open time at any local time and its inverses.

use crate::instant::{Nanos, DAY, WEEK};

/// Monday 1970-01-05T00:00 local: weeks are counted from here.
const MONDAY0: Nanos = 4 * DAY;

/// An open span with the open time accumulated before it (in its week or window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: Nanos,
    pub end: Nanos,
    /// Open time before `start` within the containing list.
    pub cum: Nanos,
}

/// Sorts, merges touching or overlapping spans, and fills `cum`.
pub(crate) fn merge_spans(raw: &mut Vec<(Nanos, Nanos)>) -> Vec<Span> {
    raw.retain(|(s, e)| e > s);
    raw.sort_unstable();
    let mut spans: Vec<Span> = Vec::with_capacity(raw.len());
    for &(start, end) in raw.iter() {
        match spans.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => spans.push(Span { start, end, cum: 0 }),
        }
    }
    let mut cum = 0;
    for span in &mut spans {
        span.cum = cum;
        cum += span.end - span.start;
    }
    spans
}

/// Index of the first span whose accumulated open time at its end is `>= r` (`strict`: `> r`).
pub(crate) fn span_reaching(spans: &[Span], r: Nanos, strict: bool) -> usize {
    spans.partition_point(|s| {
        let reached = s.cum + (s.end - s.start);
        if strict {
            reached <= r
        } else {
            reached < r
        }
    })
}

/// Open time in `spans` before `x`.
pub(crate) fn open_before(spans: &[Span], x: Nanos) -> Nanos {
    let j = spans.partition_point(|s| s.start <= x);
    match j {
        0 => 0,
        _ => {
            let s = spans[j - 1];
            s.cum + x.min(s.end) - s.start
        }
    }
}

/// The span containing `x` (`start <= x < end`), if any.
pub(crate) fn span_containing(spans: &[Span], x: Nanos) -> Option<Span> {
    let j = spans.partition_point(|s| s.start <= x);
    (j > 0 && x < spans[j - 1].end).then(|| spans[j - 1])
}

/// The regular week: open spans within `[0, WEEK)` counted from Monday 00:00 local.
#[derive(Debug, Clone)]
pub(crate) struct WeeklyPattern {
    spans: Vec<Span>,
    total: Nanos,
}

impl WeeklyPattern {
    /// Builds the week from each weekday's local intervals (offsets from that day's midnight,
    /// end possibly past midnight); Monday first. Spans past Sunday wrap to Monday.
    pub fn new(days: &[Vec<(Nanos, Nanos)>; 7]) -> WeeklyPattern {
        let week = days.iter().enumerate().flat_map(|(weekday, intervals)| {
            let base = weekday as Nanos * DAY;
            intervals.iter().map(move |&(s, e)| (base + s, base + e))
        });
        Self::from_week_spans(week)
    }

    /// Builds the week from spans starting in `[0, WEEK)` and shorter than a week; a span past
    /// the week's end wraps to its start.
    pub fn from_week_spans(week: impl IntoIterator<Item = (Nanos, Nanos)>) -> WeeklyPattern {
        let mut raw = Vec::new();
        for (s, e) in week {
            if e <= WEEK {
                raw.push((s, e));
            } else {
                raw.push((s, WEEK));
                raw.push((0, e - WEEK));
            }
        }
        let spans = merge_spans(&mut raw);
        let total = spans.last().map_or(0, |s| s.cum + s.end - s.start);
        WeeklyPattern { spans, total }
    }

    /// The open spans moved `shift` later within the week (wrapping), e.g. from local time
    /// to UTC with `shift = -offset`; feed them to [`WeeklyPattern::from_week_spans`].
    pub fn shifted_spans(&self, shift: Nanos) -> impl Iterator<Item = (Nanos, Nanos)> + '_ {
        self.spans.iter().map(move |span| {
            let start = (span.start + shift).rem_euclid(WEEK);
            (start, start + span.end - span.start)
        })
    }

    /// Open time in one regular week.
    pub fn total(&self) -> Nanos {
        self.total
    }

    /// Cumulative open time up to local time `local` (relative to Monday 1970-01-05).
    pub fn cum(&self, local: Nanos) -> i128 {
        let x = local - MONDAY0;
        let week = x.div_euclid(WEEK);
        i128::from(week) * i128::from(self.total)
            + i128::from(open_before(&self.spans, x.rem_euclid(WEEK)))
    }

    /// Smallest local time whose cumulative open time reaches `w`.
    pub fn first_at(&self, w: i128) -> Nanos {
        let total = i128::from(self.total);
        let week = (w - 1).div_euclid(total);
        let r = (w - week * total) as Nanos; // in (0, total]
        let span = self.spans[span_reaching(&self.spans, r, false)];
        Self::week_start(week) + span.start + (r - span.cum)
    }

    /// Largest local time whose cumulative open time is still `w`.
    pub fn last_at(&self, w: i128) -> Nanos {
        let total = i128::from(self.total);
        let week = w.div_euclid(total);
        let r = (w - week * total) as Nanos; // in [0, total)
        let span = self.spans[span_reaching(&self.spans, r, true)];
        Self::week_start(week) + span.start + (r - span.cum)
    }

    /// Whether local time `local` is inside an open span.
    pub fn is_open(&self, local: Nanos) -> bool {
        span_containing(&self.spans, (local - MONDAY0).rem_euclid(WEEK)).is_some()
    }

    /// End of the open run containing `local` (which must be open); `None` when the whole week is open.
    pub fn run_end(&self, local: Nanos) -> Option<Nanos> {
        let x = local - MONDAY0;
        let week_start = local - x.rem_euclid(WEEK);
        let span = span_containing(&self.spans, x.rem_euclid(WEEK))?;
        let first = self.spans[0];
        if span.end < WEEK || first.start > 0 {
            return Some(week_start + span.end);
        }
        if first.end == WEEK {
            return None;
        }
        Some(week_start + WEEK + first.end)
    }

    fn week_start(week: i128) -> Nanos {
        MONDAY0 + (week as Nanos) * WEEK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const HOUR: Nanos = 3_600 * crate::instant::SECOND;

    fn office() -> WeeklyPattern {
        let day = vec![(9 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR)];
        WeeklyPattern::new(&[
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![],
            vec![],
        ])
    }

    #[test]
    fn cumulative_time_skips_whole_weeks() {
        let week = office();
        assert_eq!(week.total(), 35 * HOUR);
        let monday_10 = MONDAY0 + 10 * HOUR;
        assert_eq!(
            week.cum(monday_10 + 52 * WEEK) - week.cum(monday_10),
            52 * 35 * i128::from(HOUR)
        );
    }

    #[test]
    fn inverses_pick_closing_and_opening_instants() {
        let week = office();
        let at_noon = week.cum(MONDAY0 + 12 * HOUR);
        assert_eq!(week.first_at(at_noon), MONDAY0 + 12 * HOUR);
        assert_eq!(week.last_at(at_noon), MONDAY0 + 13 * HOUR);
        let friday_end = week.cum(MONDAY0 + 4 * DAY + 17 * HOUR);
        assert_eq!(week.last_at(friday_end), MONDAY0 + WEEK + 9 * HOUR);
    }

    #[test]
    fn overnight_sunday_shift_wraps_into_monday() {
        let mut days: [Vec<(Nanos, Nanos)>; 7] = Default::default();
        days[6] = vec![(22 * HOUR, 30 * HOUR)];
        days[0] = vec![(6 * HOUR, 8 * HOUR)];
        let week = WeeklyPattern::new(&days);
        assert_eq!(week.total(), 10 * HOUR);
        assert_eq!(
            week.run_end(MONDAY0 + 6 * DAY + 23 * HOUR),
            Some(MONDAY0 + WEEK + 8 * HOUR)
        );
    }

    #[test]
    fn whole_week_open_never_closes() {
        let days: [Vec<(Nanos, Nanos)>; 7] = std::array::from_fn(|_| vec![(0, DAY)]);
        assert_eq!(WeeklyPattern::new(&days).run_end(MONDAY0 + 5), None);
    }
}
