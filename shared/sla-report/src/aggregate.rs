//! Report rows: cycles grouped by the chosen dimensions, with compliance counts,
//! percentiles of completed cycles and time over target of late ones, gathered cycle by
//! cycle into a [`RowTally`] that merges with others.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cycle::{CycleRecord, Outcome};
use crate::stats::{mean_of, percent, Counts};
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

/// The totals of one row, gathered ticket by ticket; tallies of disjoint tickets merge.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowTally {
    tickets: usize,
    cycles: usize,
    met: usize,
    breached: usize,
    cancelled: usize,
    open: usize,
    excluded_tickets: usize,
    completed: Counts,
    over_sum: i128,
    over_count: usize,
    over_max: Option<i64>,
    breached_open: usize,
    time: TicketTime,
    /// The breached cycles furthest over target, when gathered ([`RowTally::offer_worst`]).
    pub worst: Vec<Worst>,
}

/// A breached cycle in a worst list, ordered by time over target (most first), then by
/// its place in the history (ticket position, cycle index).
pub(crate) type Worst = (Reverse<i64>, u64, usize, CycleRecord);

impl RowTally {
    /// Adds one ticket's cycles that fall in this row (`ticket`: the ticket's time).
    pub fn add_ticket(&mut self, cycles: &[&CycleRecord], ticket: &TicketTime) {
        let (excluded, counted) = cycles.iter().fold((false, false), |(e, c), cycle| {
            let is = cycle.outcome == Outcome::Excluded;
            (e || is, c || !is)
        });
        if counted {
            self.tickets += 1;
            self.time.add_up(ticket);
        }
        self.excluded_tickets += usize::from(excluded);
        for cycle in cycles.iter().filter(|c| c.outcome != Outcome::Excluded) {
            self.add_cycle(cycle);
        }
    }

    fn add_cycle(&mut self, cycle: &CycleRecord) {
        self.cycles += 1;
        match cycle.outcome {
            Outcome::Met => self.met += 1,
            Outcome::Breached => self.breached += 1,
            Outcome::Cancelled => self.cancelled += 1,
            Outcome::Open => self.open += 1,
            Outcome::Excluded => {}
        }
        if cycle.is_completed() {
            self.completed.add(cycle.business_seconds);
        }
        if let Some(over) = cycle.over_target() {
            self.over_sum += i128::from(over);
            self.over_count += 1;
            self.over_max = self.over_max.max(Some(over));
        }
        self.breached_open += usize::from(cycle.is_breached_open());
    }

    /// Keeps `entry` if it is among the `limit` worst so far.
    pub fn offer_worst(&mut self, limit: usize, entry: Worst) {
        let key = |w: &Worst| (w.0, w.1, w.2);
        let at = self.worst.partition_point(|w| key(w) < key(&entry));
        if at < limit {
            self.worst.insert(at, entry);
            self.worst.truncate(limit);
        }
    }

    /// Adds the totals of a tally of other tickets.
    pub fn merge(&mut self, other: RowTally, worst_limit: usize) {
        self.tickets += other.tickets;
        self.cycles += other.cycles;
        self.met += other.met;
        self.breached += other.breached;
        self.cancelled += other.cancelled;
        self.open += other.open;
        self.excluded_tickets += other.excluded_tickets;
        self.completed.merge(other.completed);
        self.over_sum += other.over_sum;
        self.over_count += other.over_count;
        self.over_max = self.over_max.max(other.over_max);
        self.breached_open += other.breached_open;
        self.time.add_up(&other.time);
        for entry in other.worst {
            self.offer_worst(worst_limit, entry);
        }
    }

    /// The row of these totals.
    pub fn row(&mut self, key: BTreeMap<String, String>) -> Row {
        self.completed.compact();
        let completed = &self.completed;
        Row {
            key,
            tickets: self.tickets,
            cycles: self.cycles,
            met: self.met,
            breached: self.breached,
            cancelled: self.cancelled,
            open: self.open,
            excluded_tickets: self.excluded_tickets,
            met_percent: percent(self.met, self.met + self.breached),
            median_seconds: completed.nearest_rank(50.0),
            p90_seconds: completed.nearest_rank(90.0),
            p95_seconds: completed.nearest_rank(95.0),
            mean_over_target_seconds: mean_of(self.over_sum, self.over_count)
                .map(|m| (m * 10.0).round() / 10.0),
            max_over_target_seconds: self.over_max,
            breached_open: self.breached_open,
            time: TimeShare::of_total(&self.time),
        }
    }
}
