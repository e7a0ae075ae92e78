//! Absolute closed spans laid over the base timeline (a paused SLA clock, a maintenance window).
//!
//! Open time with exclusions is the base open time minus the base open time inside excluded
//! spans. Prefix sums over the merged spans keep every query a binary search.

use crate::instant::{Nanos, MAX, MIN};
use crate::timeline::Timeline;

/// Merged exclusions with the base open time they remove.
#[derive(Debug, Default)]
pub(crate) struct Exclusions {
    /// Sorted, disjoint, non-touching `[start, end)` spans inside the range.
    spans: Vec<(Nanos, Nanos)>,
    /// `removed[i]`: base open time inside `spans[..i]` (length `spans.len() + 1`).
    removed: Vec<i128>,
    /// `gap_start[g]` / `gap_end[g]`: cumulative open time (with exclusions) at the ends of the
    /// open gap `g` before `spans[g]` (gap `spans.len()` runs to `MAX`).
    gap_start: Vec<i128>,
    gap_end: Vec<i128>,
}

impl Exclusions {
    pub fn new(base: &Timeline, raw: impl IntoIterator<Item = (Nanos, Nanos)>) -> Exclusions {
        let mut raw: Vec<(Nanos, Nanos)> = raw
            .into_iter()
            .map(|(s, e)| (s.clamp(MIN, MAX), e.clamp(MIN, MAX)))
            .filter(|(s, e)| e > s)
            .collect();
        raw.sort_unstable();
        let mut spans: Vec<(Nanos, Nanos)> = Vec::with_capacity(raw.len());
        for (s, e) in raw {
            match spans.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => spans.push((s, e)),
            }
        }
        let mut removed = vec![0i128];
        let (mut gap_start, mut gap_end) = (Vec::new(), Vec::new());
        let mut previous_end = MIN;
        for &(s, e) in &spans {
            let before = removed.last().copied().unwrap_or(0);
            gap_start.push(base.cum(previous_end) - before);
            gap_end.push(base.cum(s) - before);
            removed.push(before + base.cum(e) - base.cum(s));
            previous_end = e;
        }
        let before = removed.last().copied().unwrap_or(0);
        gap_start.push(base.cum(previous_end) - before);
        gap_end.push(base.total() - before);
        Exclusions {
            spans,
            removed,
            gap_start,
            gap_end,
        }
    }

    /// The merged spans.
    pub fn spans(&self) -> &[(Nanos, Nanos)] {
        &self.spans
    }

    /// Whether `t` is inside an excluded span.
    pub fn contains(&self, t: Nanos) -> bool {
        let i = self.spans.partition_point(|&(s, _)| s <= t);
        i > 0 && t < self.spans[i - 1].1
    }

    /// Start of the first excluded span starting after `t`.
    pub fn next_start_after(&self, t: Nanos) -> Option<Nanos> {
        let i = self.spans.partition_point(|&(s, _)| s <= t);
        self.spans.get(i).map(|&(s, _)| s)
    }

    /// Open time (with exclusions) from `MIN` to `t`.
    pub fn cum(&self, base: &Timeline, t: Nanos) -> i128 {
        let i = self.spans.partition_point(|&(s, _)| s < t);
        if i > 0 && t < self.spans[i - 1].1 {
            return self.gap_end[i - 1];
        }
        base.cum(t) - self.removed[i]
    }

    /// Smallest instant whose cumulative open time reaches `target`.
    pub fn first_at(&self, base: &Timeline, target: i128) -> Option<Nanos> {
        if target <= 0 {
            return Some(MIN);
        }
        let g = self.gap_end.partition_point(|&c| c < target);
        (g < self.gap_end.len()).then_some(())?;
        base.first_at(target + self.removed[g])
    }

    /// Largest instant whose cumulative open time is still `target`.
    pub fn last_at(&self, base: &Timeline, target: i128) -> Option<Nanos> {
        let g = self
            .gap_start
            .partition_point(|&c| c <= target)
            .checked_sub(1)?;
        base.last_at(target + self.removed[g])
    }
}
