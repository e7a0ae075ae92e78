//! `sla report --agreement FILE... --agreement-vendor zendesk|jira`: replays the history
//! and compares each cycle with the helpdesk's own verdict (Zendesk ticket metric events,
//! Jira SLA answers) instead of printing the compliance report.

use std::io::{BufWriter, Write};

use anyhow::{bail, Context};
use chrono::{DateTime, SecondsFormat, Utc};
use sla_core::replay::replay_all;
use sla_core::{ClockStep, PolicySet, TicketEvent};
use sla_import::jira_sla::{jira_verdicts, parse_sla_map_entry, read_jira_slas, DEFAULT_SLA_MAP};
use sla_import::zendesk_verdicts::zendesk_verdicts;
use sla_import::{read_metric_events, read_paths};
use sla_report::agreement::{our_cycles, Agreement, HelpdeskVerdicts};
use sla_report::Table;

use crate::input::{group_by_ticket, progress_bar};
use crate::report::{Args, Format};

/// Whose verdicts `--agreement` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Vendor {
    /// Zendesk ticket metric events (`/api/v2/incremental/ticket_metric_events`).
    Zendesk,
    /// Jira Service Management SLA answers (`/rest/servicedeskapi/request/{id}/sla`).
    Jira,
    /// Verdicts saved by `sla import zendesk --metric-events FILE --verdicts-out FILE`.
    Imported,
}

/// Replays `events` under `policies` until `until`, compares, writes the agreement.
pub fn run(
    args: &Args,
    policies: &PolicySet,
    events: Vec<TicketEvent>,
    until: DateTime<Utc>,
) -> anyhow::Result<()> {
    if !matches!(args.format, Format::Text | Format::Json | Format::Csv) {
        bail!("--agreement: use --format text, json or csv");
    }
    let theirs = verdicts(args)?;
    let progress = progress_bar(events.len() as u64);
    let ours: Vec<_> = replay_all(
        policies,
        group_by_ticket(events),
        until,
        &|n| progress.inc(n as u64),
        |driven| {
            our_cycles(
                &driven.ticket.evaluate(policies, until),
                &driven.ticket.sla().history,
            )
        },
    )
    .into_iter()
    .flatten()
    .collect();
    progress.finish_and_clear();
    let agreement = Agreement::build(&ours, &theirs);
    let write = |out: &mut dyn Write| write_agreement(&agreement, args.format, out);
    match &args.out {
        Some(path) => crate::report::write_file(path, |out| write(out))?,
        None => match write(&mut std::io::stdout().lock()) {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("writing the agreement")?,
        },
    }
    Ok(())
}

/// The helpdesk's verdicts from the `--agreement` files (unusable records on stderr).
fn verdicts(args: &Args) -> anyhow::Result<HelpdeskVerdicts> {
    match args.agreement_vendor {
        Vendor::Zendesk => {
            let (events, report) = read_metric_events(&read_paths(&args.agreement)?)?;
            eprint!("{report}");
            Ok(zendesk_verdicts(&events))
        }
        Vendor::Jira => {
            let (slas, report) = read_jira_slas(&read_paths(&args.agreement)?)?;
            eprint!("{report}");
            Ok(jira_verdicts(&slas, &sla_map(&args.jira_sla_map)?))
        }
        Vendor::Imported => saved_verdicts(&args.agreement),
    }
}

/// Verdicts saved by `sla import --verdicts-out` (one file, or several merged).
fn saved_verdicts(paths: &[std::path::PathBuf]) -> anyhow::Result<HelpdeskVerdicts> {
    let mut all = HelpdeskVerdicts::default();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--agreement {}: cannot read", path.display()))?;
        let saved: HelpdeskVerdicts = serde_json::from_str(&text).with_context(|| {
            format!(
                "--agreement {}: not a file saved by `sla import --verdicts-out`",
                path.display()
            )
        })?;
        all.verdicts.extend(saved.verdicts);
        all.without_sla.extend(saved.without_sla);
        for (name, count) in saved.unmapped {
            *all.unmapped.entry(name).or_default() += count;
        }
    }
    Ok(all)
}

/// The default SLA names, overridden or extended by `--jira-sla-map NAME=METRIC`.
fn sla_map(entries: &[String]) -> anyhow::Result<Vec<(String, sla_core::Metric)>> {
    let mut map: Vec<(String, sla_core::Metric)> = Vec::new();
    for entry in entries {
        match parse_sla_map_entry(entry) {
            Ok(pair) => map.push(pair),
            Err(message) => bail!("--jira-sla-map {message}"),
        }
    }
    for (name, metric) in DEFAULT_SLA_MAP {
        if !map.iter().any(|(n, _)| n == name) {
            map.push((name.to_string(), metric));
        }
    }
    Ok(map)
}

/// A clock step as `sla explain` prints it.
fn step_text(step: &ClockStep) -> String {
    let (at, text) = crate::explain::describe(step);
    format!("{} {text}", at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn write_agreement(
    agreement: &Agreement,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(out);
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, agreement)?;
            writeln!(out)?;
        }
        Format::Csv => agreement.rows_table(step_text).write_csv(&mut out)?,
        _ => {
            for table in [agreement.totals_table(), agreement.rows_table(step_text)] {
                write_text(&table, &mut out)?;
            }
            for (name, count) in &agreement.unmapped {
                writeln!(
                    out,
                    "not compared (no counterpart among our metrics): {name} x{count}"
                )?;
            }
        }
    }
    out.flush()
}

fn write_text(table: &Table, out: &mut impl Write) -> std::io::Result<()> {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    write!(
        out,
        "{}\n\n{}\n",
        table.title,
        crate::table::table(&header, &table.text_rows())
    )
}
