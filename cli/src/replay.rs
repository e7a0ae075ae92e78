//! `sla replay --policy P EVENTS.jsonl`: runs an event history through the engine with
//! a virtual clock, prints the SLA events as JSON lines and a compliance summary.
//!
//! The history runs through `sla_core::replay` (see there for its semantics), up to
//! `--until` (default: the latest `at` in the file); the output is sorted by the instant
//! each SLA event was announced, then by ticket (file order). The input is read in
//! bounded memory (`crate::input::Buckets`): each bucket of tickets writes its SLA events
//! as a sorted run on disk, and the runs are merged into the output.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sla_core::policy::{metric_name, priority_name};
use sla_core::replay::replay_ticket;
use sla_core::{ClockPhase, Metric, PolicySet, Priority, TicketState};
use sla_report::stats::{percent, Counts};

use crate::actions::TicketUrls;
use crate::input::{load_policies, merge, progress_bar, sort_key, Buckets, RunBuffer, Tickets};

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
    /// Canonical ticket events, one JSON object per line (`-`: stdin; gzip is read too).
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
    /// Print, instead of the SLA events, the autopilot actions they would trigger (JSON
    /// lines, one per action); nothing is called.
    #[arg(long)]
    pub dry_run_actions: bool,
    /// With `--dry-run-actions`: the tenants file (`sla serve --tenants`), whose
    /// `ticket_url` fills `{{ticket_url}}` in the actions' texts.
    #[arg(long, value_name = "FILE", requires = "dry_run_actions")]
    pub tenants: Option<PathBuf>,
}

/// Runs the replay.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policies = load_policies(&args.policy)?;
    // Read before the replay, so a bad tenants file fails fast.
    let urls = TicketUrls::read(args.tenants.as_deref())?;
    let input = Buckets::read(&args.events)?;
    let (summary, runs) = replay(&policies, &input, &args, &urls)?;
    let out = std::io::stdout().lock();
    match write_output(&input, &runs, &summary, args.format, out) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing the output")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Replays every bucket on all cores: the summary and the runs of SLA events.
fn replay(
    policies: &PolicySet,
    input: &Buckets,
    args: &Args,
    urls: &TicketUrls,
) -> anyhow::Result<(Summary, Vec<PathBuf>)> {
    let Some(latest) = input.latest else {
        bail!("{}: no events", args.events.display());
    };
    let until = args.until.unwrap_or(latest);
    let progress = progress_bar(input.events as u64);
    let replay = |part: &mut Part, tickets| {
        progress.inc(events_in(&tickets));
        replay_bucket(
            part,
            policies,
            tickets,
            until,
            input,
            !args.no_events,
            args.dry_run_actions.then_some(urls),
        )
    };
    let parts = input.fold(&Part::default, &replay)?;
    progress.finish_and_clear();
    Ok(Summary::from_parts(parts, input.events, until))
}

fn events_in(tickets: &Tickets) -> u64 {
    tickets.iter().map(|(_, events)| events.len() as u64).sum()
}

/// What the buckets of tickets one core replayed contribute.
#[derive(Default)]
struct Part {
    tickets: usize,
    duplicates: usize,
    sla_events: usize,
    tallies: Tallies,
    /// Each bucket's SLA events as JSON lines sorted by (instant, ticket, order), unless
    /// `--no-events`.
    runs: Vec<PathBuf>,
}

/// Replays a bucket's tickets into `part`: the summary's counts and, with `keep_events`,
/// the SLA events announced written as a sorted run.
fn replay_bucket(
    part: &mut Part,
    policies: &PolicySet,
    tickets: Tickets,
    until: DateTime<Utc>,
    input: &Buckets,
    keep_events: bool,
    actions: Option<&TicketUrls>,
) -> anyhow::Result<()> {
    part.tickets += tickets.len();
    let mut run = RunBuffer::default();
    for (first, events) in tickets {
        let driven = replay_ticket(policies, events, until);
        part.duplicates += driven.duplicates;
        part.sla_events += driven.announced.len();
        part.tallies
            .add(policies, &driven.ticket.evaluate(policies, until));
        if keep_events {
            for (index, (at, event)) in driven.announced.iter().enumerate() {
                let key = sort_key(*at, first, index as u32);
                if let Some(urls) = actions {
                    crate::actions::push_planned(&mut run, key, policies, urls, event)?;
                    continue;
                }
                run.push(key, |out| serde_json::to_writer(out, event))?;
            }
        }
    }
    if keep_events {
        let path = input.scratch_file("sla-events");
        run.write(&path).context("writing a scratch file")?;
        part.runs.push(path);
    }
    Ok(())
}

/// SLA events as JSON lines (merged from the runs), then the summary.
fn write_output(
    input: &Buckets,
    runs: &[PathBuf],
    summary: &Summary,
    format: Format,
    out: impl Write,
) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    merge(runs, &|| input.scratch_file("merged"), |line| {
        out.write_all(line)?;
        out.write_all(b"\n")
    })?;
    write_summary(summary, format, &mut out)?;
    out.flush()
}

fn write_summary(summary: &Summary, format: Format, out: &mut impl Write) -> std::io::Result<()> {
    match format {
        Format::Text => out.write_all(summary.to_text().as_bytes()),
        Format::Json => {
            serde_json::to_writer(&mut *out, &serde_json::json!({ "summary": summary }))?;
            out.write_all(b"\n")
        }
    }
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
    /// Business seconds of decided cycles, a count per distinct value.
    elapsed: Counts,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.tickets += other.tickets;
        self.cycles += other.cycles;
        self.met += other.met;
        self.breached += other.breached;
        self.cancelled += other.cancelled;
        self.open += other.open;
        self.elapsed.merge(other.elapsed);
    }
}

/// Tallies by (policy's place in the file, policy, priority, metric); the same whatever
/// the order tickets are added or merged in.
#[derive(Default)]
struct Tallies(BTreeMap<(Option<usize>, String, Reverse<Priority>, Metric), Tally>);

impl Tallies {
    /// Counts the cycles of one ticket's clocks (those with a policy and a priority).
    fn add(&mut self, policies: &PolicySet, state: &TicketState) {
        let order = |name: &str| policies.policies().iter().position(|p| p.name == name);
        let mut seen: Vec<(&str, Priority, Metric)> = Vec::new();
        for clock in &state.clocks {
            let (Some(policy), Some(priority)) = (&clock.policy, clock.priority) else {
                continue;
            };
            let tally = self
                .0
                .entry((
                    order(policy),
                    policy.clone(),
                    Reverse(priority),
                    clock.metric,
                ))
                .or_default();
            let key = (policy.as_str(), priority, clock.metric);
            if !seen.contains(&key) {
                seen.push(key);
                tally.tickets += 1;
            }
            tally.cycles += 1;
            match clock.state {
                ClockPhase::Met => tally.met += 1,
                ClockPhase::Breached => tally.breached += 1,
                ClockPhase::Cancelled => tally.cancelled += 1,
                ClockPhase::Running | ClockPhase::Paused | ClockPhase::Untracked => tally.open += 1,
            }
            if matches!(clock.state, ClockPhase::Met | ClockPhase::Breached) {
                tally.elapsed.add(clock.elapsed_seconds);
            }
        }
    }

    fn merge(&mut self, other: Tallies) {
        for (key, tally) in other.0 {
            self.0.entry(key).or_default().merge(tally);
        }
    }
}

impl Summary {
    /// The summary of every bucket's part, and their runs of SLA events.
    fn from_parts(
        parts: Vec<Part>,
        events: usize,
        until: DateTime<Utc>,
    ) -> (Summary, Vec<PathBuf>) {
        let mut all = Part::default();
        let mut runs = Vec::new();
        for part in parts {
            all.tickets += part.tickets;
            all.duplicates += part.duplicates;
            all.sla_events += part.sla_events;
            all.tallies.merge(part.tallies);
            runs.extend(part.runs);
        }
        let rows = all
            .tallies
            .0
            .into_iter()
            .map(|((_, policy, Reverse(priority), metric), mut tally)| {
                tally.elapsed.compact();
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
                    median_elapsed_seconds: tally.elapsed.nearest_rank(50.0),
                    p90_elapsed_seconds: tally.elapsed.nearest_rank(90.0),
                }
            })
            .collect();
        let summary = Summary {
            until,
            tickets: all.tickets,
            events,
            duplicates: all.duplicates,
            sla_events: all.sla_events,
            rows,
        };
        (summary, runs)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::{example_inputs, policy};
    use crate::input::{group_by_ticket, read_events};
    use sla_core::replay::replay_all;

    /// The straightforward fold: the whole history in memory, grouped, replayed, sorted.
    fn in_memory(policies: &PolicySet, path: &std::path::Path, format: Format) -> Vec<u8> {
        let events = read_events(path).unwrap();
        let until = events.iter().map(|e| e.at).max().unwrap();
        let count = events.len();
        let tickets = group_by_ticket(events);
        let mut part = Part {
            tickets: tickets.len(),
            ..Part::default()
        };
        let runs = replay_all(policies, tickets, until, &|_| {}, |driven| driven);
        let mut announced = Vec::new();
        for (t, driven) in runs.iter().enumerate() {
            part.duplicates += driven.duplicates;
            part.sla_events += driven.announced.len();
            part.tallies
                .add(policies, &driven.ticket.evaluate(policies, until));
            for (i, (at, event)) in driven.announced.iter().enumerate() {
                announced.push((*at, t, i, event));
            }
        }
        announced.sort_by_key(|(at, t, i, _)| (*at, *t, *i));
        let mut out = Vec::new();
        for (_, _, _, event) in announced {
            serde_json::to_writer(&mut out, event).unwrap();
            out.push(b'\n');
        }
        let (summary, _) = Summary::from_parts(vec![part], count, until);
        write_summary(&summary, format, &mut out).unwrap();
        out
    }

    fn bucketed(
        policies: &PolicySet,
        path: &std::path::Path,
        bucket_bytes: u64,
        format: Format,
    ) -> Vec<u8> {
        let input = Buckets::read_with(path, bucket_bytes).unwrap();
        let args = Args {
            policy: policy(),
            events: path.to_path_buf(),
            format,
            until: None,
            no_events: false,
            dry_run_actions: false,
            tenants: None,
        };
        let (summary, runs) = replay(policies, &input, &args, &TicketUrls::default()).unwrap();
        let mut out = Vec::new();
        write_output(&input, &runs, &summary, format, &mut out).unwrap();
        out
    }

    #[test]
    fn bucketed_replay_prints_what_the_in_memory_fold_prints() {
        let policies = load_policies(&policy()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let inputs = example_inputs(dir.path());
        let plain = &inputs[1].0;
        for (path, bucket_bytes) in &inputs {
            for format in [Format::Text, Format::Json] {
                // The gzip file is the shuffled one; the fold reads its plain copy.
                let reference = if path.extension() == Some("gz".as_ref()) {
                    plain
                } else {
                    path
                };
                let expected = in_memory(&policies, reference, format);
                let got = bucketed(&policies, path, *bucket_bytes, format);
                assert!(expected.len() > 100_000, "{}", path.display());
                assert!(got == expected, "{} {format:?} differs", path.display());
            }
        }
    }
}
