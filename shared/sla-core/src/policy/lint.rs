//! Warnings about policy files that are valid but probably not what was meant.

use std::collections::BTreeSet;
use std::fmt;

use super::compile::{parse_status, PRIORITIES};
use super::document::{StartOn, WhenEntry};
use super::{metric_name, priority_name, Policy, PolicySet};
use crate::duration::WarnThreshold;
use crate::sla_event::METRICS;

mod rules;

/// A warning about a valid policy file, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWarning {
    /// Field path, e.g. `policies[1]` or `calendars.paris`.
    pub field: String,
    /// What looks wrong and what it causes.
    pub message: String,
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub(super) fn warnings(set: &PolicySet) -> Vec<PolicyWarning> {
    let mut out = Vec::new();
    for version in set.versions() {
        if version.policies.is_empty() {
            let field = match version.effective_from {
                Some(_) => format!("versions[{}].policies", version.index),
                None => "policies".into(),
            };
            out.push(warning(
                &field,
                "no policies: no ticket gets SLA clocks".into(),
            ));
        }
        shadowed(&version.policies, &mut out);
        missing_targets(&version.policies, &mut out);
        warning_thresholds(&version.policies, &mut out);
        starts(&version.policies, &mut out);
        excluded_policies(set, &version.policies, &mut out);
    }
    unknown_statuses(set, &mut out);
    calendars(set, &mut out);
    rules::shared_rules(set, &mut out);
    out
}

fn warning(field: &str, message: String) -> PolicyWarning {
    PolicyWarning {
        field: field.to_string(),
        message,
    }
}

/// `earlier` holds for every ticket `later` holds for.
fn covers(earlier: &WhenEntry, later: &WhenEntry) -> bool {
    fn key<T: PartialEq>(earlier: &[T], later: &[T]) -> bool {
        earlier.is_empty() || (!later.is_empty() && later.iter().all(|v| earlier.contains(v)))
    }
    key(&earlier.priority, &later.priority)
        && key(&earlier.channel, &later.channel)
        && key(&earlier.group, &later.group)
        && key(&earlier.segment, &later.segment)
        && key(&earlier.tags, &later.tags)
        && key(&earlier.vendor, &later.vendor)
        && key(&earlier.organization, &later.organization)
        && key(&earlier.assignee, &later.assignee)
}

fn shadowed(policies: &[Policy], out: &mut Vec<PolicyWarning>) {
    for (j, later) in policies.iter().enumerate() {
        if let Some(earlier) = policies[..j].iter().find(|e| covers(&e.when, &later.when)) {
            out.push(warning(
                &later.path,
                format!(
                    "policy {:?} is shadowed by {:?} ({}), which matches every ticket it matches; it never applies",
                    later.name, earlier.name, earlier.path
                ),
            ));
        }
    }
}

fn missing_targets(policies: &[Policy], out: &mut Vec<PolicyWarning>) {
    for policy in policies {
        for priority in PRIORITIES {
            let reachable =
                policy.when.priority.is_empty() || policy.when.priority.contains(&priority);
            let has_targets = policy.targets_of(priority).is_some_and(|t| !t.is_empty());
            if reachable && !has_targets {
                out.push(warning(
                    &format!("{}.targets", policy.path),
                    format!(
                        "policy {:?} has no targets for priority {}: its tickets of that priority get no clocks",
                        policy.name,
                        priority_name(&priority)
                    ),
                ));
            }
        }
    }
}

fn warning_thresholds(policies: &[Policy], out: &mut Vec<PolicyWarning>) {
    for policy in policies {
        let shortest = PRIORITIES
            .iter()
            .filter_map(|p| policy.targets_of(*p))
            .flat_map(|targets| targets.values().map(|t| t.seconds))
            .min();
        for (i, threshold) in policy.warn_at.iter().enumerate() {
            let field = format!("{}.warn_at[{i}]", policy.path);
            match threshold {
                WarnThreshold::Percent { basis_points } if *basis_points >= 10_000 => {
                    out.push(warning(
                        &field,
                        format!("{threshold} is at or above 100% of the target: it would never warn before the breach"),
                    ));
                }
                WarnThreshold::Lead { seconds } if shortest.is_some_and(|s| *seconds >= s) => {
                    out.push(warning(
                        &field,
                        format!("{threshold} before the deadline is at or beyond the start of the shortest target: no warning for those clocks"),
                    ));
                }
                _ => {}
            }
        }
    }
}

/// `start: assigned` on tickets that may never be assigned, or on a metric with no target.
fn starts(policies: &[Policy], out: &mut Vec<PolicyWarning>) {
    for policy in policies {
        for metric in METRICS {
            let field = format!("{}.start.{}", policy.path, metric_name(&metric));
            let targeted = PRIORITIES
                .iter()
                .any(|p| policy.target(*p, metric).is_some());
            if policy.start_on(metric) != StartOn::Assigned {
                continue;
            }
            if !targeted {
                out.push(warning(
                    &field,
                    format!(
                        "policy {:?} sets no {} target: this start has no effect",
                        policy.name,
                        metric_name(&metric)
                    ),
                ));
            } else if policy.when.assignee.is_empty() {
                out.push(warning(
                    &field,
                    format!("tickets of policy {:?} may never be assigned: their {} clock then never starts (and is never breached); add `assignee` to `when` or start on created", policy.name, metric_name(&metric)),
                ));
            }
        }
    }
}

/// Policies whose `when` only holds for excluded tickets.
fn excluded_policies(set: &PolicySet, policies: &[Policy], out: &mut Vec<PolicyWarning>) {
    let exclude = &set.document().exclude;
    for policy in policies {
        let when = &policy.when;
        let all_listed = |values: &[String], listed: &[String]| {
            !values.is_empty() && values.iter().all(|v| listed.contains(v))
        };
        let key = if all_listed(&when.tags, &exclude.tags) {
            "tags"
        } else if all_listed(&when.channel, &exclude.channels) {
            "channels"
        } else if all_listed(&when.organization, &exclude.organizations) {
            "organizations"
        } else {
            continue;
        };
        out.push(warning(
            &format!("{}.when", policy.path),
            format!(
                "policy {:?} only matches tickets that exclude.{key} excludes: it never applies",
                policy.name
            ),
        ));
    }
}

fn unknown_statuses(set: &PolicySet, out: &mut Vec<PolicyWarning>) {
    for (prefix, entries) in set.document().policy_lists() {
        for (index, entry) in entries.iter().enumerate() {
            for (metric, names) in &entry.pause {
                for (i, name) in names.iter().enumerate() {
                    if parse_status(name).is_none() {
                        out.push(warning(
                            &format!("{prefix}[{index}].pause.{}[{i}]", metric_name(metric)),
                            format!("{name:?} is not a status (new, open, pending, on_hold, solved, closed); it is ignored"),
                        ));
                    }
                }
            }
        }
    }
}

fn calendars(set: &PolicySet, out: &mut Vec<PolicyWarning>) {
    let lists = set.document().policy_lists();
    let used: BTreeSet<&str> = lists
        .iter()
        .flat_map(|(_, entries)| entries.iter())
        .flat_map(|p| {
            std::iter::once(p.calendar.as_str())
                .chain(p.targets.values().filter_map(|t| t.calendar.as_deref()))
        })
        .collect();
    for (name, spec) in &set.document().calendars {
        let field = format!("calendars.{name}");
        if let Some(calendar) = set.calendars.get(name) {
            if calendar.open_seconds_per_week_hint() == 0 {
                out.push(warning(
                    &field,
                    "open zero hours a week: deadlines on it only move through date overrides"
                        .into(),
                ));
            }
        }
        if !used.contains(name.as_str()) {
            out.push(warning(&field, "defined but no policy uses it".into()));
        }
        let spec = serde_json::to_value(spec).unwrap_or_default();
        for date in holiday_override_clashes(&spec) {
            out.push(warning(
                &format!("{field}.date_overrides.{date}"),
                format!("{date} is both a holiday and a date override; the holiday wins and the override is ignored"),
            ));
        }
    }
}

/// Override dates that a holiday (single date, range or yearly date) also covers.
fn holiday_override_clashes(spec: &serde_json::Value) -> Vec<String> {
    let overrides: Vec<&String> = spec
        .get("date_overrides")
        .and_then(|o| o.as_object())
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let holidays = spec
        .get("holidays")
        .and_then(|h| h.as_array())
        .cloned()
        .unwrap_or_default();
    overrides
        .into_iter()
        .filter(|date| holidays.iter().any(|h| holiday_covers(h, date)))
        .cloned()
        .collect()
}

fn holiday_covers(holiday: &serde_json::Value, date: &str) -> bool {
    let text = |key: &str| holiday.get(key).and_then(|v| v.as_str());
    if let Some(day) = holiday.as_str() {
        return day == date;
    }
    if let (Some(from), Some(to)) = (text("from"), text("to")) {
        return from <= date && date <= to;
    }
    if let Some(yearly) = text("yearly") {
        return date.get(5..) == Some(yearly);
    }
    false
}
