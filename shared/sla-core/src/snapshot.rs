//! Snapshots: a ticket's settled past folded into a compact state, so that a record's
//! size depends on its open cycles, not on the ticket's age.
//!
//! [`TicketSla::snapshot`](crate::TicketSla::snapshot) replaces the oldest events of the
//! history (all but the newest [`SnapshotLimits::keep`], never past `now`) by the fold
//! state after them: attributes, matched policy, cycle counts per metric, whether the
//! first response is done, the open cycles (and the latest resolution cycle, which a
//! reopen resumes), and the announcements those cycles produced. Finished cycles, and
//! the announcements recorded for them, are dropped: nothing later can change them.
//!
//! Rules (the only difference from folding the whole history):
//! - The snapshot point is the instant of the last folded event. An event stamped
//!   **before** it is ignored and reported as `Duplicate`: the period it belongs to is
//!   final. This is also how a redelivery of a folded event is recognised, so only the
//!   id hashes of folded events stamped exactly at the point are kept.
//! - An event stamped at or after the point is folded from the snapshot, exactly as the
//!   whole history would fold it.
//! - A snapshot taken under another policy file (another fingerprint) is re-measured:
//!   its open cycles get the new file's terms as of the snapshot point, keeping their
//!   elapsed time (as `on_priority_change: keep_start`); finished periods keep theirs.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::clock::cycle::Terms;
use crate::clock::fold::Fold;
use crate::clock::state::TicketState;
use crate::event::TicketEvent;
use crate::policy::PolicySet;
use crate::sla_event::Metric;

/// When [`TicketSla::snapshot`](crate::TicketSla::snapshot) folds the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotLimits {
    /// Snapshot only when the history holds more events than this.
    pub above: usize,
    /// Newest events kept in the history (a late event older than all of them and
    /// older than the snapshot point is ignored).
    pub keep: usize,
}

impl Default for SnapshotLimits {
    fn default() -> Self {
        Self {
            above: 64,
            keep: 16,
        }
    }
}

/// The fold state after the events folded away, and the instant of the last of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// The snapshot point: events stamped before it are final.
    pub at: DateTime<Utc>,
    pub(crate) fold: Fold,
}

impl PartialEq for Snapshot {
    /// Compares the stored form (the fold holds compiled calendars).
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
            && serde_json::to_value(&self.fold).ok() == serde_json::to_value(&other.fold).ok()
    }
}

/// The placeholder calendar of deserialized terms until [`start`] resolves them.
pub(crate) fn unresolved_calendar() -> Arc<Calendar> {
    static ALWAYS_OPEN: OnceLock<Arc<Calendar>> = OnceLock::new();
    ALWAYS_OPEN
        .get_or_init(|| Arc::new(Calendar::always_open()))
        .clone()
}

/// The fold a ticket starts from: its snapshot restored under `policies`, or empty.
pub(crate) fn start(snapshot: Option<&Snapshot>, policies: &PolicySet) -> Fold {
    let Some(snapshot) = snapshot else {
        return Fold::new(policies);
    };
    let mut fold = snapshot.fold.clone();
    let version = fold.version;
    let mut resolved = true;
    for cycle in &mut fold.cycles {
        let metric = cycle.metric;
        if let Some(terms) = &mut cycle.terms {
            resolved &= resolve_calendar(policies, version, terms, metric);
        }
    }
    if !resolved || fold.fingerprint != policies.fingerprint() {
        fold.remeasure(policies, snapshot.at);
    }
    fold
}

/// Gives `terms` the calendar its policy's target uses (looked up in the ticket's policy
/// version first); false when the policy file no longer has that target (then the
/// calendar of that name, if any, stands in).
fn resolve_calendar(
    policies: &PolicySet,
    version: Option<usize>,
    terms: &mut Terms,
    metric: Metric,
) -> bool {
    let versions = policies.versions();
    let current = version.and_then(|v| versions.get(v));
    let target = current
        .into_iter()
        .chain(versions.iter().rev())
        .flat_map(|v| &v.policies)
        .filter(|p| p.name == terms.policy)
        .filter_map(|p| p.target(terms.priority, metric))
        .find(|t| t.calendar_name == terms.calendar_name);
    match target {
        Some(target) => {
            terms.calendar = target.calendar.clone();
            true
        }
        None => {
            if let Some(calendar) = policies.calendars().get(&terms.calendar_name) {
                terms.calendar = calendar.clone();
            }
            false
        }
    }
}

/// Whether `state`, evaluated on a snapshotted ticket, agrees with `whole`, evaluated at
/// the same instant on the ticket folded from its whole history: equal, except that
/// `whole` also shows stopped clocks (and their announcements) a snapshot dropped.
pub fn agrees(state: &TicketState, whole: &TicketState) -> bool {
    let kept: HashSet<(Metric, u32)> = state.clocks.iter().map(|c| (c.metric, c.cycle)).collect();
    let is_kept = |metric: Metric, cycle: u32| kept.contains(&(metric, cycle));
    let dropped_are_stopped = whole
        .clocks
        .iter()
        .filter(|c| !is_kept(c.metric, c.cycle))
        .all(|c| c.stopped_at.is_some());
    let expected = TicketState {
        clocks: whole
            .clocks
            .iter()
            .filter(|c| is_kept(c.metric, c.cycle))
            .cloned()
            .collect(),
        announcements: whole
            .announcements
            .iter()
            .filter(|e| is_kept(e.metric, e.cycle))
            .cloned()
            .collect(),
        ..whole.clone()
    };
    dropped_are_stopped && *state == expected
}

/// How many of the oldest events to fold: all but the newest `keep`, none stamped after
/// `now`, and every event sharing the last one's instant. None when nothing qualifies.
pub(crate) fn cut(history: &[TicketEvent], now: DateTime<Utc>, keep: usize) -> Option<usize> {
    let settled = history.partition_point(|e| e.at <= now);
    let wanted = history.len().saturating_sub(keep).min(settled);
    let point = history.get(wanted.checked_sub(1)?)?.at;
    Some(history.partition_point(|e| e.at <= point))
}

impl Fold {
    /// Makes this prefix fold a snapshot: drops finished cycles (except the latest
    /// resolution cycle) and their announcements, forgets the prefix's position.
    /// Returns the (metric, cycle) pairs dropped.
    pub(crate) fn prune_to_snapshot(&mut self) -> HashSet<(Metric, u32)> {
        let latest_resolution = self
            .cycles
            .iter()
            .rposition(|c| c.metric == Metric::Resolution);
        let live: Vec<usize> = self.live.iter().flatten().copied().collect();
        let mut dropped = HashSet::new();
        let mut kept = Vec::new();
        let mut moved = vec![None; self.cycles.len()];
        for (index, cycle) in std::mem::take(&mut self.cycles).into_iter().enumerate() {
            if live.contains(&index) || latest_resolution == Some(index) {
                moved[index] = Some(kept.len());
                kept.push(cycle);
            } else {
                dropped.insert((cycle.metric, cycle.number));
            }
        }
        self.cycles = kept;
        for slot in &mut self.live {
            *slot = slot.and_then(|index| moved[index]);
        }
        self.produced
            .retain(|e| !dropped.contains(&(e.metric, e.cycle)));
        self.applied = 0;
        self.last_event_id = None;
        self.fired_through = None;
        dropped
    }
}
