//! What hosts count: one [`ActionMetric`] per executed action (target, step kind,
//! outcome), tallied in a [`Counters`] the host owns (no global state).

use std::collections::BTreeMap;

pub use sla_actions::capability::StepKind;

use crate::outcome::OutcomeKind;

/// Lower-case name of a step kind, for metric dimensions.
pub fn step_name(step: StepKind) -> &'static str {
    match step {
        StepKind::Tag => "tag",
        StepKind::Untag => "untag",
        StepKind::RaisePriority => "raise_priority",
        StepKind::AssignGroup => "assign_group",
        StepKind::AssignAgent => "assign_agent",
        StepKind::Note => "note",
        StepKind::Notify => "notify",
    }
}

/// One executed action, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionMetric {
    /// The helpdesk (`zendesk`, ...) or chat kind (`slack`, `teams`, `signed`); `none`
    /// when neither is known.
    pub target: &'static str,
    /// The step's kind.
    pub step: StepKind,
    /// How it ended.
    pub outcome: OutcomeKind,
    /// Attempts made.
    pub attempts: u32,
}

/// Counts of actions per (target, step, outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    counts: BTreeMap<(&'static str, &'static str, OutcomeKind), u64>,
}

impl Counters {
    /// Counts one action.
    pub fn record(&mut self, metric: &ActionMetric) {
        *self
            .counts
            .entry((metric.target, step_name(metric.step), metric.outcome))
            .or_default() += 1;
    }

    /// The count for one (target, step, outcome).
    pub fn get(&self, target: &str, step: StepKind, outcome: OutcomeKind) -> u64 {
        self.counts
            .iter()
            .find(|((t, s, o), _)| *t == target && *s == step_name(step) && *o == outcome)
            .map_or(0, |(_, n)| *n)
    }

    /// Every non-zero count: (target, step name, outcome, count).
    pub fn iter(
        &self,
    ) -> impl Iterator<Item = (&'static str, &'static str, OutcomeKind, u64)> + '_ {
        self.counts.iter().map(|((t, s, o), n)| (*t, *s, *o, *n))
    }
}
