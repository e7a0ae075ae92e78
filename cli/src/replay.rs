//! `sla replay --policy P EVENTS.jsonl`: runs an event history through the engine with
//! a virtual clock, prints the SLA events as JSON lines and a compliance summary.
//!
//! The history runs through `sla_core::replay` (see there for its semantics), up to
//! `--until` (default: the latest `at` in the file); the output is sorted by the instant
//! each SLA event was announced, then by ticket (file order).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sla_core::policy::{metric_name, priority_name};
use sla_core::replay::{replay_all, Driven};
use sla_core::{CachedTicket, ClockPhase, Metric, PolicySet, Priority, SlaEvent};
use sla_report::stats::{nearest_rank, percent};

use crate::input::{group_by_ticket, load_policies, progress_bar, read_events};

/// Summary output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table after the JSON lines.
    Text,
    /// One final JSON line `{"summary": ...}`.
    Json,
}

/// Arguments of `sla replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (YAML).
    #[arg(long)]
    pub policy: PathBuf,
    /// Canonical ticket events, one JSON object per line.
    pub events: PathBuf,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Stop the virtual clock here (RFC 3339; default: the latest `at` in the file).
    #[arg(long)]
    pub until: Option<DateTime<Utc>>,
    /// Print only the summary, not the SLA events.
    #[arg(long)]
    pub no_events: bool,
}

/// What one ticket's replay contributes.
struct TicketRun {
    /// (announced at, event), in announcement order.
    announced: Vec<(DateTime<Utc>, SlaEvent)>,
    clocks: Vec<ClockOutcome>,
    duplicates: usize,
}

struct ClockOutcome {
    policy: String,
    priority: Priority,
    metric: Metric,
    phase: ClockPhase,
    elapsed: i64,
}

/// Keeps what the summary needs of one driven ticket.
fn outcome(policies: &PolicySet, driven: Driven<CachedTicket>, until: DateTime<Utc>) -> TicketRun {
    let clocks = driven
        .ticket
        .evaluate(policies, until)
        .clocks
        .into_iter()
        .filter_map(|clock| {
            Some(ClockOutcome {
                policy: clock.policy?,
                priority: clock.priority?,
                metric: clock.metric,
                phase: clock.state,
                elapsed: clock.elapsed_seconds,
            })
        })
        .collect();
    TicketRun {
        announced: driven.announced,
        clocks,
        duplicates: driven.duplicates,
    }
}

/// Runs the replay.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policies = load_policies(&args.policy)?;
    let events = read_events(&args.events)?;
    let Some(latest) = events.iter().map(|e| e.at).max() else {
        bail!("{}: no events", args.events.display());
    };
    let until = args.until.unwrap_or(latest);
    let total_events = events.len();
    let tickets = group_by_ticket(events);
    let ticket_count = tickets.len();
    let progress = progress_bar(total_events as u64);
    let runs = replay_all(
        &policies,
        tickets,
        until,
        &|events| progress.inc(events as u64),
        |driven| outcome(&policies, driven, until),
    );
    progress.finish_and_clear();

    let mut announced: Vec<(DateTime<Utc>, usize, usize, &SlaEvent)> = runs
        .iter()
        .enumerate()
        .flat_map(|(t, run)| {
            run.announced
                .iter()
                .enumerate()
                .map(move |(i, (at, e))| (*at, t, i, e))
        })
        .collect();
    announced.sort_by_key(|(at, t, i, _)| (*at, *t, *i));
    let counts = (ticket_count, total_events, announced.len());
    let summary = Summary::from_runs(&policies, &runs, counts, until);
    let events: Vec<&SlaEvent> = if args.no_events {
        Vec::new()
    } else {
        announced.iter().map(|(_, _, _, e)| *e).collect()
    };
    match write_output(&events, &summary, args.format) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing the output")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// SLA events as JSON lines, then the summary; a closed pipe ends it quietly.
fn write_output(events: &[&SlaEvent], summary: &Summary, format: Format) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    for event in events {
        serde_json::to_writer(&mut out, event)?;
        out.write_all(b"\n")?;
    }
    match format {
        Format::Text => out.write_all(summary.to_text().as_bytes())?,
        Format::Json => {
            serde_json::to_writer(&mut out, &serde_json::json!({ "summary": summary }))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

/// The compliance summary (`--format json` prints it as `{"summary": ...}`).
#[derive(Debug, Serialize)]
struct Summary {
    until: DateTime<Utc>,
    tickets: usize,
    events: usize,
    duplicates: usize,
    sla_events: usize,
    rows: Vec<SummaryRow>,
}

/// Cycles of one policy × priority × metric (the terms in force at the end of each cycle).
#[derive(Debug, Serialize)]
struct SummaryRow {
    policy: String,
    priority: String,
    metric: String,
    /// Distinct tickets with at least one such cycle.
    tickets: usize,
    cycles: usize,
    met: usize,
    breached: usize,
    cancelled: usize,
    /// Still running or paused at `until`.
    open: usize,
    /// met / (met + breached), in percent; null when none is decided.
    met_percent: Option<f64>,
    /// Nearest-rank median of business seconds used by met and breached cycles.
    median_elapsed_seconds: Option<i64>,
    /// Nearest-rank 90th percentile of the same.
    p90_elapsed_seconds: Option<i64>,
}

#[derive(Default)]
struct Tally {
    tickets: usize,
    cycles: usize,
    met: usize,
    breached: usize,
    cancelled: usize,
    open: usize,
    elapsed: Vec<i64>,
}

impl Summary {
    fn from_runs(
        policies: &PolicySet,
        runs: &[TicketRun],
        counts: (usize, usize, usize),
        until: DateTime<Utc>,
    ) -> Summary {
        let (tickets, events, sla_events) = counts;
        let order = |name: &str| policies.policies().iter().position(|p| p.name == name);
        let mut tallies: BTreeMap<(Option<usize>, String, Reverse<Priority>, Metric), Tally> =
            BTreeMap::new();
        for run in runs {
            let mut seen: Vec<(&str, Priority, Metric)> = Vec::new();
            for clock in &run.clocks {
                let tally = tallies
                    .entry((
                        order(&clock.policy),
                        clock.policy.clone(),
                        Reverse(clock.priority),
                        clock.metric,
                    ))
                    .or_default();
                let key = (clock.policy.as_str(), clock.priority, clock.metric);
                if !seen.contains(&key) {
                    seen.push(key);
                    tally.tickets += 1;
                }
                tally.cycles += 1;
                match clock.phase {
                    ClockPhase::Met => tally.met += 1,
                    ClockPhase::Breached => tally.breached += 1,
                    ClockPhase::Cancelled => tally.cancelled += 1,
                    ClockPhase::Running | ClockPhase::Paused | ClockPhase::Untracked => {
                        tally.open += 1
                    }
                }
                if matches!(clock.phase, ClockPhase::Met | ClockPhase::Breached) {
                    tally.elapsed.push(clock.elapsed);
                }
            }
        }
        let rows = tallies
            .into_iter()
            .map(|((_, policy, Reverse(priority), metric), mut tally)| {
                tally.elapsed.sort_unstable();
                let decided = tally.met + tally.breached;
                SummaryRow {
                    policy,
                    priority: priority_name(&priority),
                    metric: metric_name(&metric),
                    tickets: tally.tickets,
                    cycles: tally.cycles,
                    met: tally.met,
                    breached: tally.breached,
                    cancelled: tally.cancelled,
                    open: tally.open,
                    met_percent: percent(tally.met, decided),
                    median_elapsed_seconds: nearest_rank(&tally.elapsed, 50.0),
                    p90_elapsed_seconds: nearest_rank(&tally.elapsed, 90.0),
                }
            })
            .collect();
        Summary {
            until,
            tickets,
            events,
            duplicates: runs.iter().map(|r| r.duplicates).sum(),
            sla_events,
            rows,
        }
    }

    fn to_text(&self) -> String {
        let header = [
            "POLICY",
            "PRIORITY",
            "METRIC",
            "TICKETS",
            "CYCLES",
            "MET",
            "BREACHED",
            "CANCELLED",
            "OPEN",
            "MET%",
            "MEDIAN",
            "P90",
        ];
        let duration =
            |s: Option<i64>| s.map_or("-".to_string(), sla_core::duration::format_duration);
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.policy.clone(),
                    r.priority.clone(),
                    r.metric.clone(),
                    r.tickets.to_string(),
                    r.cycles.to_string(),
                    r.met.to_string(),
                    r.breached.to_string(),
                    r.cancelled.to_string(),
                    r.open.to_string(),
                    r.met_percent.map_or("-".into(), |p| format!("{p:.1}%")),
                    duration(r.median_elapsed_seconds),
                    duration(r.p90_elapsed_seconds),
                ]
            })
            .collect();
        format!(
            "\nreplayed {} events ({} duplicates dropped) of {} tickets until {}: {} SLA events\n\n{}",
            self.events,
            self.duplicates,
            self.tickets,
            self.until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.sla_events,
            crate::table::table(&header, &rows)
        )
    }
}
