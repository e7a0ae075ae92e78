//! `sla report --policy P EVENTS.jsonl`: replays the history (the same driver as
//! `sla replay`) and reports compliance by any dimension and period, credible targets,
//! and optionally the same history under a second policy side by side.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sla_core::chrono_tz::Tz;
use sla_core::replay::replay_ticket;
use sla_core::{PolicySet, TicketEvent};
use sla_report::{ticket_record, Dimension, PeriodUnit, Report, ReportOptions, TicketRecord};

use crate::input::{load_policies, progress_bar, read_events, Buckets, Tickets, BUCKET_BYTES};

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
    // Half-size buckets: the records of every ticket stay in memory beside them.
    let input = Buckets::read_with(&args.events, BUCKET_BYTES / 2)?;
    let Some(latest) = input.latest else {
        bail!("{}: no events", args.events.display());
    };
    let until = args.until.unwrap_or(latest);
    let options = ReportOptions {
        until,
        policy_order: policy_order(&policies),
        ..options
    };
    let total = input.events as u64 * if proposed.is_some() { 2 } else { 1 };
    let progress = progress_bar(total);
    let (replayed, proposed_run) = replay(&input, &policies, proposed.as_ref(), until, &progress)?;
    progress.finish_and_clear();

    let mut report = Report::build(&replayed, &options);
    if let (Some(proposed), Some(proposed_run)) = (&proposed, &proposed_run) {
        let proposed_options = ReportOptions {
            policy_order: policy_order(proposed),
            ..options.clone()
        };
        report.compare_with(&Report::build(proposed_run, &proposed_options));
    }
    if let Some(path) = &args.cycles {
        let kept = sla_report::kept_cycles(&replayed, &options);
        write_file(path, |out| sla_report::write_cycles_csv(kept, out))?;
    }
    let page = Page {
        tickets: &replayed,
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

/// Records of every ticket, in ticket order.
type Records = Vec<TicketRecord>;

/// Replays every ticket (under `policies`, and under `proposed` when given) and keeps
/// what the report needs of each, in ticket order.
fn replay(
    input: &Buckets,
    policies: &PolicySet,
    proposed: Option<&PolicySet>,
    until: DateTime<Utc>,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<(Records, Option<Records>)> {
    let bucket = |tickets: Tickets| {
        let mut ours = Vec::with_capacity(tickets.len());
        let mut theirs = Vec::new();
        for (first, events) in tickets {
            let count = events.len() as u64;
            if let Some(proposed) = proposed {
                progress.inc(count);
                theirs.push((first, record(proposed, events.clone(), until)));
            }
            progress.inc(count);
            ours.push((first, record(policies, events, until)));
        }
        Ok((ours, theirs))
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for (mine, other) in input.map(&bucket)? {
        ours.extend(mine);
        theirs.extend(other);
    }
    let in_order = |mut records: Vec<(u64, TicketRecord)>| -> Records {
        records.sort_unstable_by_key(|(first, _)| *first);
        records.into_iter().map(|(_, record)| record).collect()
    };
    Ok((in_order(ours), proposed.map(|_| in_order(theirs))))
}

/// What the report needs of one ticket replayed under `policies`.
fn record(policies: &PolicySet, events: Vec<TicketEvent>, until: DateTime<Utc>) -> TicketRecord {
    let driven = replay_ticket(policies, events, until);
    let state = driven.ticket.evaluate(policies, until);
    ticket_record(policies, &state, &driven.ticket.sla().history)
}

/// What the HTML page reads beyond the report.
struct Page<'a> {
    tickets: &'a [TicketRecord],
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
            sla_report::write_html(report, page.tickets, page.options, page.html, &mut out)?
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
    fn in_memory(policies: &PolicySet, path: &Path) -> Records {
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

    #[test]
    fn bucketed_records_are_the_in_memory_fold_in_ticket_order() {
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
            let expected = in_memory(&policies, reference);
            let input = Buckets::read_with(path, *bucket_bytes).unwrap();
            let until = input.latest.unwrap();
            let hidden = indicatif::ProgressBar::hidden();
            let (ours, theirs) =
                replay(&input, &policies, Some(&policies), until, &hidden).unwrap();
            assert_eq!(expected.len(), 300);
            assert!(ours == expected, "{}", path.display());
            assert_eq!(theirs.as_ref(), Some(&expected));
        }
    }
}
