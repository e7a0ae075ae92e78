//! The report gathered ticket by ticket: each replayed ticket's record is added to a
//! [`ReportBuilder`] and can then be dropped; builders filled apart (one per core, over
//! disjoint tickets) merge; the totals become the [`Report`]. Memory grows with the rows
//! and the distinct durations, not with the tickets, and every number is the one the whole
//! history at once gives (percentiles are exact, from [`Counts`](crate::stats::Counts)).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::aggregate::{Row, RowTally};
use crate::cycle::{CycleRecord, Outcome, TicketRecord};
use crate::dimension::{Dimension, KeyPart, Keyer};
use crate::report::{Report, ReportOptions};
use crate::stats::Counts;
use crate::targets::TargetTally;

/// Rows by key, in report order.
type Tallies = BTreeMap<Vec<KeyPart>, RowTally>;
/// A cycle with its index among its ticket's cycles.
type Indexed<'a> = (usize, &'a CycleRecord);

/// The dimensions of credible targets.
const TARGET_BY: [Dimension; 3] = [Dimension::Policy, Dimension::Priority, Dimension::Metric];
/// The dimensions of the HTML page's trend charts.
const TREND_BY: [Dimension; 2] = [Dimension::Metric, Dimension::Period];

/// A report being gathered from ticket records.
#[derive(Debug, Clone)]
pub struct ReportBuilder<'a> {
    options: &'a ReportOptions,
    /// Worst cycles kept per row, when gathering for the HTML page.
    page: Option<usize>,
    tickets: usize,
    cycles: usize,
    excluded_tickets: usize,
    rows: Tallies,
    targets: BTreeMap<Vec<KeyPart>, TargetTally>,
    trend: Tallies,
}

/// What the HTML page shows beyond the [`Report`], gathered with it
/// ([`ReportBuilder::new`] with a number of worst cycles per row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageData {
    /// Rows by metric and period.
    pub(crate) trend: Vec<Row>,
    /// Completed cycles' business seconds per policy × priority × metric labels.
    pub(crate) completed: BTreeMap<Vec<String>, Counts>,
    /// Per row with breaches, in row order: its labels, breached cycles and the worst.
    pub(crate) worst: Vec<(Vec<String>, usize, Vec<CycleRecord>)>,
}

impl<'a> ReportBuilder<'a> {
    /// An empty report under `options`; `worst`: also gather the HTML page's data, with
    /// that many worst cycles per row.
    pub fn new(options: &'a ReportOptions, worst: Option<usize>) -> ReportBuilder<'a> {
        ReportBuilder {
            options,
            page: worst,
            tickets: 0,
            cycles: 0,
            excluded_tickets: 0,
            rows: Tallies::new(),
            targets: BTreeMap::new(),
            trend: Tallies::new(),
        }
    }

    /// Adds `tickets` in order (their positions: their indexes).
    pub fn add_all(mut self, tickets: &[TicketRecord]) -> ReportBuilder<'a> {
        for (position, ticket) in (0u64..).zip(tickets) {
            self.add(position, ticket);
        }
        self
    }

    /// Adds one ticket; `position` orders tickets (equally bad worst cycles are listed in
    /// position order), e.g. the input line of the ticket's first event.
    pub fn add(&mut self, position: u64, ticket: &TicketRecord) {
        let options = self.options;
        let kept: Vec<Indexed> = ticket
            .cycles
            .iter()
            .enumerate()
            .filter(|(_, c)| options.keeps(c))
            .collect();
        let excluded = |c: &&CycleRecord| c.outcome == Outcome::Excluded;
        let counted = kept.iter().filter(|(_, c)| !excluded(c)).count();
        self.cycles += counted;
        self.tickets += usize::from(counted > 0);
        self.excluded_tickets += usize::from(kept.iter().any(|(_, c)| excluded(c)));
        self.excluded_tickets += usize::from(ticket.excluded && ticket.cycles.is_empty());
        let worst = self.page.map(|limit| (limit, position));
        add_rows(
            &mut self.rows,
            &options.keyer(&options.by),
            ticket,
            &kept,
            worst,
        );
        let keyer = options.keyer(&TARGET_BY);
        for (_, cycle) in kept.iter().filter(|(_, c)| TargetTally::counts(c)) {
            self.targets.entry(keyer.key(cycle)).or_default().add(cycle);
        }
        if self.page.is_some() {
            add_rows(
                &mut self.trend,
                &options.keyer(&TREND_BY),
                ticket,
                &kept,
                None,
            );
        }
    }

    /// Adds what `other` gathered (of other tickets, under the same options).
    pub fn merge(&mut self, other: ReportBuilder) {
        let limit = self.page.unwrap_or(0);
        self.tickets += other.tickets;
        self.cycles += other.cycles;
        self.excluded_tickets += other.excluded_tickets;
        merge_rows(&mut self.rows, other.rows, limit);
        merge_rows(&mut self.trend, other.trend, limit);
        for (key, tally) in other.targets {
            self.targets.entry(key).or_default().merge(tally);
        }
    }

    /// The report, and what the HTML page adds (empty unless asked for).
    pub fn finish(self) -> (Report, PageData) {
        let options = self.options;
        let mut page = PageData::default();
        let mut rows = Vec::with_capacity(self.rows.len());
        for (key, mut tally) in self.rows {
            let row = tally.row(key_map(&options.by, &key));
            if self.page.is_some() && row.breached > 0 {
                let worst = tally.worst.into_iter().map(|w| w.3).collect();
                page.worst.push((labels(key), row.breached, worst));
            }
            rows.push(row);
        }
        let mut targets = Vec::with_capacity(self.targets.len());
        for (key, mut tally) in self.targets {
            let labels = labels(key);
            targets.push(tally.row(labels.clone(), options.target_percent));
            if self.page.is_some() {
                page.completed.insert(labels, tally.completed);
            }
        }
        page.trend = (self.trend.into_iter())
            .map(|(key, mut tally)| tally.row(key_map(&TREND_BY, &key)))
            .collect();
        let report = Report {
            from: options.from,
            until: options.until,
            timezone: options.timezone.name().to_string(),
            by: options.by.clone(),
            period: options.period,
            target_percent: options.target_percent,
            tickets: self.tickets,
            cycles: self.cycles,
            excluded_tickets: self.excluded_tickets,
            rows,
            targets,
            comparison: None,
        };
        (report, page)
    }
}

/// Adds a ticket's kept cycles (with their indexes) to the rows of their keys; `worst`:
/// (how many to keep, the ticket's position) to keep the worst breached cycles.
fn add_rows(
    rows: &mut Tallies,
    keyer: &Keyer,
    ticket: &TicketRecord,
    kept: &[Indexed],
    worst: Option<(usize, u64)>,
) {
    // A ticket has few cycles: group them by key with a linear search.
    let mut groups: Vec<(Vec<KeyPart>, Vec<Indexed>)> = Vec::new();
    for &(index, cycle) in kept {
        let key = keyer.key(cycle);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((index, cycle)),
            None => groups.push((key, vec![(index, cycle)])),
        }
    }
    for (key, members) in groups {
        let tally = rows.entry(key).or_default();
        let cycles: Vec<&CycleRecord> = members.iter().map(|(_, c)| *c).collect();
        tally.add_ticket(&cycles, &ticket.time);
        let Some((limit, position)) = worst else {
            continue;
        };
        for (index, cycle) in members {
            if cycle.outcome == Outcome::Breached {
                let over = cycle.business_seconds - cycle.target_seconds;
                tally.offer_worst(limit, (Reverse(over), position, index, cycle.clone()));
            }
        }
    }
}

fn merge_rows(rows: &mut Tallies, other: Tallies, worst_limit: usize) {
    for (key, tally) in other {
        match rows.get_mut(&key) {
            Some(mine) => mine.merge(tally, worst_limit),
            None => {
                rows.insert(key, tally);
            }
        }
    }
}

/// A row key as the report shows it: dimension name to label.
fn key_map(by: &[Dimension], key: &[KeyPart]) -> BTreeMap<String, String> {
    by.iter()
        .zip(key)
        .map(|(d, part)| (d.name().to_string(), part.label.clone()))
        .collect()
}

fn labels(key: Vec<KeyPart>) -> Vec<String> {
    key.into_iter().map(|part| part.label).collect()
}
