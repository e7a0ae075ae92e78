//! Jira Service Management's SLA answers (`GET /rest/servicedeskapi/request/{id}/sla`):
//! each SLA of a request with its completed cycles and ongoing cycle, as a typed list,
//! and as helpdesk verdicts for `sla report --agreement`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::Metric;
use sla_report::agreement::{HelpdeskOutcome, HelpdeskVerdicts, Verdict};

use crate::error::{ImportError, Location};
use crate::fields::{flag, text};
use crate::input::{json_records, Source};
use crate::report::Report;

/// One cycle of one SLA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraCycle {
    /// When it started.
    pub start: Option<DateTime<Utc>>,
    /// When it stopped (completed cycles).
    pub stop: Option<DateTime<Utc>>,
    /// When the goal ran (or runs) out.
    pub breach_time: Option<DateTime<Utc>>,
    /// Whether Jira says it breached.
    pub breached: bool,
    /// Elapsed time in milliseconds.
    pub elapsed_millis: i64,
    /// The goal in milliseconds.
    pub goal_millis: i64,
    /// True for the `ongoingCycle`.
    pub ongoing: bool,
}

/// One SLA of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraSla {
    /// The request (issue id or key, as in the answer's `_links.self`, else the file name).
    pub ticket_id: String,
    /// The SLA's name (`Time to first response`).
    pub name: String,
    /// Completed cycles in order, then the ongoing one.
    pub cycles: Vec<JiraCycle>,
}

/// The default SLA-name mapping: Jira's stock SLA names.
pub const DEFAULT_SLA_MAP: [(&str, Metric); 2] = [
    ("Time to first response", Metric::FirstResponse),
    ("Time to resolution", Metric::Resolution),
];

/// Parses `name=metric` (`--jira-sla-map`).
pub fn parse_sla_map_entry(entry: &str) -> Result<(String, Metric), String> {
    let (name, metric) = entry
        .rsplit_once('=')
        .ok_or_else(|| format!("{entry:?}: expected NAME=METRIC"))?;
    let metric = serde_json::from_value(Value::String(metric.trim().to_string()))
        .map_err(|_| format!("{entry:?}: unknown metric {:?}", metric.trim()))?;
    Ok((name.trim().to_string(), metric))
}

/// Reads every SLA answer page (or JSON line of one page) of the sources.
pub fn read_jira_slas(sources: &[Source]) -> Result<(Vec<JiraSla>, Report), ImportError> {
    let mut report = Report::default();
    let mut slas = Vec::new();
    for source in sources {
        for (index, page) in json_records(source)?.iter().enumerate() {
            let at = Location {
                file: source.name.clone(),
                record: index + 1,
                field: String::new(),
            };
            let fallback = ticket_of(page).unwrap_or_else(|| file_stem(&source.name));
            let Some(values) = page.get("values").and_then(Value::as_array) else {
                report.skip("SLA answer without values".to_string(), &at);
                continue;
            };
            if values.is_empty() {
                slas.push(JiraSla {
                    ticket_id: fallback.clone(),
                    name: String::new(),
                    cycles: Vec::new(),
                });
            }
            for (i, value) in values.iter().enumerate() {
                match sla(value, &fallback) {
                    Ok(sla) => slas.push(sla),
                    Err(reason) => report.skip(reason, &at.within(format!("values[{i}]"))),
                }
            }
        }
    }
    report.events = slas.len();
    Ok((slas, report))
}

/// The request id in `_links.self` (`.../request/{id}/sla...`).
fn ticket_of(value: &Value) -> Option<String> {
    let link = value.get("_links").and_then(|l| text(l, "self"))?;
    let (_, rest) = link.split_once("/request/")?;
    Some(rest.split('/').next()?.to_string()).filter(|t| !t.is_empty())
}

fn file_stem(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.split('.').next().unwrap_or(base).to_string()
}

fn sla(value: &Value, fallback: &str) -> Result<JiraSla, String> {
    let name = text(value, "name").ok_or("SLA without name")?;
    let mut cycles = Vec::new();
    if let Some(done) = value.get("completedCycles").and_then(Value::as_array) {
        for item in done {
            cycles.push(cycle(item, false)?);
        }
    }
    if let Some(ongoing) = value.get("ongoingCycle").filter(|v| v.is_object()) {
        cycles.push(cycle(ongoing, true)?);
    }
    Ok(JiraSla {
        ticket_id: ticket_of(value).unwrap_or_else(|| fallback.to_string()),
        name,
        cycles,
    })
}

fn cycle(value: &Value, ongoing: bool) -> Result<JiraCycle, String> {
    let millis = |key: &str| value.get(key)?.get("millis")?.as_i64();
    Ok(JiraCycle {
        start: date(value, "startTime"),
        stop: date(value, "stopTime"),
        breach_time: date(value, "breachTime"),
        breached: flag(value, "breached").ok_or("SLA cycle without breached")?,
        elapsed_millis: millis("elapsedTime").ok_or("SLA cycle without elapsedTime.millis")?,
        goal_millis: millis("goalDuration").ok_or("SLA cycle without goalDuration.millis")?,
        ongoing,
    })
}

/// A Jira date object (`epochMillis`, else `iso8601`).
fn date(value: &Value, key: &str) -> Option<DateTime<Utc>> {
    let date = value.get(key)?;
    date.get("epochMillis")
        .and_then(Value::as_i64)
        .and_then(DateTime::from_timestamp_millis)
        .filter(|at| sla_helpdesk::instant_in_range(*at))
        .or_else(|| date.get("iso8601").and_then(crate::fields::instant))
}

/// Verdicts from SLA answers, SLA names mapped by `map` (exact names). Cycle n of an SLA
/// is our cycle n; a breached cycle is breached at its `breachTime` (completed without
/// one: its stop), a completed one met at its `stopTime`, an ongoing one open.
pub fn jira_verdicts(slas: &[JiraSla], map: &[(String, Metric)]) -> HelpdeskVerdicts {
    let mut out = HelpdeskVerdicts::default();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    for sla in slas {
        out.without_sla.insert(sla.ticket_id.clone());
        if sla.name.is_empty() {
            continue;
        }
        let Some((_, metric)) = map.iter().find(|(name, _)| *name == sla.name) else {
            *unmapped.entry(sla.name.clone()).or_default() += sla.cycles.len();
            continue;
        };
        for (n, cycle) in (1u32..).zip(&sla.cycles) {
            let Some(outcome) = outcome(cycle) else {
                continue;
            };
            out.verdicts.push(Verdict {
                ticket_id: sla.ticket_id.clone(),
                metric: *metric,
                cycle: n,
                name: format!("{}#{n}", sla.name),
                outcome,
                target_seconds: Some(cycle.goal_millis / 1000),
            });
        }
    }
    for verdict in &out.verdicts {
        out.without_sla.remove(&verdict.ticket_id);
    }
    out.unmapped = unmapped;
    out
}

fn outcome(cycle: &JiraCycle) -> Option<HelpdeskOutcome> {
    Some(match cycle {
        JiraCycle { breached: true, .. } => HelpdeskOutcome::Breached {
            at: cycle.breach_time.or(cycle.stop)?,
        },
        JiraCycle { ongoing: true, .. } => HelpdeskOutcome::Open,
        _ => HelpdeskOutcome::Met { at: cycle.stop? },
    })
}
