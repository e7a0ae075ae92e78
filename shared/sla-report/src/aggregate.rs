//! Report rows: cycles grouped by the chosen dimensions, with compliance counts,
//! percentiles of completed cycles and time over target of late ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cycle::{CycleRecord, Outcome};
use crate::dimension::{KeyPart, Keyer};
use crate::stats::{mean, nearest_rank, percent};
use crate::time::{TicketTime, TimeShare};

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Row {
    /// The row's value of each `--by` dimension (`-` when unknown; for `period`, `-`
    /// holds cycles without an end).
    pub key: BTreeMap<String, String>,
    /// Distinct tickets with at least one cycle in the row.
    pub tickets: usize,
    /// Cycles in the row.
    pub cycles: usize,
    /// Cycles completed within target.
    pub met: usize,
    /// Cycles that used up their target (completed late or still open).
    pub breached: usize,
    /// Cycles cancelled.
    pub cancelled: usize,
    /// Cycles running or paused within target at the report's end.
    pub open: usize,
    /// Tickets with cycles here that an exclusion rule took out of measurement (their
    /// cycles are not counted).
    pub excluded_tickets: usize,
    /// met / (met + breached), in percent; null when nothing is decided.
    pub met_percent: Option<f64>,
    /// Nearest-rank median of the final business seconds of completed cycles.
    pub median_seconds: Option<i64>,
    /// Nearest-rank 90th percentile of the same.
    pub p90_seconds: Option<i64>,
    /// Nearest-rank 95th percentile of the same.
    pub p95_seconds: Option<i64>,
    /// Mean business seconds past the target of cycles that breached and then completed.
    pub mean_over_target_seconds: Option<f64>,
    /// The largest of the same.
    pub max_over_target_seconds: Option<i64>,
    /// Cycles breached and still open.
    pub breached_open: usize,
    /// Where the wall-clock life of the row's tickets went.
    pub time: TimeShare,
}

/// Rows keyed and sorted by `keyer` (policy file order, priorities from urgent down,
/// metric order, then labels).
pub(crate) fn aggregate(cycles: &[&CycleRecord], keyer: &Keyer, times: &Times) -> Vec<Row> {
    let mut groups: BTreeMap<Vec<KeyPart>, Vec<&CycleRecord>> = BTreeMap::new();
    for cycle in cycles {
        groups.entry(keyer.key(cycle)).or_default().push(*cycle);
    }
    groups
        .into_iter()
        .map(|(key, members)| {
            let key = keyer
                .by
                .iter()
                .zip(key)
                .map(|(d, part)| (d.name().to_string(), part.label))
                .collect();
            row(key, &members, times)
        })
        .collect()
}

/// The statistics of one group of cycles.
pub(crate) fn row(key: BTreeMap<String, String>, all: &[&CycleRecord], times: &Times) -> Row {
    let (excluded, cycles): (Vec<&CycleRecord>, Vec<&CycleRecord>) =
        all.iter().partition(|c| c.outcome == Outcome::Excluded);
    let cycles = &cycles[..];
    let count = |outcome: Outcome| cycles.iter().filter(|c| c.outcome == outcome).count();
    let (met, breached) = (count(Outcome::Met), count(Outcome::Breached));
    let completed = completed_seconds(cycles);
    let over: Vec<i64> = cycles.iter().filter_map(|c| c.over_target()).collect();
    Row {
        key,
        tickets: distinct_tickets(cycles),
        cycles: cycles.len(),
        met,
        breached,
        cancelled: count(Outcome::Cancelled),
        open: count(Outcome::Open),
        excluded_tickets: distinct_tickets(&excluded),
        met_percent: percent(met, met + breached),
        median_seconds: nearest_rank(&completed, 50.0),
        p90_seconds: nearest_rank(&completed, 90.0),
        p95_seconds: nearest_rank(&completed, 95.0),
        mean_over_target_seconds: mean(&over).map(|m| (m * 10.0).round() / 10.0),
        max_over_target_seconds: over.iter().max().copied(),
        breached_open: cycles.iter().filter(|c| c.is_breached_open()).count(),
        time: time_share(cycles, times),
    }
}

/// The ticket times by (tenant, ticket id).
pub(crate) type Times<'a> = HashMap<(&'a str, &'a str), &'a TicketTime>;

/// Where the time of the row's distinct tickets went.
fn time_share(cycles: &[&CycleRecord], times: &Times) -> TimeShare {
    let tickets: BTreeSet<(&str, &str)> = cycles
        .iter()
        .map(|c| (c.tenant.as_str(), c.ticket_id.as_str()))
        .collect();
    TimeShare::of(tickets.iter().filter_map(|key| times.get(key).copied()))
}

/// Final business seconds of the completed cycles, ascending.
pub(crate) fn completed_seconds(cycles: &[&CycleRecord]) -> Vec<i64> {
    let mut seconds: Vec<i64> = cycles
        .iter()
        .filter(|c| c.is_completed())
        .map(|c| c.business_seconds)
        .collect();
    seconds.sort_unstable();
    seconds
}

/// Distinct (tenant, ticket) among `cycles`.
pub(crate) fn distinct_tickets(cycles: &[&CycleRecord]) -> usize {
    cycles
        .iter()
        .map(|c| (c.tenant.as_str(), c.ticket_id.as_str()))
        .collect::<BTreeSet<_>>()
        .len()
}
