//! Credible targets: per policy × priority × metric, the target history says a team can
//! keep `target_percent`% of the time, from completed cycles and (Kaplan-Meier) with the
//! open backlog counted as censored.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aggregate::completed_seconds;
use crate::cycle::{CycleRecord, Outcome};
use crate::dimension::{Dimension, KeyPart, Keyer};
use crate::stats::{nearest_rank, percent, round_up_to_minute, KaplanMeier, Observation};

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

/// One row per policy × priority × metric, in report order.
pub(crate) fn targets(
    cycles: &[&CycleRecord],
    keyer: &Keyer,
    target_percent: f64,
) -> Vec<TargetRow> {
    let by = [Dimension::Policy, Dimension::Priority, Dimension::Metric];
    let keyer = Keyer {
        by: &by,
        ..keyer.clone()
    };
    let mut groups: BTreeMap<Vec<KeyPart>, Vec<&CycleRecord>> = BTreeMap::new();
    for cycle in cycles
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Cancelled | Outcome::Excluded))
    {
        groups.entry(keyer.key(cycle)).or_default().push(*cycle);
    }
    groups
        .into_iter()
        .map(|(key, members)| {
            let labels: Vec<String> = key.into_iter().map(|p| p.label).collect();
            target_row(labels, &members, target_percent)
        })
        .collect()
}

fn target_row(labels: Vec<String>, cycles: &[&CycleRecord], target_percent: f64) -> TargetRow {
    let target = most_common_target(cycles);
    let completed = completed_seconds(cycles);
    let within = completed.iter().filter(|s| **s <= target).count();
    let observations: Vec<Observation> = cycles
        .iter()
        .filter(|c| c.is_completed() || c.end.is_none())
        .map(|c| Observation {
            seconds: c.business_seconds,
            done: c.is_completed(),
        })
        .collect();
    let km = KaplanMeier::fit(&observations);
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
        censored: observations.len() - completed.len(),
        met_percent: percent(within, completed.len()),
        recommended_seconds: recommend(nearest_rank(&completed, target_percent)),
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
fn most_common_target(cycles: &[&CycleRecord]) -> i64 {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for cycle in cycles {
        *counts.entry(cycle.target_seconds).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(target, count)| (*count, *target))
        .map_or(0, |(target, _)| target)
}
