//! `sla check POLICY.yaml`: validates a policy file, prints its targets as a table and
//! warns about ambiguities. Exit status 1 when the file is invalid.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sla_core::duration::{format_duration, WarnThreshold};
use sla_core::policy::{metric_name, priority_name, status_name, Policy};
use sla_core::{Metric, PolicySet, Priority, Status};

/// Arguments of `sla check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (YAML).
    pub policy: PathBuf,
}

/// Validates and prints the table; errors go to stderr with exit status 1.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let yaml = std::fs::read_to_string(&args.policy)
        .with_context(|| format!("reading {}", args.policy.display()))?;
    let policies = match PolicySet::from_yaml(&args.policy.display().to_string(), &yaml) {
        Ok(policies) => policies,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(1));
        }
    };
    print!("{}", render(&policies));
    Ok(ExitCode::SUCCESS)
}

const PRIORITIES: [Priority; 4] = [
    Priority::Urgent,
    Priority::High,
    Priority::Normal,
    Priority::Low,
];
const METRICS: [Metric; 4] = [
    Metric::FirstResponse,
    Metric::NextResponse,
    Metric::PeriodicUpdate,
    Metric::Resolution,
];
const STATUSES: [Status; 6] = [
    Status::New,
    Status::Open,
    Status::Pending,
    Status::OnHold,
    Status::Solved,
    Status::Closed,
];

/// The whole report: policies, target table, warnings.
fn render(policies: &PolicySet) -> String {
    let mut out = format!(
        "{}: {} policies, valid\n\n",
        policies.source(),
        policies.policies().len()
    );
    for policy in policies.policies() {
        out.push_str(&format!(
            "{}. {}: applies when {}; on_priority_change: {}\n",
            policy.index + 1,
            policy.name,
            policy.match_reason(),
            match policy.on_priority_change {
                sla_core::policy::OnPriorityChange::KeepStart => "keep_start",
                sla_core::policy::OnPriorityChange::Restart => "restart",
            }
        ));
    }
    out.push('\n');
    let header = [
        "POLICY",
        "PRIORITY",
        "METRIC",
        "TARGET",
        "CALENDAR",
        "WARNINGS AT",
        "PAUSED BY",
    ];
    let rows: Vec<Vec<String>> = policies.policies().iter().flat_map(rows_of).collect();
    out.push_str(&table(&header, &rows));
    let warnings = policies.warnings();
    if !warnings.is_empty() {
        out.push('\n');
        for warning in warnings {
            out.push_str(&format!("warning: {}: {warning}\n", policies.source()));
        }
    }
    out
}

fn rows_of(policy: &Policy) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for priority in PRIORITIES {
        for metric in METRICS {
            let Some(target) = policy.target(priority, metric) else {
                continue;
            };
            rows.push(vec![
                policy.name.clone(),
                priority_name(&priority),
                metric_name(&metric),
                format_duration(target.seconds),
                target.calendar_name.clone(),
                warnings_at(&policy.warn_at, target.seconds),
                pausing_statuses(policy, metric),
            ]);
        }
    }
    rows
}

/// `75% (45m)` style: each threshold and the business time into the cycle it fires at.
fn warnings_at(thresholds: &[WarnThreshold], target: i64) -> String {
    let parts: Vec<String> = thresholds
        .iter()
        .map(|threshold| match (threshold, threshold.budget(target)) {
            (WarnThreshold::Percent { .. }, Some(at)) => {
                format!("{threshold} ({})", format_duration(at))
            }
            (WarnThreshold::Lead { .. }, Some(at)) => {
                format!("{threshold} before ({})", format_duration(at))
            }
            (_, None) => format!("{threshold} (never)"),
        })
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

fn pausing_statuses(policy: &Policy, metric: Metric) -> String {
    let names: Vec<String> = STATUSES
        .iter()
        .filter(|s| policy.pauses(metric, **s))
        .map(status_name)
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}

/// Left-aligned columns separated by two spaces.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
