//! Credible targets: per policy × priority × metric, the target history says a team can
//! keep `target_percent`% of the time, from completed cycles and (Kaplan-Meier) with the
//! open backlog counted as censored.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cycle::{CycleRecord, Outcome};
use crate::stats::{percent, round_up_to_minute, Counts, KaplanMeier};

/// Fewer completed cycles than this: no recommendation.
pub const MIN_COMPLETED: usize = 30;

/// The credible target of one policy × priority × metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetRow {
    /// Policy name.
    pub policy: String,
    /// Priority.
    pub priority: String,
    /// Metric.
    pub metric: String,
    /// The current target in business seconds (the most common among the cycles).
    pub target_seconds: i64,
    /// Completed cycles (met, or breached then completed).
    pub completed: usize,
    /// Open cycles (including breached and still open), censored at their elapsed time.
    pub censored: usize,
    /// Share of completed cycles that took at most the current target, in percent.
    pub met_percent: Option<f64>,
    /// The smallest target met by at least `target_percent`% of completed cycles, in
    /// business seconds rounded up to the minute; null under 30 completed cycles.
    pub recommended_seconds: Option<i64>,
    /// Kaplan-Meier estimate of the share completing within the current target, in
    /// percent, counting open cycles as censored.
    pub km_met_percent: Option<f64>,
    /// The Kaplan-Meier counterpart of `recommended_seconds` (null when censoring hides
    /// it, or under 30 completed cycles).
    pub km_recommended_seconds: Option<i64>,
    /// Why nothing is recommended, when so.
    pub note: Option<String>,
}

/// The cycles of one policy × priority × metric that a credible target is computed
/// from, gathered ticket by ticket; tallies of disjoint tickets merge.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetTally {
    /// Cycles per target (business seconds).
    targets: BTreeMap<i64, usize>,
    /// Final business seconds of completed cycles.
    pub completed: Counts,
    /// Business seconds so far of open cycles (censored).
    open: Counts,
}

impl TargetTally {
    /// Whether `cycle` counts towards a credible target (cancelled and excluded do not).
    pub fn counts(cycle: &CycleRecord) -> bool {
        !matches!(cycle.outcome, Outcome::Cancelled | Outcome::Excluded)
    }

    /// Adds a cycle that [`TargetTally::counts`].
    pub fn add(&mut self, cycle: &CycleRecord) {
        *self.targets.entry(cycle.target_seconds).or_default() += 1;
        if cycle.is_completed() {
            self.completed.add(cycle.business_seconds);
        } else if cycle.end.is_none() {
            self.open.add(cycle.business_seconds);
        }
    }

    /// Adds the cycles of a tally of other tickets.
    pub fn merge(&mut self, other: TargetTally) {
        for (target, count) in other.targets {
            *self.targets.entry(target).or_default() += count;
        }
        self.completed.merge(other.completed);
        self.open.merge(other.open);
    }

    /// The row of `labels` (policy, priority, metric).
    pub fn row(&mut self, labels: Vec<String>, target_percent: f64) -> TargetRow {
        self.completed.compact();
        self.open.compact();
        let target = self.most_common_target();
        let completed = &self.completed;
        let within = completed.at_most(target);
        let km = KaplanMeier::fit_counts(completed, &self.open);
        let enough = completed.len() >= MIN_COMPLETED;
        let recommend = |seconds: Option<i64>| seconds.filter(|_| enough).map(round_up_to_minute);
        let mut labels = labels.into_iter();
        let mut label = || labels.next().unwrap_or_default();
        TargetRow {
            policy: label(),
            priority: label(),
            metric: label(),
            target_seconds: target,
            completed: completed.len(),
            censored: self.open.len(),
            met_percent: percent(within, completed.len()),
            recommended_seconds: recommend(completed.nearest_rank(target_percent)),
            km_met_percent: (!completed.is_empty())
                .then(|| (km.completed_within(target) * 10.0).round() / 10.0),
            km_recommended_seconds: recommend(km.quantile(target_percent)),
            note: (!enough).then(|| {
                format!(
                    "{} completed cycles (under {MIN_COMPLETED}): no recommendation",
                    completed.len()
                )
            }),
        }
    }

    /// The most common target (the largest among equally common ones).
    fn most_common_target(&self) -> i64 {
        self.targets
            .iter()
            .max_by_key(|(target, count)| (**count, **target))
            .map_or(0, |(target, _)| *target)
    }
}
