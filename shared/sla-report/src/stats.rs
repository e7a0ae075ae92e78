//! Order statistics over business durations: nearest-rank percentiles (of a sorted slice
//! or of [`Counts`], a count per distinct value) and the Kaplan-Meier estimate for
//! right-censored durations (cycles still open).

use std::borrow::Cow;
use std::cmp::Ordering;

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
/// grows with the distinct values (2–3 bytes each for typical durations, see
/// [`Counts::heap_bytes`]), not with how many were added, and its percentiles are those of
/// the sorted values. Parts gathered apart merge into the same result.
#[derive(Clone, Default)]
pub struct Counts {
    /// The distinct values ascending, each with how many times it was added, as varints
    /// (see [`Encoder`]).
    stream: Vec<u8>,
    /// How many (value, count) pairs `stream` holds.
    distinct: usize,
    /// Values added since they were last folded into `stream`, in no order.
    pending: Vec<i64>,
    len: usize,
}

/// Values gathered unsorted before they are folded in: at least this many, else one per
/// [`PENDING_PER_BYTE`] bytes of the stream.
const MIN_PENDING: usize = 1024;
/// Pending values then take about as much memory as the stream, and each fold re-encodes
/// about this many bytes of stream per value added.
const PENDING_PER_BYTE: usize = 8;

impl Counts {
    /// Adds one value.
    pub fn add(&mut self, value: i64) {
        let fold_at = MIN_PENDING.max(self.stream.len() / PENDING_PER_BYTE);
        if self.pending.capacity() == 0 && fold_at > MIN_PENDING {
            // Exactly what is gathered before the next fold: no regrowth, no slack.
            self.pending.reserve_exact(fold_at);
        }
        self.pending.push(value);
        self.len += 1;
        if self.pending.len() >= fold_at {
            self.compact();
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, mut other: Counts) {
        other.compact();
        self.compact();
        let mut out = Encoder::with_capacity(self.stream.len() + other.stream.len());
        out.merge(self.pairs(), other.pairs());
        self.len += other.len;
        self.set_stream(out);
    }

    /// Folds the pending values into the stream (queries are cheapest after it).
    pub fn compact(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        let out = self.folded(&mut pending);
        self.set_stream(out);
    }

    /// The stream with `pending` (sorted here) folded in: one pass over both.
    fn folded(&self, pending: &mut [i64]) -> Encoder {
        pending.sort_unstable();
        let fresh = pending
            .chunk_by(|a, b| a == b)
            .map(|same| (same[0], same.len() as u64));
        // A guess from the bytes per pair so far; the vector grows past it if need be.
        let per_pair = self.stream.len().div_ceil(self.distinct.max(1)).max(2);
        let mut out = Encoder::with_capacity(self.stream.len() + pending.len() * per_pair);
        out.merge(self.pairs(), fresh);
        out
    }

    fn set_stream(&mut self, mut out: Encoder) {
        out.bytes.shrink_to_fit();
        self.stream = out.bytes;
        self.distinct = out.distinct;
    }

    /// The folded pairs (pending values aside).
    fn pairs(&self) -> Pairs<&[u8]> {
        Pairs::new(&self.stream)
    }

    /// How many values were added.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes this holds on the heap (the encoded pairs and the pending values).
    pub fn heap_bytes(&self) -> usize {
        self.stream.capacity() + self.pending.capacity() * size_of::<i64>()
    }

    /// (value, how many times), ascending. Call [`Counts::compact`] first where it
    /// matters: pending values are otherwise folded into a copy.
    pub fn iter(&self) -> impl Iterator<Item = (i64, usize)> + '_ {
        let bytes: Cow<'_, [u8]> = if self.pending.is_empty() {
            Cow::Borrowed(&self.stream)
        } else {
            Cow::Owned(self.folded(&mut self.pending.clone()).bytes)
        };
        Pairs::new(bytes).map(|(value, count)| (value, count as usize))
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

impl std::fmt::Debug for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counts")
            .field("len", &self.len)
            .field("counts", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

/// Writes ascending distinct (value, count) pairs compactly: the first value zigzag-encoded,
/// each next one as its distance from the previous (positive, so a small varint for close
/// values; a wrapping u64 difference covers the whole i64 range), each followed by its count.
struct Encoder {
    bytes: Vec<u8>,
    previous: Option<i64>,
    distinct: usize,
}

impl Encoder {
    fn with_capacity(bytes: usize) -> Encoder {
        Encoder {
            bytes: Vec::with_capacity(bytes),
            previous: None,
            distinct: 0,
        }
    }

    /// Appends `value`, which must be above every value pushed before.
    fn push(&mut self, value: i64, count: u64) {
        let raw = match self.previous {
            None => ((value << 1) ^ (value >> 63)) as u64,
            Some(previous) => (value as u64).wrapping_sub(previous as u64),
        };
        if raw < 0x80 && count < 0x80 {
            // The common case of close values seen few times: two one-byte varints.
            self.bytes.extend_from_slice(&[raw as u8, count as u8]);
        } else {
            write_varint(&mut self.bytes, raw);
            write_varint(&mut self.bytes, count);
        }
        self.previous = Some(value);
        self.distinct += 1;
    }

    /// Appends the pairs of two ascending sequences, adding the counts of equal values.
    fn merge(&mut self, a: impl Iterator<Item = (i64, u64)>, b: impl Iterator<Item = (i64, u64)>) {
        let (mut a, mut b) = (a.peekable(), b.peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.0.cmp(&y.0) {
                    Ordering::Less => a.next(),
                    Ordering::Greater => b.next(),
                    Ordering::Equal => a.next().zip(b.next()).map(|((v, n), (_, m))| (v, n + m)),
                },
                (Some(_), None) => a.next(),
                (None, _) => b.next(),
            };
            let Some((value, count)) = next else { return };
            self.push(value, count);
        }
    }
}

/// Decodes what an [`Encoder`] wrote. The stream is only ever written by an `Encoder`, so a
/// short or malformed varint cannot occur; if it did, the pairs would simply end there.
struct Pairs<B> {
    bytes: B,
    at: usize,
    previous: Option<i64>,
}

impl<B: AsRef<[u8]>> Pairs<B> {
    fn new(bytes: B) -> Pairs<B> {
        Pairs {
            bytes,
            at: 0,
            previous: None,
        }
    }
}

impl<B: AsRef<[u8]>> Iterator for Pairs<B> {
    type Item = (i64, u64);

    fn next(&mut self) -> Option<(i64, u64)> {
        let bytes = self.bytes.as_ref();
        let raw = read_varint(bytes, &mut self.at)?;
        let count = read_varint(bytes, &mut self.at)?;
        let value = match self.previous {
            None => (raw >> 1) as i64 ^ -((raw & 1) as i64),
            Some(previous) => previous.wrapping_add(raw as i64),
        };
        self.previous = Some(value);
        Some((value, count))
    }
}

/// Appends `value` as LEB128: 7 bits a byte, low first, the top bit set on all but the last.
fn write_varint(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push(value as u8 | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

/// Reads a [`write_varint`] value at `*at`, moving `*at` past it; None when the bytes end
/// first or it runs past 10 bytes.
fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u64::from(first));
    }
    let mut value = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
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
            assert_eq!(expanded(&counts), sorted);
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

    /// `counts` expanded back to every value, ascending.
    fn expanded(counts: &Counts) -> Vec<i64> {
        counts
            .iter()
            .flat_map(|(value, count)| std::iter::repeat_n(value, count))
            .collect()
    }

    #[test]
    fn counts_hold_the_whole_i64_range_and_large_counts() {
        let wanted = [
            (i64::MIN, 1),
            (i64::MIN + 1, 128),
            (-1, 127),
            (0, 300),
            (1, 1),
            (i64::MAX / 2, 16_384),
            (i64::MAX - 1, 2),
            (i64::MAX, 129),
        ];
        let mut values: Vec<i64> = wanted
            .iter()
            .flat_map(|(value, count)| std::iter::repeat_n(*value, *count))
            .collect();
        let mut shuffle = random(5);
        for i in (1..values.len()).rev() {
            values.swap(i, shuffle(i as i64 + 1) as usize);
        }
        let mut counts: Counts = values.iter().copied().collect();
        assert_eq!(counts.iter().collect::<Vec<_>>(), wanted);
        counts.compact();
        assert_eq!(counts.iter().collect::<Vec<_>>(), wanted);
        assert_eq!(counts.len(), values.len());
        assert_eq!(counts.nearest_rank(0.0), Some(i64::MIN));
        assert_eq!(counts.nearest_rank(100.0), Some(i64::MAX));
        assert_eq!(counts.at_most(-1), 1 + 128 + 127);
        assert_eq!(counts.at_most(i64::MAX - 1), values.len() - 129);
        // Only the two extremes: the largest possible gap.
        let ends: Counts = [i64::MAX, i64::MIN, i64::MAX].into_iter().collect();
        assert_eq!(
            ends.iter().collect::<Vec<_>>(),
            [(i64::MIN, 1), (i64::MAX, 2)]
        );
    }

    #[test]
    fn many_merged_random_parts_are_the_sorted_values() {
        let extremes = [i64::MIN, i64::MIN / 3, -1, 0, i64::MAX / 2, i64::MAX];
        let mut merged = Counts::default();
        let mut reference = Vec::new();
        for seed in 0..60 {
            let mut part = durations(seed);
            let mut pick = random(seed + 99);
            part.extend((0..pick(4)).map(|_| extremes[pick(6) as usize]));
            reference.extend_from_slice(&part);
            let counts: Counts = part.into_iter().collect();
            if seed % 2 == 0 {
                merged.merge(counts);
            } else {
                // Merging into the part, the other way round, gives the same.
                let mut into = counts;
                into.merge(merged);
                merged = into;
            }
            reference.sort_unstable();
            assert_eq!(merged.len(), reference.len(), "seed {seed}");
            assert_eq!(expanded(&merged), reference, "seed {seed}");
        }
        for percent in PERCENTS {
            assert_eq!(
                merged.nearest_rank(percent),
                nearest_rank(&reference, percent)
            );
        }
    }

    #[test]
    fn counts_take_under_four_bytes_per_distinct_value() {
        // 100,000 distinct durations 1 to 20 s apart, each seen 1 to 3 times, in no order.
        let mut next = random(11);
        let mut value = 0;
        let mut values = Vec::new();
        for _ in 0..100_000 {
            value += 1 + next(20);
            values.extend(std::iter::repeat_n(value, 1 + next(3) as usize));
        }
        for i in (1..values.len()).rev() {
            values.swap(i, next(i as i64 + 1) as usize);
        }
        let mut counts: Counts = values.iter().copied().collect();
        counts.compact();
        assert_eq!(counts.iter().count(), 100_000);
        assert!(counts.heap_bytes() < 4 * 100_000, "{}", counts.heap_bytes());
        values.sort_unstable();
        assert_eq!(expanded(&counts), values);
    }

    #[test]
    fn decoding_ends_at_a_short_or_overlong_varint() {
        let mut bytes = Vec::new();
        write_varint(&mut bytes, u64::MAX);
        assert_eq!(bytes.len(), 10);
        assert_eq!(read_varint(&bytes, &mut 0), Some(u64::MAX));
        assert_eq!(read_varint(&bytes[..9], &mut 0), None);
        assert_eq!(read_varint(&[0xff; 11], &mut 0), None);
        // A value without its count.
        assert_eq!(Pairs::new(&[0x02][..]).next(), None);
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
