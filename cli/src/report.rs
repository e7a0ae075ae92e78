//! `sla report --policy P EVENTS.jsonl`: replays the history (the same driver as
//! `sla replay`) and reports compliance by any dimension and period, credible targets,
//! and optionally the same history under a second policy side by side.
//!
//! Each bucket of tickets is replayed on its own core into a `sla_report::ReportBuilder`
//! (every ticket's record is added, then dropped), and the builders merge: memory grows
//! with the report's rows and distinct durations, not with the tickets. `--cycles` rows
//! go to sorted runs on disk, merged into ticket order like `sla replay`'s SLA events.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sla_core::chrono_tz::Tz;
use sla_core::replay::replay_ticket;
use sla_core::{PolicySet, TicketEvent};
use sla_report::{
    ticket_record, Dimension, PageData, PeriodUnit, Report, ReportBuilder, ReportOptions,
    TicketRecord,
};

use crate::input::{
    load_policies, merge, progress_bar, read_events, sort_key, Buckets, RunBuffer, Tickets,
};

/// Report output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people.
    Text,
    /// One JSON document (`sla schema report`).
    Json,
    /// The rows table as CSV.
    Csv,
    /// One self-contained HTML page: tables and inline SVG charts, no network requests.
    Html,
}

/// Calendar period of the `period` dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
}

/// Arguments of `sla report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (YAML).
    #[arg(long)]
    pub policy: PathBuf,
    /// Canonical ticket events, one JSON object per line (as `sla replay` reads; `-`:
    /// stdin; gzip is read too).
    pub events: PathBuf,
    /// Row dimensions, comma-separated: policy, priority, metric, segment, group,
    /// assignee, organization, channel, vendor, period.
    #[arg(long, default_value = "policy,priority,metric")]
    pub by: String,
    /// Period of the `period` dimension.
    #[arg(long, value_enum, default_value = "week")]
    pub period: Period,
    /// Time zone of periods (IANA name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// Leave out cycles that ended before this instant (RFC 3339).
    #[arg(long)]
    pub from: Option<DateTime<Utc>>,
    /// Stop the virtual clock here (RFC 3339; default: the latest `at` in the file).
    #[arg(long)]
    pub until: Option<DateTime<Utc>>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write one CSV row per cycle here (the drill-down).
    #[arg(long)]
    pub cycles: Option<PathBuf>,
    /// The share of completed cycles a recommended target must cover, in percent.
    #[arg(long, default_value_t = 90.0)]
    pub target_percent: f64,
    /// Replay the same history under this policy file too and compare.
    #[arg(long)]
    pub compare_policy: Option<PathBuf>,
    /// HTML: link worst tickets to the helpdesk with this template
    /// (`https://acme.zendesk.com/agent/tickets/{ticket_id}`; `{tenant}` too).
    #[arg(long, value_name = "TEMPLATE")]
    pub ticket_url: Option<String>,
    /// Compare each cycle with the helpdesk's own verdicts in these files or directories
    /// (repeatable) instead of reporting compliance; see docs/import.md.
    #[arg(long, value_name = "FILE")]
    pub agreement: Vec<PathBuf>,
    /// Whose verdicts `--agreement` reads.
    #[arg(long, value_enum, default_value = "zendesk")]
    pub agreement_vendor: crate::report_agreement::Vendor,
    /// Jira SLA name to our metric, `NAME=METRIC` (repeatable; adds to or overrides
    /// `Time to first response=first_response`, `Time to resolution=resolution`).
    #[arg(long, value_name = "NAME=METRIC")]
    pub jira_sla_map: Vec<String>,
}

/// Runs the report.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = options(&args)?;
    let html = html_options(&args)?;
    let policies = load_policies(&args.policy)?;
    let proposed = args
        .compare_policy
        .as_deref()
        .map(load_policies)
        .transpose()?;
    if !args.agreement.is_empty() {
        return agreement(&args, &policies);
    }
    let input = Buckets::read(&args.events)?;
    let Some(latest) = input.latest else {
        bail!("{}: no events", args.events.display());
    };
    let until = args.until.unwrap_or(latest);
    let options = ReportOptions {
        until,
        policy_order: policy_order(&policies),
        ..options
    };
    let proposed_options = proposed.as_ref().map(|proposed| ReportOptions {
        policy_order: policy_order(proposed),
        ..options.clone()
    });
    let plan = Plan {
        policies: &policies,
        options: &options,
        proposed: proposed.as_ref().zip(proposed_options.as_ref()),
        worst: (args.format == Format::Html).then_some(html.worst),
        cycles: args.cycles.is_some(),
    };
    let total = input.events as u64 * if proposed.is_some() { 2 } else { 1 };
    let progress = progress_bar(total);
    let gathered = replay(&input, &plan, &progress)?;
    progress.finish_and_clear();

    let (mut report, data) = gathered.ours.finish();
    if let Some(theirs) = gathered.theirs {
        report.compare_with(&theirs.finish().0);
    }
    if let Some(path) = &args.cycles {
        write_file(path, |out| write_cycles(&input, &gathered.runs, out))?;
    }
    let page = Page {
        data: &data,
        options: &options,
        html: &html,
    };
    let write = |out: &mut dyn Write| write_report(&report, args.format, &page, out);
    match &args.out {
        Some(path) => write_file(path, |out| write(out))?,
        None => match write(&mut std::io::stdout().lock()) {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("writing the report")?,
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// The options given on the command line (`until` and the policy order come later).
fn options(args: &Args) -> anyhow::Result<ReportOptions> {
    let by = Dimension::parse_list(&args.by)?;
    if by.is_empty() {
        bail!("--by: name at least one dimension");
    }
    let timezone: Tz = args
        .timezone
        .parse()
        .map_err(|_| anyhow::anyhow!("--timezone: unknown time zone {:?}", args.timezone))?;
    if !(args.target_percent > 0.0 && args.target_percent <= 100.0) {
        bail!("--target-percent: expected a number in (0, 100]");
    }
    Ok(ReportOptions {
        by,
        period: match args.period {
            Period::Day => PeriodUnit::Day,
            Period::Week => PeriodUnit::Week,
            Period::Month => PeriodUnit::Month,
        },
        timezone,
        from: args.from,
        target_percent: args.target_percent,
        ..ReportOptions::default()
    })
}

/// The HTML page's options (`--ticket-url`), checked before the replay.
fn html_options(args: &Args) -> anyhow::Result<sla_report::HtmlOptions> {
    let ticket_url = args
        .ticket_url
        .as_deref()
        .map(sla_report::TicketUrl::parse)
        .transpose()
        .context("--ticket-url")?;
    Ok(sla_report::HtmlOptions {
        ticket_url,
        ..sla_report::HtmlOptions::default()
    })
}

fn policy_order(policies: &PolicySet) -> Vec<String> {
    policies.policies().iter().map(|p| p.name.clone()).collect()
}

/// `--agreement`: the whole history in memory, compared with the helpdesk's verdicts.
fn agreement(args: &Args, policies: &PolicySet) -> anyhow::Result<ExitCode> {
    let events = read_events(&args.events)?;
    let Some(latest) = events.iter().map(|e| e.at).max() else {
        bail!("{}: no events", args.events.display());
    };
    let until = args.until.unwrap_or(latest);
    crate::report_agreement::run(args, policies, events, until)?;
    Ok(ExitCode::SUCCESS)
}

/// What the report gathers of every ticket.
struct Plan<'a> {
    policies: &'a PolicySet,
    options: &'a ReportOptions,
    /// `--compare-policy` and its options.
    proposed: Option<(&'a PolicySet, &'a ReportOptions)>,
    /// Worst cycles per row, for the HTML page.
    worst: Option<usize>,
    /// Write the kept cycles as CSV rows (`--cycles`).
    cycles: bool,
}

/// The report under `--policy` (and `--compare-policy`) gathered from tickets, and the
/// sorted runs of their `--cycles` rows.
struct Gathered<'a> {
    ours: ReportBuilder<'a>,
    theirs: Option<ReportBuilder<'a>>,
    runs: Vec<PathBuf>,
}

impl<'a> Gathered<'a> {
    fn new(plan: &Plan<'a>) -> Gathered<'a> {
        Gathered {
            ours: ReportBuilder::new(plan.options, plan.worst),
            theirs: plan
                .proposed
                .map(|(_, options)| ReportBuilder::new(options, plan.worst)),
            runs: Vec::new(),
        }
    }

    fn merge(&mut self, other: Gathered) {
        self.ours.merge(other.ours);
        if let (Some(mine), Some(other)) = (&mut self.theirs, other.theirs) {
            mine.merge(other);
        }
        self.runs.extend(other.runs);
    }
}

/// Replays every ticket, one bucket per core, and gathers the report: each ticket's
/// record is added to its core's builders and dropped; the builders merge.
fn replay<'a>(
    input: &Buckets,
    plan: &Plan<'a>,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Gathered<'a>> {
    let until = plan.options.until;
    let bucket = |part: &mut Gathered<'a>, tickets: Tickets| -> anyhow::Result<()> {
        let mut run = RunBuffer::default();
        for (first, events) in tickets {
            let count = events.len() as u64;
            if let (Some(theirs), Some((proposed, _))) = (&mut part.theirs, plan.proposed) {
                progress.inc(count);
                theirs.add(first, &record(proposed, events.clone(), until));
            }
            progress.inc(count);
            let record = record(plan.policies, events, until);
            if plan.cycles {
                push_cycles(&mut run, first, &record, plan.options)?;
            }
            part.ours.add(first, &record);
        }
        if plan.cycles {
            let path = input.scratch_file("cycles");
            run.write(&path).context("writing a scratch file")?;
            part.runs.push(path);
        }
        Ok(())
    };
    let mut all = Gathered::new(plan);
    for part in input.fold(&|| Gathered::new(plan), &bucket)? {
        all.merge(part);
    }
    Ok(all)
}

/// The `--cycles` rows of a ticket first seen at input position `first`, keyed in
/// report order (ticket position, then cycle).
fn push_cycles(
    run: &mut RunBuffer,
    first: u64,
    record: &TicketRecord,
    options: &ReportOptions,
) -> std::io::Result<()> {
    for (index, cycle) in record.cycles.iter().enumerate() {
        if options.keeps(cycle) {
            let key = sort_key(DateTime::UNIX_EPOCH, first, index as u32);
            run.push(key, |out| sla_report::write_cycle_csv(cycle, out))?;
        }
    }
    Ok(())
}

/// The `--cycles` file: the header, then the rows merged from the runs.
fn write_cycles(input: &Buckets, runs: &[PathBuf], out: &mut impl Write) -> std::io::Result<()> {
    sla_report::write_cycles_csv(std::iter::empty(), out)?;
    merge(runs, &|| input.scratch_file("merged"), |row| {
        out.write_all(row)
    })
}

/// What the report needs of one ticket replayed under `policies`.
fn record(policies: &PolicySet, events: Vec<TicketEvent>, until: DateTime<Utc>) -> TicketRecord {
    let driven = replay_ticket(policies, events, until);
    let state = driven.ticket.evaluate(policies, until);
    ticket_record(policies, &state, &driven.ticket.sla().history)
}

/// What the HTML page reads beyond the report.
struct Page<'a> {
    data: &'a PageData,
    options: &'a ReportOptions,
    html: &'a sla_report::HtmlOptions,
}

fn write_report(
    report: &Report,
    format: Format,
    page: &Page,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(out);
    match format {
        Format::Json => report.write_json(&mut out)?,
        Format::Csv => report.csv_table().write_csv(&mut out)?,
        Format::Html => {
            sla_report::write_html(report, page.data, page.options, page.html, &mut out)?
        }
        Format::Text => {
            writeln!(out, "{}", report.heading())?;
            for table in report.tables() {
                let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
                write!(
                    out,
                    "\n{}\n\n{}",
                    table.title,
                    crate::table::table(&header, &table.text_rows())
                )?;
            }
        }
    }
    out.flush()
}

/// Creates `path` and writes it with `write`, naming the file in errors.
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::{example_inputs, policy};
    use crate::input::group_by_ticket;
    use sla_core::replay::replay_all;

    /// The straightforward fold: the whole history in memory, grouped and replayed.
    fn in_memory(policies: &PolicySet, path: &Path) -> Vec<TicketRecord> {
        let events = read_events(path).unwrap();
        let until = events.iter().map(|e| e.at).max().unwrap();
        replay_all(
            policies,
            group_by_ticket(events),
            until,
            &|_| {},
            |driven| {
                let state = driven.ticket.evaluate(policies, until);
                ticket_record(policies, &state, &driven.ticket.sla().history)
            },
        )
    }

    fn cycles_csv(input: &Buckets, runs: &[PathBuf]) -> Vec<u8> {
        let mut out = Vec::new();
        write_cycles(input, runs, &mut out).unwrap();
        out
    }

    #[test]
    fn bucketed_report_is_the_report_of_the_in_memory_fold() {
        let policies = load_policies(&policy()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let inputs = example_inputs(dir.path());
        let plain = &inputs[1].0;
        for (path, bucket_bytes) in &inputs {
            let reference = if path.extension() == Some("gz".as_ref()) {
                plain
            } else {
                path
            };
            let records = in_memory(&policies, reference);
            assert_eq!(records.len(), 300);
            let input = Buckets::read_with(path, *bucket_bytes).unwrap();
            let until = input.latest.unwrap();
            let options = ReportOptions {
                by: Dimension::parse_list("policy,priority,metric,group,period").unwrap(),
                from: Some(until - chrono::Duration::days(4)),
                until,
                policy_order: policy_order(&policies),
                ..ReportOptions::default()
            };
            let plan = Plan {
                policies: &policies,
                options: &options,
                proposed: Some((&policies, &options)),
                worst: Some(3),
                cycles: true,
            };
            let hidden = indicatif::ProgressBar::hidden();
            let gathered = replay(&input, &plan, &hidden).unwrap();
            let expected = ReportBuilder::new(&options, Some(3))
                .add_all(&records)
                .finish();
            let theirs = gathered.theirs.unwrap().finish();
            let got = gathered.ours.finish();
            assert!(got == expected, "{}", path.display());
            assert_eq!(got.0, Report::build(&records, &options));
            assert!(got.0.cycles > 100 && got.1 != PageData::default());
            assert_eq!(theirs.0, expected.0);
            let mut csv = Vec::new();
            let kept = sla_report::kept_cycles(&records, &options);
            sla_report::write_cycles_csv(kept, &mut csv).unwrap();
            assert!(
                cycles_csv(&input, &gathered.runs) == csv,
                "{}",
                path.display()
            );
        }
    }
}
