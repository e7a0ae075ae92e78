//! Agreement with the helpdesk: our replayed cycles against the helpdesk's own SLA
//! verdicts (Zendesk ticket metric events, Jira SLA answers), per ticket, metric and
//! cycle: agree, disagree (both instants and the first step of our clock where they part),
//! or not comparable. Vendor readers turn their answers into [`HelpdeskVerdicts`]; the
//! comparison lives only here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sla_core::{ClockStep, Metric, TicketEvent, TicketState};

use crate::cycle::{cycles_of, CycleRecord, Outcome};

#[path = "agreement_table.rs"]
mod table;

/// Instants closer than this agree: Zendesk records whole minutes.
pub const TOLERANCE_SECONDS: i64 = 60;

/// How the helpdesk says a cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HelpdeskOutcome {
    /// Fulfilled within target at `at`.
    Met {
        /// When it was fulfilled.
        at: DateTime<Utc>,
    },
    /// The target ran out at `at` (whether or not it was fulfilled later).
    Breached {
        /// When the target ran out.
        at: DateTime<Utc>,
    },
    /// Still running, within target.
    Open,
}

/// One helpdesk verdict on one cycle of one of our metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Ticket id, as our imported events name it.
    pub ticket_id: String,
    /// Our metric it measures.
    pub metric: Metric,
    /// 1-based cycle of that metric.
    pub cycle: u32,
    /// The helpdesk's name of what it measured (`reply_time#2`, `Time to first response`).
    pub name: String,
    /// Its verdict.
    pub outcome: HelpdeskOutcome,
    /// Its target in seconds, when known.
    pub target_seconds: Option<i64>,
}

/// Everything a helpdesk said about the tickets it exported (saved by `sla import
/// --verdicts-out`, read back by `sla report --agreement`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpdeskVerdicts {
    /// The verdicts we can compare.
    pub verdicts: Vec<Verdict>,
    /// Tickets in the export on which the helpdesk applied no SLA we can compare.
    pub without_sla: BTreeSet<String>,
    /// Helpdesk measurements with no counterpart among our metrics (by name).
    pub unmapped: BTreeMap<String, usize>,
}

/// One of our cycles with its clock's timeline, as `sla explain` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurCycle {
    /// The report's record of the cycle.
    pub record: CycleRecord,
    /// The clock's steps.
    pub timeline: Vec<ClockStep>,
}

/// Our cycles of a ticket's final state, each with its timeline.
pub fn our_cycles(state: &TicketState, history: &[TicketEvent]) -> Vec<OurCycle> {
    cycles_of(state, history)
        .into_iter()
        .filter_map(|record| {
            let clock = state
                .clocks
                .iter()
                .find(|c| c.metric == record.metric && c.cycle == record.cycle)?;
            Some(OurCycle {
                timeline: clock.timeline.clone(),
                record,
            })
        })
        .collect()
}

/// Agree, disagree or not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Same outcome at the same instant (within [`TOLERANCE_SECONDS`]).
    Agree,
    /// Different outcome or instant.
    Disagree,
    /// The helpdesk measured nothing we can compare.
    NotComparable,
}

impl Status {
    /// The name used in tables.
    pub fn name(self) -> &'static str {
        match self {
            Status::Agree => "agree",
            Status::Disagree => "disagree",
            Status::NotComparable => "not comparable",
        }
    }
}

/// One side's verdict on a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Side {
    /// met, breached, open, cancelled or excluded.
    pub outcome: &'static str,
    /// When it was met or breached (cancelled: stopped).
    pub at: Option<DateTime<Utc>>,
    /// The target in seconds.
    pub target_seconds: Option<i64>,
}

/// The comparison of one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementRow {
    /// Ticket id.
    pub ticket_id: String,
    /// Our metric.
    pub metric: Metric,
    /// 1-based cycle.
    pub cycle: u32,
    /// The helpdesk's name of the measurement, when it has one.
    pub helpdesk_name: Option<String>,
    /// The verdict of the comparison.
    pub status: Status,
    /// Why, in a few words.
    pub reason: String,
    /// Our verdict (None: we measured no such cycle).
    pub ours: Option<Side>,
    /// The helpdesk's (None: it measured no such cycle).
    pub helpdesk: Option<Side>,
    /// On disagreement, the first step of our clock at or after the earlier verdict.
    pub first_differing_step: Option<ClockStep>,
}

/// Counts of each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Cycles compared and agreeing.
    pub agree: usize,
    /// Cycles compared and disagreeing.
    pub disagree: usize,
    /// Cycles not comparable.
    pub not_comparable: usize,
    /// Our cycles of tickets absent from the helpdesk's answers (not compared).
    pub not_in_helpdesk: usize,
}

impl Totals {
    /// Agreeing share of compared cycles, in percent.
    pub fn agree_percent(&self) -> Option<f64> {
        let compared = self.agree + self.disagree;
        (compared > 0).then(|| 100.0 * self.agree as f64 / compared as f64)
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Status counts.
    pub totals: Totals,
    /// Agreeing share of compared cycles, in percent.
    pub agree_percent: Option<f64>,
    /// Helpdesk measurements with no counterpart among our metrics, by name.
    pub unmapped: BTreeMap<String, usize>,
    /// One row per cycle, by ticket, metric and cycle.
    pub rows: Vec<AgreementRow>,
}

impl Agreement {
    /// Compares our cycles (every replayed ticket's) with the helpdesk's verdicts.
    pub fn build(ours: &[OurCycle], theirs: &HelpdeskVerdicts) -> Agreement {
        let mut by_key: BTreeMap<(&str, Metric, u32), &OurCycle> = BTreeMap::new();
        for cycle in ours {
            let r = &cycle.record;
            by_key.insert((r.ticket_id.as_str(), r.metric, r.cycle), cycle);
        }
        let mut rows = Vec::new();
        let mut seen: BTreeSet<&str> = theirs.without_sla.iter().map(String::as_str).collect();
        for verdict in &theirs.verdicts {
            seen.insert(&verdict.ticket_id);
            let key = (verdict.ticket_id.as_str(), verdict.metric, verdict.cycle);
            rows.push(compare(by_key.remove(&key), verdict));
        }
        let mut not_in_helpdesk = 0;
        for cycle in by_key.values() {
            if seen.contains(cycle.record.ticket_id.as_str()) {
                rows.push(not_comparable(cycle, &theirs.without_sla));
            } else {
                not_in_helpdesk += 1;
            }
        }
        rows.sort_by(|a, b| {
            (&a.ticket_id, a.metric, a.cycle).cmp(&(&b.ticket_id, b.metric, b.cycle))
        });
        let mut totals = Totals {
            not_in_helpdesk,
            ..Totals::default()
        };
        for row in &rows {
            match row.status {
                Status::Agree => totals.agree += 1,
                Status::Disagree => totals.disagree += 1,
                Status::NotComparable => totals.not_comparable += 1,
            }
        }
        Agreement {
            agree_percent: totals.agree_percent(),
            totals,
            unmapped: theirs.unmapped.clone(),
            rows,
        }
    }
}

/// Our cycle of a ticket the helpdesk exported but measured no counterpart of.
fn not_comparable(cycle: &OurCycle, without_sla: &BTreeSet<String>) -> AgreementRow {
    let reason = if without_sla.contains(&cycle.record.ticket_id) {
        "no SLA in the helpdesk"
    } else {
        "the helpdesk measured no such cycle"
    };
    AgreementRow {
        ticket_id: cycle.record.ticket_id.clone(),
        metric: cycle.record.metric,
        cycle: cycle.record.cycle,
        helpdesk_name: None,
        status: Status::NotComparable,
        reason: reason.into(),
        ours: Some(our_side(cycle)),
        helpdesk: None,
        first_differing_step: None,
    }
}

/// Compares one helpdesk verdict with our cycle of the same metric and number.
fn compare(ours: Option<&OurCycle>, verdict: &Verdict) -> AgreementRow {
    let theirs = their_side(verdict);
    let mut row = AgreementRow {
        ticket_id: verdict.ticket_id.clone(),
        metric: verdict.metric,
        cycle: verdict.cycle,
        helpdesk_name: Some(verdict.name.clone()),
        status: Status::Disagree,
        reason: "we measured no such cycle".into(),
        ours: None,
        helpdesk: Some(theirs),
        first_differing_step: None,
    };
    let Some(cycle) = ours else { return row };
    let side = our_side(cycle);
    row.ours = Some(side);
    if cycle.record.outcome == Outcome::Excluded {
        row.status = Status::NotComparable;
        row.reason = "excluded from measurement by our policy".into();
        return row;
    }
    let (status, reason) = judge(&side, &theirs);
    row.status = status;
    row.reason = reason;
    if status == Status::Disagree {
        row.first_differing_step = first_differing_step(&cycle.timeline, side.at, theirs.at);
    }
    row
}

fn judge(ours: &Side, theirs: &Side) -> (Status, String) {
    if ours.outcome != theirs.outcome {
        return (
            Status::Disagree,
            format!("we say {}, the helpdesk {}", ours.outcome, theirs.outcome),
        );
    }
    match (ours.at, theirs.at) {
        (Some(a), Some(b)) if (a - b).num_seconds().abs() > TOLERANCE_SECONDS => {
            let late = (a - b).num_seconds();
            let word = if late > 0 { "later" } else { "earlier" };
            (
                Status::Disagree,
                format!(
                    "{} {} {word}",
                    ours.outcome,
                    sla_core::duration::format_duration(late.abs())
                ),
            )
        }
        _ => (Status::Agree, "same outcome".into()),
    }
}

/// The first step of our timeline at or after the earlier of the two instants (less the
/// tolerance); the last step when none is (or when neither side has an instant).
fn first_differing_step(
    timeline: &[ClockStep],
    ours: Option<DateTime<Utc>>,
    theirs: Option<DateTime<Utc>>,
) -> Option<ClockStep> {
    let earliest = [ours, theirs].into_iter().flatten().min();
    earliest
        .and_then(|t| {
            let from = t.checked_sub_signed(Duration::seconds(TOLERANCE_SECONDS))?;
            timeline.iter().find(|s| step_at(s) >= from)
        })
        .or(timeline.last())
        .cloned()
}

fn step_at(step: &ClockStep) -> DateTime<Utc> {
    match step {
        ClockStep::Started { at, .. }
        | ClockStep::Measured { at, .. }
        | ClockStep::Unmeasured { at }
        | ClockStep::Paused { at, .. }
        | ClockStep::Resumed { at }
        | ClockStep::Warned { at, .. }
        | ClockStep::Breached { at, .. }
        | ClockStep::Met { at }
        | ClockStep::Cancelled { at, .. }
        | ClockStep::Stopped { at, .. } => *at,
    }
}

/// Our verdict: a breach at the instant the target ran out (its deadline).
fn our_side(cycle: &OurCycle) -> Side {
    let r = &cycle.record;
    let breach = cycle.timeline.iter().find_map(|s| match s {
        ClockStep::Breached { deadline, .. } => Some(*deadline),
        _ => None,
    });
    let at = match r.outcome {
        Outcome::Breached => breach.or(r.end),
        Outcome::Met | Outcome::Cancelled => r.end,
        Outcome::Open | Outcome::Excluded => None,
    };
    Side {
        outcome: r.outcome.name(),
        at,
        target_seconds: Some(r.target_seconds),
    }
}

fn their_side(verdict: &Verdict) -> Side {
    let (outcome, at) = match verdict.outcome {
        HelpdeskOutcome::Met { at } => ("met", Some(at)),
        HelpdeskOutcome::Breached { at } => ("breached", Some(at)),
        HelpdeskOutcome::Open => ("open", None),
    };
    Side {
        outcome,
        at,
        target_seconds: verdict.target_seconds,
    }
}
