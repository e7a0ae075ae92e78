//! Order statistics over business durations: nearest-rank percentiles and the
//! Kaplan-Meier estimate for right-censored durations (cycles still open).

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

/// The mean of `values`, None when empty.
pub fn mean(values: &[i64]) -> Option<f64> {
    (!values.is_empty())
        .then(|| values.iter().map(|v| *v as f64).sum::<f64>() / values.len() as f64)
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

    #[test]
    fn means_rounding_and_percentages() {
        assert_eq!(mean(&[60, 120, 300]), Some(160.0));
        assert_eq!(mean(&[]), None);
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
