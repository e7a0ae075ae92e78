//! Order statistics over business durations: nearest-rank percentiles (of a sorted slice
//! or of [`Counts`], a count per distinct value) and the Kaplan-Meier estimate for
//! right-censored durations (cycles still open).

use std::borrow::Cow;

/// Nearest-rank `percent` percentile of ascending `sorted` values: the smallest value
/// with at least `percent`% of the values at or below it. None when empty.
pub fn nearest_rank(sorted: &[i64], percent: f64) -> Option<i64> {
    let rank = rank_for(sorted.len(), percent)?;
    sorted.get(rank - 1).copied()
}

/// 1-based nearest rank of `percent` among `count` values, None when `count` is 0.
fn rank_for(count: usize, percent: f64) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let exact = percent.clamp(0.0, 100.0) * count as f64 / 100.0;
    // Tolerates float noise such as 9.000000000000002 for 90% of 10.
    let rank = (exact - 1e-9).ceil().max(1.0) as usize;
    Some(rank.min(count))
}

/// An exact multiset of whole durations kept as a count per distinct value: its memory
/// grows with the distinct values (16 bytes each), not with how many were added, and its
/// percentiles are those of the sorted values. Parts gathered apart merge into the same
/// result.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Distinct values ascending, each with how many times it was added.
    sorted: Vec<(i64, u64)>,
    /// Values added since they were last folded into `sorted`, in no order.
    pending: Vec<i64>,
    len: usize,
}

/// Values gathered unsorted before they are folded in (at least; else a quarter of the
/// distinct values).
const MIN_PENDING: usize = 1024;

impl Counts {
    /// Adds one value.
    pub fn add(&mut self, value: i64) {
        self.pending.push(value);
        self.len += 1;
        if self.pending.len() >= MIN_PENDING.max(self.sorted.len() / 4) {
            self.compact();
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, mut other: Counts) {
        other.compact();
        self.compact();
        self.len += other.len;
        self.merge_sorted(other.sorted);
    }

    /// Folds the pending values into the sorted counts (queries are cheapest after it).
    pub fn compact(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_unstable();
        let mut fresh: Vec<(i64, u64)> = Vec::new();
        for same in self.pending.chunk_by(|a, b| a == b) {
            fresh.push((same[0], same.len() as u64));
        }
        self.pending = Vec::new();
        self.merge_sorted(fresh);
    }

    /// Merges ascending distinct `(value, count)` pairs into `sorted`, in place from the
    /// back (no second copy of `sorted`).
    fn merge_sorted(&mut self, fresh: Vec<(i64, u64)>) {
        let sorted = &mut self.sorted;
        let new = {
            let (mut i, mut new) = (0, 0);
            for (value, _) in &fresh {
                while i < sorted.len() && sorted[i].0 < *value {
                    i += 1;
                }
                new += usize::from(sorted.get(i).is_none_or(|(v, _)| v != value));
            }
            new
        };
        let old = sorted.len();
        sorted.reserve_exact(new);
        sorted.resize(old + new, (0, 0));
        let (mut i, mut write) = (old, old + new);
        for (value, count) in fresh.into_iter().rev() {
            while i > 0 && sorted[i - 1].0 > value {
                write -= 1;
                sorted[write] = sorted[i - 1];
                i -= 1;
            }
            write -= 1;
            if i > 0 && sorted[i - 1].0 == value {
                sorted[write] = (value, sorted[i - 1].1 + count);
                i -= 1;
            } else {
                sorted[write] = (value, count);
            }
        }
    }

    /// How many values were added.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// (value, how many times), ascending. Call [`Counts::compact`] first where it
    /// matters: pending values are otherwise sorted into a copy.
    pub fn iter(&self) -> impl Iterator<Item = (i64, usize)> + '_ {
        let view: Cow<'_, [(i64, u64)]> = if self.pending.is_empty() {
            Cow::Borrowed(&self.sorted)
        } else {
            let mut copy = self.clone();
            copy.compact();
            Cow::Owned(copy.sorted)
        };
        (0..view.len()).map(move |i| (view[i].0, view[i].1 as usize))
    }

    /// How many values are at most `limit`.
    pub fn at_most(&self, limit: i64) -> usize {
        self.iter()
            .take_while(|(value, _)| *value <= limit)
            .map(|(_, count)| count)
            .sum()
    }

    /// [`nearest_rank`] of the values as if sorted.
    pub fn nearest_rank(&self, percent: f64) -> Option<i64> {
        let rank = rank_for(self.len, percent)?;
        let mut below = 0;
        self.iter().find_map(|(value, count)| {
            below += count;
            (below >= rank).then_some(value)
        })
    }
}

impl PartialEq for Counts {
    fn eq(&self, other: &Counts) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Counts {}

impl FromIterator<i64> for Counts {
    fn from_iter<I: IntoIterator<Item = i64>>(values: I) -> Counts {
        let mut counts = Counts::default();
        values.into_iter().for_each(|v| counts.add(v));
        counts
    }
}

/// The mean of values whose sum is `sum`, None when `count` is 0.
pub fn mean_of(sum: i128, count: usize) -> Option<f64> {
    (count > 0).then(|| sum as f64 / count as f64)
}

/// `seconds` rounded up to a whole minute.
pub fn round_up_to_minute(seconds: i64) -> i64 {
    seconds.div_euclid(60) * 60 + if seconds.rem_euclid(60) > 0 { 60 } else { 0 }
}

/// `part / whole` in percent with one decimal, None when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> Option<f64> {
    percent_f(part as i64, whole as i64)
}

/// [`percent`] of signed amounts (seconds), None when `whole` is not positive.
pub fn percent_f(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// One duration: completed (`done`) or still running when last seen (censored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// Business seconds used (final, or so far when censored).
    pub seconds: i64,
    /// True when the cycle completed; false when it was still open (right-censored).
    pub done: bool,
}

/// The Kaplan-Meier estimate of the distribution of completion times: the steps of the
/// survival curve, `(t, S(t))` at each distinct completion time, S = share still open.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    steps: Vec<(i64, f64)>,
}

impl KaplanMeier {
    /// Fits the curve. At a tie, completions come before censorings (a cycle censored at
    /// `t` was still at risk at `t`).
    pub fn fit(observations: &[Observation]) -> KaplanMeier {
        let (mut done, mut open) = (Counts::default(), Counts::default());
        for o in observations {
            if o.done { &mut done } else { &mut open }.add(o.seconds);
        }
        KaplanMeier::fit_counts(&done, &open)
    }

    /// [`KaplanMeier::fit`] of completed durations `done` and censored ones `open`.
    pub fn fit_counts(done: &Counts, open: &Counts) -> KaplanMeier {
        let mut at_risk = done.len() + open.len();
        let mut survival = 1.0;
        let mut steps = Vec::new();
        let mut open = open.iter().peekable();
        for (seconds, completed) in done.iter() {
            // Censored earlier: no longer at risk; censored at `seconds`: still at risk.
            while let Some((_, censored)) = open.next_if(|(t, _)| *t < seconds) {
                at_risk -= censored;
            }
            survival *= 1.0 - completed as f64 / at_risk as f64;
            steps.push((seconds, survival));
            at_risk -= completed;
            if let Some((_, censored)) = open.next_if(|(t, _)| *t == seconds) {
                at_risk -= censored;
            }
        }
        KaplanMeier { steps }
    }

    /// Estimated share (percent) of cycles completed within `seconds`.
    pub fn completed_within(&self, seconds: i64) -> f64 {
        let survival = self
            .steps
            .iter()
            .take_while(|(t, _)| *t <= seconds)
            .last()
            .map_or(1.0, |(_, s)| *s);
        (1.0 - survival) * 100.0
    }

    /// The smallest completion time within which at least `percent`% of cycles are
    /// estimated to complete; None when the curve never gets there (too much censoring).
    pub fn quantile(&self, percent: f64) -> Option<i64> {
        let wanted = 1.0 - percent / 100.0;
        self.steps
            .iter()
            .find(|(_, survival)| *survival <= wanted + 1e-12)
            .map(|(t, _)| *t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(seconds: i64) -> Observation {
        Observation {
            seconds,
            done: true,
        }
    }

    fn open(seconds: i64) -> Observation {
        Observation {
            seconds,
            done: false,
        }
    }

    #[test]
    fn nearest_rank_picks_the_smallest_value_covering_the_share() {
        let values: Vec<i64> = (1..=10).map(|v| v * 10).collect();
        assert_eq!(nearest_rank(&values, 50.0), Some(50));
        assert_eq!(nearest_rank(&values, 90.0), Some(90));
        assert_eq!(nearest_rank(&values, 95.0), Some(100));
        assert_eq!(nearest_rank(&values, 91.0), Some(100));
        assert_eq!(nearest_rank(&values, 0.0), Some(10));
        assert_eq!(nearest_rank(&[7], 95.0), Some(7));
        assert_eq!(nearest_rank(&[], 50.0), None);
        // 3 values: the median is the 2nd (ceil 1.5), p90 the 3rd (ceil 2.7).
        assert_eq!(nearest_rank(&[1, 2, 3], 50.0), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3], 90.0), Some(3));
    }

    /// A deterministic pseudo-random sequence (xorshift64*), for property-style tests.
    fn random(seed: u64) -> impl FnMut(i64) -> i64 {
        let mut state = seed | 1;
        move |below| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as i64 % below
        }
    }

    /// Random durations: many repeats of few values, or mostly distinct ones, negatives too.
    fn durations(seed: u64) -> Vec<i64> {
        let mut next = random(seed);
        // Every third is long enough to fold pending values in several times.
        let len = next(if seed.is_multiple_of(3) { 6000 } else { 400 }) as usize;
        let spread = [1, 7, 60, 100_000][next(4) as usize];
        (0..len).map(|_| next(spread) - spread / 10).collect()
    }

    const PERCENTS: [f64; 9] = [0.0, 1.0, 25.0, 50.0, 66.7, 90.0, 95.0, 99.0, 100.0];

    #[test]
    fn counts_give_the_sorted_values_percentiles_exactly() {
        for seed in 0..300 {
            let values = durations(seed);
            let counts: Counts = values.iter().copied().collect();
            let mut sorted = values.clone();
            sorted.sort_unstable();
            assert_eq!(counts.len(), sorted.len());
            assert_eq!(counts.is_empty(), sorted.is_empty());
            for percent in PERCENTS {
                assert_eq!(
                    counts.nearest_rank(percent),
                    nearest_rank(&sorted, percent),
                    "seed {seed}, {percent}%"
                );
            }
            for limit in [-1, 0, 5, 59, 1000] {
                let expected = sorted.iter().filter(|v| **v <= limit).count();
                assert_eq!(counts.at_most(limit), expected);
            }
            let expanded: Vec<i64> = counts
                .iter()
                .flat_map(|(value, count)| std::iter::repeat_n(value, count))
                .collect();
            assert_eq!(expanded, sorted);
        }
    }

    #[test]
    fn merged_counts_are_the_counts_of_both() {
        for seed in 0..200 {
            let (a, b) = (durations(seed), durations(seed + 1000));
            let mut merged: Counts = a.iter().copied().collect();
            merged.merge(b.iter().copied().collect());
            let both: Counts = a.iter().chain(&b).copied().collect();
            assert_eq!(merged, both);
            let mut sorted: Vec<i64> = a.iter().chain(&b).copied().collect();
            sorted.sort_unstable();
            for percent in PERCENTS {
                assert_eq!(merged.nearest_rank(percent), nearest_rank(&sorted, percent));
            }
        }
        let mut empty = Counts::default();
        empty.merge(Counts::default());
        assert_eq!((empty.len(), empty.nearest_rank(50.0)), (0, None));
    }

    /// The curve the textbook way: sort, then one step per distinct completion time.
    fn kaplan_meier_by_sorting(observations: &[Observation]) -> Vec<(i64, f64)> {
        let mut sorted = observations.to_vec();
        sorted.sort_unstable_by_key(|o| o.seconds);
        let mut at_risk = sorted.len();
        let mut survival = 1.0;
        let mut steps = Vec::new();
        for same in sorted.chunk_by(|a, b| a.seconds == b.seconds) {
            let done = same.iter().filter(|o| o.done).count();
            if done > 0 {
                survival *= 1.0 - done as f64 / at_risk as f64;
                steps.push((same[0].seconds, survival));
            }
            at_risk -= same.len();
        }
        steps
    }

    #[test]
    fn kaplan_meier_from_counts_is_the_curve_of_the_sorted_observations() {
        for seed in 0..200 {
            let mut coin = random(seed + 7);
            let observations: Vec<Observation> = durations(seed)
                .into_iter()
                .map(|seconds| Observation {
                    seconds,
                    done: coin(3) > 0,
                })
                .collect();
            let km = KaplanMeier::fit(&observations);
            assert_eq!(
                km.steps,
                kaplan_meier_by_sorting(&observations),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn means_rounding_and_percentages() {
        assert_eq!(mean_of(480, 3), Some(160.0));
        assert_eq!(mean_of(0, 0), None);
        assert_eq!(round_up_to_minute(0), 0);
        assert_eq!(round_up_to_minute(60), 60);
        assert_eq!(round_up_to_minute(61), 120);
        assert_eq!(round_up_to_minute(3599), 3600);
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn kaplan_meier_without_censoring_is_the_empirical_distribution() {
        let km = KaplanMeier::fit(&[done(10), done(20), done(30), done(40)]);
        assert_eq!(km.completed_within(9), 0.0);
        assert_eq!(km.completed_within(20), 50.0);
        assert_eq!(km.completed_within(40), 100.0);
        assert_eq!(km.quantile(50.0), Some(20));
        assert_eq!(km.quantile(75.0), Some(30));
        assert_eq!(km.quantile(90.0), Some(40));
    }

    #[test]
    fn kaplan_meier_by_hand_with_censored_open_cycles() {
        // Completions at 10, 30, 50; open cycles censored at 20 and 40 (and one at 30,
        // still at risk at 30).
        // t=10: 6 at risk, 1 done -> S = 5/6
        // t=20: censored -> 4 at risk
        // t=30: 4 at risk, 1 done -> S = 5/6 * 3/4 = 0.625; then 1 censored -> 2 at risk
        // t=40: censored -> 1 at risk
        // t=50: 1 at risk, 1 done -> S = 0
        let km = KaplanMeier::fit(&[done(30), open(20), done(10), open(40), open(30), done(50)]);
        assert!((km.completed_within(10) - 100.0 / 6.0).abs() < 1e-9);
        assert!((km.completed_within(35) - 37.5).abs() < 1e-9);
        assert_eq!(km.completed_within(50), 100.0);
        assert_eq!(km.quantile(10.0), Some(10));
        assert_eq!(km.quantile(37.5), Some(30));
        assert_eq!(km.quantile(40.0), Some(50));
        // The plain percentile of completed cycles ignores the backlog: p50 = 30.
        assert_eq!(nearest_rank(&[10, 30, 50], 50.0), Some(30));
    }

    #[test]
    fn kaplan_meier_gives_no_quantile_when_censoring_hides_it() {
        let km = KaplanMeier::fit(&[done(10), open(20), open(30)]);
        assert!((km.completed_within(100) - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(km.quantile(90.0), None);
        assert_eq!(KaplanMeier::fit(&[]).quantile(50.0), None);
    }
}
