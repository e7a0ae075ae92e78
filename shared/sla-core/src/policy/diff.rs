//! What changed between two consecutive policy versions, target by target (`sla check`).

use std::collections::BTreeSet;
use std::fmt;

use super::compile::PRIORITIES;
use super::{metric_name, priority_name, Policy, PolicySet};
use crate::event::Priority;
use crate::sla_event::{Metric, METRICS};

/// How one target changed from one version to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The new version sets a target the previous one did not.
    Added,
    /// The previous version set a target the new one does not.
    Removed,
    /// Less time allowed.
    Tightened,
    /// More time allowed.
    Loosened,
    /// Same time, measured on another calendar.
    CalendarChanged,
}

/// One target that differs between consecutive versions (policies compared by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetChange {
    /// The policy's name.
    pub policy: String,
    /// The priority of the target.
    pub priority: Priority,
    /// The metric of the target.
    pub metric: Metric,
    /// How it changed.
    pub kind: ChangeKind,
    /// The target before and after, as `4h on paris`.
    pub before: Option<String>,
    /// The target after the change (None when removed).
    pub after: Option<String>,
}

impl fmt::Display for TargetChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = format!(
            "{} {} {}",
            self.policy,
            priority_name(&self.priority),
            metric_name(&self.metric)
        );
        let before = self.before.as_deref().unwrap_or("-");
        let after = self.after.as_deref().unwrap_or("-");
        match self.kind {
            ChangeKind::Added => write!(f, "added: {what} {after}"),
            ChangeKind::Removed => write!(f, "removed: {what} (was {before})"),
            ChangeKind::Tightened => write!(f, "tightened: {what} {before} -> {after}"),
            ChangeKind::Loosened => write!(f, "loosened: {what} {before} -> {after}"),
            ChangeKind::CalendarChanged => {
                write!(f, "calendar changed: {what} {before} -> {after}")
            }
        }
    }
}

pub(super) fn changes(set: &PolicySet, index: usize) -> Vec<TargetChange> {
    let versions = set.versions();
    let (Some(old), Some(new)) = (
        index.checked_sub(1).and_then(|i| versions.get(i)),
        versions.get(index),
    ) else {
        return Vec::new();
    };
    let names: BTreeSet<&str> = old
        .policies
        .iter()
        .chain(&new.policies)
        .map(|p| p.name.as_str())
        .collect();
    let find = |list: &'_ [Policy], name: &str| list.iter().find(|p| p.name == name).cloned();
    let mut out = Vec::new();
    for name in names {
        let before = find(&old.policies, name);
        let after = find(&new.policies, name);
        for priority in PRIORITIES.iter().rev() {
            for metric in METRICS {
                let b = before.as_ref().and_then(|p| p.target(*priority, metric));
                let a = after.as_ref().and_then(|p| p.target(*priority, metric));
                let kind = match (b, a) {
                    (None, Some(_)) => ChangeKind::Added,
                    (Some(_), None) => ChangeKind::Removed,
                    (Some(b), Some(a)) if a.seconds < b.seconds => ChangeKind::Tightened,
                    (Some(b), Some(a)) if a.seconds > b.seconds => ChangeKind::Loosened,
                    (Some(b), Some(a)) if a.calendar_name != b.calendar_name => {
                        ChangeKind::CalendarChanged
                    }
                    _ => continue,
                };
                out.push(TargetChange {
                    policy: name.to_string(),
                    priority: *priority,
                    metric,
                    kind,
                    before: b.map(ToString::to_string),
                    after: a.map(ToString::to_string),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
calendars:
  paris: {timezone: Europe/Paris, hours: {mon: [["09:00", "17:00"]]}}
versions:
  - effective_from: "2026-01-01T00:00:00Z"
    policies:
      - {name: support, targets: {normal: {first_response: 1h}}}
      - {name: legacy, targets: {low: {resolution: 8h}}}
  - effective_from: "2027-01-01T00:00:00Z"
    policies:
      - {name: support, calendar: paris, targets: {normal: {first_response: 1h}}}
"#;

    #[test]
    fn compares_policies_by_name_target_by_target() {
        let set = PolicySet::from_yaml("p.yaml", FILE).unwrap();
        assert!(set.version_changes(0).is_empty());
        let lines: Vec<String> = set
            .version_changes(1)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "removed: legacy low resolution (was 8h on 24x7)",
                "calendar changed: support normal first_response 1h on 24x7 -> 1h on paris",
            ]
        );
    }
}
