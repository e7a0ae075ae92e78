//! `sla check POLICY.yaml`: validates a policy file, prints its targets as a table and
//! warns about ambiguities. Exit status 1 when the file is invalid.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use sla_core::calendar::IcsSources;
use sla_core::duration::{format_duration, WarnThreshold};
use sla_core::policy::{
    metric_name, priority_name, status_name, Policy, PolicyError, StartOn, Version,
};
use sla_core::sla_event::METRICS;
use sla_core::{Metric, PolicySet, Priority, Status};

use crate::table::table;

/// Arguments of `sla check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (YAML).
    pub policy: PathBuf,
    /// A tenants file: also check the file's actions against each tenant's helpdesks
    /// and chat channels.
    #[arg(long)]
    pub tenants: Option<PathBuf>,
}

/// Validates and prints the table; errors go to stderr with exit status 1.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let yaml = std::fs::read_to_string(&args.policy)
        .with_context(|| format!("reading {}", args.policy.display()))?;
    let (policies, ics) = match compile_file(&args.policy, &yaml) {
        Ok(compiled) => compiled,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(tenants) = &args.tenants {
        let errors = crate::actions::tenant_errors(&args.policy, &yaml, &policies, tenants)?;
        for err in &errors {
            eprintln!("error: {err}");
        }
        if !errors.is_empty() {
            return Ok(ExitCode::from(1));
        }
    }
    let mut stale = stale_ics(&ics, Utc::now().date_naive());
    stale.extend(crate::actions::warnings(&policies));
    print!("{}", render(&policies, &stale));
    Ok(ExitCode::SUCCESS)
}

/// Compiles the policy file at `path` (text `yaml`) with the `holidays_ics` files its
/// calendars name, read relative to it.
fn compile_file(path: &Path, yaml: &str) -> Result<(PolicySet, IcsSources), PolicyError> {
    sla_app::tenants::compile_policy_file(path, yaml)
}

/// `.ics` files with no holiday in the year from `today`.
fn stale_ics(ics: &IcsSources, today: NaiveDate) -> Vec<String> {
    let next_year = today + chrono::Days::new(365);
    ics.without_events_between(today, next_year)
        .into_iter()
        .map(|path| {
            format!("{path}: no holiday between {today} and {next_year}; is the file out of date?")
        })
        .collect()
}

const PRIORITIES: [Priority; 4] = [
    Priority::Urgent,
    Priority::High,
    Priority::Normal,
    Priority::Low,
];
const STATUSES: [Status; 6] = [
    Status::New,
    Status::Open,
    Status::Pending,
    Status::OnHold,
    Status::Solved,
    Status::Closed,
];

/// The whole report: shared rules, then per version its policies (and what changed
/// from the previous one), the target table, then warnings.
fn render(policies: &PolicySet, more_warnings: &[String]) -> String {
    let versions = policies.versions();
    let mut out = match versions {
        [only] if only.effective_from.is_none() => format!(
            "{}: {} policies, valid\n\n",
            policies.source(),
            only.policies.len()
        ),
        _ => format!(
            "{}: {} policy versions, valid (apply_to: {})\n\n",
            policies.source(),
            versions.len(),
            apply_to_name(policies)
        ),
    };
    out.push_str(&shared_rules(policies));
    let rendered: Vec<String> = versions
        .iter()
        .map(|version| render_version(policies, version))
        .collect();
    out.push_str(&rendered.join("\n"));
    out.push_str(&crate::actions::check_table(policies));
    let warnings: Vec<String> = policies
        .warnings()
        .iter()
        .map(ToString::to_string)
        .chain(more_warnings.iter().cloned())
        .collect();
    if !warnings.is_empty() {
        out.push('\n');
        for warning in warnings {
            out.push_str(&format!("warning: {}: {warning}\n", policies.source()));
        }
    }
    out
}

fn apply_to_name(policies: &PolicySet) -> &'static str {
    match policies.apply_to() {
        sla_core::policy::ApplyTo::NewTickets => "new_tickets",
        sla_core::policy::ApplyTo::OpenTickets => "open_tickets",
    }
}

/// `exclude`, `priority_rules` and `acknowledgement_tags`, when set.
fn shared_rules(policies: &PolicySet) -> String {
    let document = policies.document();
    let mut out = String::new();
    let exclude = &document.exclude;
    for (key, values) in [
        ("tags", &exclude.tags),
        ("channels", &exclude.channels),
        ("organizations", &exclude.organizations),
    ] {
        if !values.is_empty() {
            out.push_str(&format!(
                "exclude: tickets whose {key} include one of [{}] get no clocks\n",
                values.join(", ")
            ));
        }
    }
    for (index, rule) in document.priority_rules.iter().enumerate() {
        out.push_str(&format!(
            "priority_rules[{index}]: raise to {} when {}\n",
            priority_name(&rule.raise_to),
            rule.when.describe()
        ));
    }
    if !document.acknowledgement_tags.is_empty() {
        out.push_str(&format!(
            "acknowledgement_tags: a public agent reply adding one of [{}] meets acknowledgement only\n",
            document.acknowledgement_tags.join(", ")
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// One version: heading and changes (dated versions only), policies, target table.
fn render_version(policies: &PolicySet, version: &Version) -> String {
    let mut out = String::new();
    if let Some(from) = version.effective_from {
        out.push_str(&format!(
            "version {} (versions[{}]), effective from {}:\n",
            version.index + 1,
            version.index,
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
        if version.index > 0 {
            let changes = policies.version_changes(version.index);
            if changes.is_empty() {
                out.push_str("  no target changed from the previous version\n");
            }
            for change in changes {
                out.push_str(&format!("  {change}\n"));
            }
        }
    }
    for policy in &version.policies {
        out.push_str(&format!(
            "{}. {}: applies when {}; on_priority_change: {}{}\n",
            policy.index + 1,
            policy.name,
            policy.match_reason(),
            match policy.on_priority_change {
                sla_core::policy::OnPriorityChange::KeepStart => "keep_start",
                sla_core::policy::OnPriorityChange::Restart => "restart",
            },
            starts(policy)
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
    let rows: Vec<Vec<String>> = version.policies.iter().flat_map(rows_of).collect();
    out.push_str(&table(&header, &rows));
    out
}

/// `; starts first_response on assignment` for metrics with `start: assigned`.
fn starts(policy: &Policy) -> String {
    let assigned: Vec<String> = METRICS
        .iter()
        .filter(|m| policy.start_on(**m) == StartOn::Assigned)
        .map(metric_name)
        .collect();
    if assigned.is_empty() {
        String::new()
    } else {
        format!("; starts {} on assignment", assigned.join(", "))
    }
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
