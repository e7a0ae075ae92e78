//! The report: options and the JSON document (`sla report --format json`); it is
//! gathered from cycles by [`ReportBuilder`].

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aggregate::Row;
use crate::compare::{compare, ComparedRow};
use crate::cycle::{CycleRecord, TicketRecord};
use crate::dimension::{Dimension, Keyer, PeriodUnit};
use crate::gather::ReportBuilder;
use crate::targets::TargetRow;

/// What a report is about and how rows are formed.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Row dimensions (`--by`).
    pub by: Vec<Dimension>,
    /// Period unit of the `period` dimension.
    pub period: PeriodUnit,
    /// Time zone of periods.
    pub timezone: Tz,
    /// Leave out cycles that ended before this instant (open cycles always count).
    pub from: Option<DateTime<Utc>>,
    /// The end of the replay (the virtual clock's last instant).
    pub until: DateTime<Utc>,
    /// The share of completed cycles a recommended target must cover.
    pub target_percent: f64,
    /// Policy names in file order (row order).
    pub policy_order: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            by: vec![Dimension::Policy, Dimension::Priority, Dimension::Metric],
            period: PeriodUnit::Week,
            timezone: Tz::UTC,
            from: None,
            until: DateTime::<Utc>::UNIX_EPOCH,
            target_percent: 90.0,
            policy_order: Vec::new(),
        }
    }
}

/// The report document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Cycles that ended before this were left out (`--from`).
    pub from: Option<DateTime<Utc>>,
    /// The end of the replay: open cycles are open as of this instant.
    pub until: DateTime<Utc>,
    /// Time zone of periods (IANA name).
    pub timezone: String,
    /// Row dimensions, in column order.
    pub by: Vec<Dimension>,
    /// Period unit of the `period` dimension.
    pub period: PeriodUnit,
    /// Share of completed cycles a recommended target covers, in percent.
    pub target_percent: f64,
    /// Distinct tickets with at least one counted cycle.
    pub tickets: usize,
    /// Cycles counted.
    pub cycles: usize,
    /// Tickets excluded from measurement by the policy file's `exclude` rules.
    pub excluded_tickets: usize,
    /// One row per distinct key.
    pub rows: Vec<Row>,
    /// Credible targets per policy × priority × metric.
    pub targets: Vec<TargetRow>,
    /// Rows under `--policy` and `--compare-policy` side by side, when asked for.
    pub comparison: Option<Vec<ComparedRow>>,
}

impl Report {
    /// Builds the report from every replayed ticket (the
    /// [`ticket_record`](crate::ticket_record) of each final state), in ticket order.
    pub fn build(tickets: &[TicketRecord], options: &ReportOptions) -> Report {
        ReportBuilder::new(options, None)
            .add_all(tickets)
            .finish()
            .0
    }

    /// Adds the side-by-side comparison with `proposed` (the same options, another
    /// policy's cycles).
    pub fn compare_with(&mut self, proposed: &Report) {
        self.comparison = Some(compare(&self.rows, &proposed.rows));
    }
}

/// The cycles a report counts: all but those that ended before `from`.
pub fn kept_cycles<'a>(
    tickets: &'a [TicketRecord],
    options: &ReportOptions,
) -> impl Iterator<Item = &'a CycleRecord> {
    let from = options.from;
    tickets
        .iter()
        .flat_map(|t| &t.cycles)
        .filter(move |c| ended_since(from, c))
}

/// Whether `cycle` is open or ended at or after `from`.
fn ended_since(from: Option<DateTime<Utc>>, cycle: &CycleRecord) -> bool {
    match (from, cycle.end) {
        (Some(from), Some(end)) => end >= from,
        _ => true,
    }
}

impl ReportOptions {
    /// Whether a report counts `cycle`: not if it ended before `from`.
    pub fn keeps(&self, cycle: &CycleRecord) -> bool {
        ended_since(self.from, cycle)
    }

    /// How the row key of a cycle is made under `by`.
    pub(crate) fn keyer<'a>(&'a self, by: &'a [Dimension]) -> Keyer<'a> {
        Keyer {
            by,
            period: self.period,
            zone: self.timezone,
            policy_order: &self.policy_order,
        }
    }
}
