//! Turns a policy document into a `PolicySet`: compiles calendars, resolves calendar
//! names and statuses, and rejects what cannot work.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::document::{DeadlineRuleName, PolicyDocument, PolicyEntry, ALWAYS_OPEN};
use super::locate::line_of;
use super::{Policy, PolicyError, PolicySet, Target, Version};
use crate::calendar::{Calendar, DeadlineRule, IcsSources};
use crate::event::{Priority, Status};
use crate::sla_event::Metric;

pub(super) fn compile(
    source: &str,
    yaml: &str,
    ics: &IcsSources,
) -> Result<PolicySet, PolicyError> {
    let document: PolicyDocument =
        serde_norway::from_str(yaml).map_err(|err| syntax(source, err))?;
    let invalid = |field: String, reason: String| PolicyError::Invalid {
        file: source.to_string(),
        line: line_of(yaml, &field),
        field,
        reason,
    };
    let calendars = compile_calendars(&document, ics, &invalid)?;
    let versions = compile_versions(&document, &calendars, &invalid)?;
    let measures_acknowledgement = versions.iter().flat_map(|v| &v.policies).any(|p| {
        p.targets
            .values()
            .any(|t| t.contains_key(&Metric::Acknowledgement))
    });
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (source, yaml).hash(&mut hasher);
    Ok(PolicySet {
        source: source.to_string(),
        fingerprint: hasher.finish(),
        calendars,
        versions,
        apply_to: document.apply_to,
        exclude: document.exclude.clone(),
        priority_rules: document.priority_rules.clone(),
        acknowledgement_tags: document.acknowledgement_tags.clone(),
        measures_acknowledgement,
        document,
    })
}

fn compile_versions(
    document: &PolicyDocument,
    calendars: &BTreeMap<String, Arc<Calendar>>,
    invalid: &Invalid,
) -> Result<Vec<Version>, PolicyError> {
    let dated: Vec<(Option<DateTime<Utc>>, &[PolicyEntry])> =
        match (&document.policies, &document.versions) {
            (Some(policies), None) => vec![(None, &policies[..])],
            (None, Some(versions)) if !versions.is_empty() => versions
                .iter()
                .map(|v| (Some(v.effective_from), &v.policies[..]))
                .collect(),
            (None, Some(_)) => {
                return Err(invalid(
                    "versions".into(),
                    "empty: give at least one version".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "versions".into(),
                    "give either `policies` or `versions`, not both".into(),
                ))
            }
            (None, None) => {
                return Err(invalid(
                    "policies".into(),
                    "missing: give `policies` (or dated `versions`)".into(),
                ))
            }
        };
    let prefixes = document.policy_lists();
    let mut versions = Vec::with_capacity(dated.len());
    for (index, ((effective_from, entries), (prefix, _))) in
        dated.into_iter().zip(prefixes).enumerate()
    {
        let previous = versions.last().and_then(|v: &Version| v.effective_from);
        if let (Some(previous), Some(from)) = (previous, effective_from) {
            if from <= previous {
                return Err(invalid(
                    format!("versions[{index}].effective_from"),
                    format!("{from} is not after the previous version's {previous}; list versions oldest first"),
                ));
            }
        }
        let policies = compile_list(&prefix, entries, calendars, invalid)?;
        versions.push(Version {
            index,
            effective_from,
            policies,
        });
    }
    Ok(versions)
}

fn compile_list(
    prefix: &str,
    entries: &[PolicyEntry],
    calendars: &BTreeMap<String, Arc<Calendar>>,
    invalid: &Invalid,
) -> Result<Vec<Policy>, PolicyError> {
    let mut names = BTreeSet::new();
    let mut policies = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("{prefix}[{index}]");
        if !names.insert(entry.name.as_str()) {
            return Err(invalid(
                format!("{path}.name"),
                format!("{:?}: another policy already has this name", entry.name),
            ));
        }
        if entry.start.contains_key(&Metric::NextResponse) {
            return Err(invalid(
                format!("{path}.start.next_response"),
                "next_response starts on a customer comment; `start` applies to acknowledgement, first_response, periodic_update and resolution".into(),
            ));
        }
        policies.push(compile_policy(index, path, entry, calendars, invalid)?);
    }
    Ok(policies)
}

pub(super) fn syntax(source: &str, err: serde_norway::Error) -> PolicyError {
    let mut message = err.to_string();
    let line = err.location().map(|location| {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
        location.line()
    });
    let message = join_field(&message);
    PolicyError::Syntax {
        file: source.to_string(),
        line,
        message,
    }
}

/// Joins `path: field: reason` (a field error raised inside a map, see
/// `PriorityTargetsEntry`) into `path.field: reason`.
fn join_field(message: &str) -> String {
    let is_name =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut parts = message.splitn(3, ": ");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(path), Some(field), Some(rest)) if !path.contains(' ') && is_name(field) => {
            format!("{path}.{field}: {rest}")
        }
        _ => message.to_string(),
    }
}

type Invalid<'a> = dyn Fn(String, String) -> PolicyError + 'a;

fn compile_calendars(
    document: &PolicyDocument,
    ics: &IcsSources,
    invalid: &Invalid,
) -> Result<BTreeMap<String, Arc<Calendar>>, PolicyError> {
    if document.calendars.contains_key(ALWAYS_OPEN) {
        return Err(invalid(
            format!("calendars.{ALWAYS_OPEN}"),
            "24x7 is built in (always open); choose another name".into(),
        ));
    }
    let compiled = crate::calendar::compile_calendars(&document.calendars, ics)
        .map_err(|err| invalid(format!("calendars.{}", err.field), err.reason))?;
    let mut calendars: BTreeMap<String, Arc<Calendar>> = compiled
        .into_iter()
        .map(|(name, calendar)| (name, Arc::new(calendar)))
        .collect();
    calendars.insert(ALWAYS_OPEN.to_string(), Arc::new(Calendar::always_open()));
    Ok(calendars)
}

fn compile_policy(
    index: usize,
    path: String,
    entry: &PolicyEntry,
    calendars: &BTreeMap<String, Arc<Calendar>>,
    invalid: &Invalid,
) -> Result<Policy, PolicyError> {
    let field = |rest: &str| format!("{path}.{rest}");
    let rule = entry.deadline_rule.map(|rule| match rule {
        DeadlineRuleName::Earliest => DeadlineRule::Earliest,
        DeadlineRuleName::NextOpening => DeadlineRule::NextOpening,
    });
    let resolve = |name: &str, at: String| -> Result<Arc<Calendar>, PolicyError> {
        let calendar = calendars.get(name).ok_or_else(|| {
            let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
            invalid(
                at,
                format!("{name:?}: no such calendar (known: {})", known.join(", ")),
            )
        })?;
        Ok(match rule {
            Some(rule) => Arc::new(calendar.with_deadline_rule(rule)),
            None => Arc::clone(calendar),
        })
    };
    let policy_calendar = resolve(&entry.calendar, field("calendar"))?;
    let mut targets = BTreeMap::new();
    for (priority, written) in &entry.targets {
        let priority_key = super::priority_name(priority);
        let (calendar_name, calendar) = match &written.calendar {
            Some(name) => (
                name.clone(),
                resolve(name, field(&format!("targets.{priority_key}.calendar")))?,
            ),
            None => (entry.calendar.clone(), Arc::clone(&policy_calendar)),
        };
        let metrics: BTreeMap<Metric, Target> = written
            .metrics()
            .into_iter()
            .map(|(metric, seconds)| {
                let target = Target {
                    seconds,
                    calendar_name: calendar_name.clone(),
                    calendar: Arc::clone(&calendar),
                };
                (metric, target)
            })
            .collect();
        targets.insert(*priority, metrics);
    }
    Ok(Policy {
        name: entry.name.clone(),
        index,
        path: path.clone(),
        start: entry.start.clone(),
        when: entry.when.clone(),
        calendar: entry.calendar.clone(),
        warn_at: entry.warn_at.iter().map(|t| t.0.clone()).collect(),
        on_priority_change: entry.on_priority_change,
        targets,
        pause: entry
            .pause
            .iter()
            .map(|(metric, names)| {
                (
                    *metric,
                    names.iter().filter_map(|n| parse_status(n)).collect(),
                )
            })
            .collect(),
    })
}

/// A status name as written in `pause`, or None for an unknown name (a lint warning).
pub(super) fn parse_status(name: &str) -> Option<Status> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// All priorities, lowest first.
pub(super) const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
];
