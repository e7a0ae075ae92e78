//! Policy files: parsing, validation, matching tickets to a policy, and the lint
//! warnings and target table `sla check` prints.

pub mod actions;
mod compile;
mod diff;
pub mod document;
mod lint;
mod locate;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attributes::TicketAttributes;
use crate::calendar::{Calendar, IcsSources};
use crate::duration::WarnThreshold;
use crate::event::{Priority, Status};
use crate::sla_event::Metric;

pub use diff::{ChangeKind, TargetChange};
pub use document::{
    ApplyTo, ExcludeEntry, OnPriorityChange, PolicyDocument, PriorityRuleEntry, StartOn, WhenEntry,
    ALWAYS_OPEN,
};
pub use lint::PolicyWarning;
pub use locate::line_of;

/// Why a policy file was rejected. Displays as one line naming the source, the line,
/// the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The YAML does not parse or does not fit the format.
    #[error("{file}: {}{message}", line_prefix(*.line))]
    Syntax {
        /// The policy file.
        file: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A value is well-formed but wrong (unknown calendar, invalid calendar, duplicate name).
    #[error("{file}: {}{field}: {reason}", line_prefix(*.line))]
    Invalid {
        /// The policy file.
        file: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn line_prefix(line: Option<usize>) -> String {
    line.map(|line| format!("line {line}: "))
        .unwrap_or_default()
}

/// A compiled, validated policy file.
#[derive(Debug, Clone)]
pub struct PolicySet {
    source: String,
    fingerprint: u64,
    document: PolicyDocument,
    calendars: BTreeMap<String, Arc<Calendar>>,
    versions: Vec<Version>,
    apply_to: ApplyTo,
    exclude: ExcludeEntry,
    priority_rules: Vec<PriorityRuleEntry>,
    acknowledgement_tags: Vec<String>,
    measures_acknowledgement: bool,
}

/// One version of the policy list.
#[derive(Debug, Clone)]
pub struct Version {
    /// Position in `versions` (0 for a plain `policies:` list).
    pub index: usize,
    /// From when it applies; None for a plain `policies:` list (the beginning of time).
    pub effective_from: Option<DateTime<Utc>>,
    /// The policies, in file order.
    pub policies: Vec<Policy>,
}

/// One compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy's name, carried by SLA events.
    pub name: String,
    /// Position in its list (0-based).
    pub index: usize,
    /// Its field path (`policies[0]`, `versions[1].policies[0]`).
    pub path: String,
    /// Its conditions as written.
    pub when: WhenEntry,
    /// The policy-wide calendar name.
    pub calendar: String,
    /// Warning thresholds, in file order.
    pub warn_at: Vec<WarnThreshold>,
    /// What happens to running clocks when the matched policy or priority changes.
    pub on_priority_change: OnPriorityChange,
    targets: BTreeMap<Priority, BTreeMap<Metric, Target>>,
    pause: BTreeMap<Metric, Vec<Status>>,
    start: BTreeMap<Metric, StartOn>,
}

/// One metric's target under one policy and priority.
#[derive(Debug, Clone)]
pub struct Target {
    /// Business seconds allowed.
    pub seconds: i64,
    /// Name of the calendar measuring it (`24x7` or a `calendars` key).
    pub calendar_name: String,
    /// The compiled calendar, with the policy's deadline rule applied.
    pub calendar: Arc<Calendar>,
}

/// Why a ticket is excluded: the `exclude` key and the value that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// `tags`, `channels` or `organizations`.
    pub rule: String,
    /// The ticket's value that is listed.
    pub value: String,
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exclude.{} lists {:?}", self.rule, self.value)
    }
}

/// A priority rule that raised the measured priority above the helpdesk's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityRaise {
    /// Position in `priority_rules`.
    pub rule: usize,
    /// The helpdesk's priority (`normal` when it sent none).
    pub from: Priority,
    /// The priority measured.
    pub to: Priority,
    /// The rule's conditions in words.
    pub reason: String,
}

/// Statuses that pause each metric when no policy says otherwise.
pub fn default_pause(metric: Metric, status: Status) -> bool {
    metric == Metric::Resolution && matches!(status, Status::Pending | Status::OnHold)
}

impl PolicySet {
    /// Parses and validates a YAML policy file; `source` names it in errors. A calendar
    /// with `holidays_ics` needs [`PolicySet::from_yaml_with_ics`].
    pub fn from_yaml(source: &str, yaml: &str) -> Result<PolicySet, PolicyError> {
        compile::compile(source, yaml, &IcsSources::new())
    }

    /// Same as [`PolicySet::from_yaml`], with the texts of the `holidays_ics` files (see
    /// [`PolicySet::ics_sources`]).
    pub fn from_yaml_with_ics(
        source: &str,
        yaml: &str,
        ics: &IcsSources,
    ) -> Result<PolicySet, PolicyError> {
        compile::compile(source, yaml, ics)
    }

    /// Reads the `holidays_ics` files the YAML's calendars name through `read`, which gets
    /// each path as written (callers resolve it against the policy file's directory; this
    /// crate does no I/O).
    pub fn ics_sources(
        source: &str,
        yaml: &str,
        read: impl FnMut(&str) -> std::io::Result<String>,
    ) -> Result<IcsSources, PolicyError> {
        let document: PolicyDocument =
            serde_norway::from_str(yaml).map_err(|err| compile::syntax(source, err))?;
        IcsSources::load(&document.calendars, read).map_err(|err| {
            let field = format!("calendars.{}", err.field);
            PolicyError::Invalid {
                file: source.to_string(),
                line: locate::line_of(yaml, &field),
                field,
                reason: err.reason,
            }
        })
    }

    /// The name given to `from_yaml` (usually the file name).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A hash of the file's source and text; equal files give equal fingerprints.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The policies of the latest version, in file order.
    pub fn policies(&self) -> &[Policy] {
        self.versions
            .last()
            .map(|v| &v.policies[..])
            .unwrap_or_default()
    }

    /// Every version, oldest first (one for a plain `policies:` list).
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version in force at `at`: the last one whose `effective_from` is not after
    /// it; None before the first.
    pub fn version_at(&self, at: DateTime<Utc>) -> Option<usize> {
        self.versions
            .partition_point(|v| v.effective_from.is_none_or(|from| from <= at))
            .checked_sub(1)
    }

    /// `new_tickets` or `open_tickets`.
    pub fn apply_to(&self) -> ApplyTo {
        self.apply_to
    }

    /// The policy that applies to a ticket with these attributes under the latest
    /// version: the first whose `when` holds.
    pub fn select(&self, attributes: &TicketAttributes) -> Option<&Policy> {
        self.select_in(self.versions.len().checked_sub(1)?, attributes)
    }

    /// The policy of `version` that applies to a ticket with these attributes.
    pub fn select_in(&self, version: usize, attributes: &TicketAttributes) -> Option<&Policy> {
        let priority = self.priority_of(attributes);
        self.versions
            .get(version)?
            .policies
            .iter()
            .find(|p| p.when.holds(attributes, priority))
    }

    /// Policy `index` of `version`.
    pub fn policy(&self, version: usize, index: usize) -> Option<&Policy> {
        self.versions.get(version)?.policies.get(index)
    }

    /// The priority a ticket is measured at: the helpdesk's (`normal` when none), raised
    /// by the `priority_rules` that hold.
    pub fn priority_of(&self, attributes: &TicketAttributes) -> Priority {
        self.priority_raise(attributes)
            .map_or(attributes.effective_priority(), |raise| raise.to)
    }

    /// The first rule raising the ticket the highest, when one raises it at all.
    pub fn priority_raise(&self, attributes: &TicketAttributes) -> Option<PriorityRaise> {
        let from = attributes.effective_priority();
        let mut best: Option<(usize, Priority)> = None;
        for (rule, entry) in self.priority_rules.iter().enumerate() {
            let higher = entry.raise_to > best.map_or(from, |(_, to)| to);
            if higher && entry.when.holds(attributes, from) {
                best = Some((rule, entry.raise_to));
            }
        }
        best.map(|(rule, to)| PriorityRaise {
            rule,
            from,
            to,
            reason: self.priority_rules[rule].when.describe(),
        })
    }

    /// The first exclusion rule a ticket with these attributes matches.
    pub fn exclusion(&self, attributes: &TicketAttributes) -> Option<Exclusion> {
        let exclude = &self.exclude;
        let listed = |rule: &str, list: &[String], value: Option<&String>| {
            value.filter(|v| list.contains(v)).map(|v| Exclusion {
                rule: rule.to_string(),
                value: v.clone(),
            })
        };
        attributes
            .tags
            .iter()
            .find_map(|tag| listed("tags", &exclude.tags, Some(tag)))
            .or_else(|| listed("channels", &exclude.channels, attributes.channel.as_ref()))
            .or_else(|| {
                listed(
                    "organizations",
                    &exclude.organizations,
                    attributes.organization.as_ref(),
                )
            })
    }

    /// True when some exclusion rule is set.
    pub fn has_exclusions(&self) -> bool {
        let e = &self.exclude;
        !(e.tags.is_empty() && e.channels.is_empty() && e.organizations.is_empty())
    }

    /// The top-level `acknowledgement_tags`.
    pub fn acknowledgement_tags(&self) -> &[String] {
        &self.acknowledgement_tags
    }

    /// True when some policy of some version has an `acknowledgement` target.
    pub fn measures_acknowledgement(&self) -> bool {
        self.measures_acknowledgement
    }

    /// Ambiguities worth a warning (see `sla check`).
    pub fn warnings(&self) -> Vec<PolicyWarning> {
        lint::warnings(self)
    }

    /// What changed between version `index - 1` and `index` (empty for the first).
    pub fn version_changes(&self, index: usize) -> Vec<TargetChange> {
        diff::changes(self, index)
    }

    /// Calendars by name, including `24x7`.
    pub fn calendars(&self) -> &BTreeMap<String, Arc<Calendar>> {
        &self.calendars
    }

    /// The file as written.
    pub fn document(&self) -> &PolicyDocument {
        &self.document
    }
}

impl Policy {
    /// True when every key of `when` holds for the ticket (any listed value per key),
    /// at the helpdesk's priority (see [`PolicySet::select_in`] for priority rules).
    pub fn matches(&self, ticket: &TicketAttributes) -> bool {
        self.when.holds(ticket, ticket.effective_priority())
    }

    /// Why this policy matches, in words (`segment is one of [enterprise]`).
    pub fn match_reason(&self) -> String {
        self.when.describe()
    }

    /// The target of `metric` for `priority`, if the policy sets one.
    pub fn target(&self, priority: Priority, metric: Metric) -> Option<&Target> {
        self.targets.get(&priority)?.get(&metric)
    }

    /// All targets of a priority, in metric order.
    pub fn targets_of(&self, priority: Priority) -> Option<&BTreeMap<Metric, Target>> {
        self.targets.get(&priority)
    }

    /// True when `status` pauses `metric` under this policy.
    pub fn pauses(&self, metric: Metric, status: Status) -> bool {
        match self.pause.get(&metric) {
            Some(statuses) => statuses.contains(&status),
            None => default_pause(metric, status),
        }
    }

    /// When `metric`'s first cycle starts under this policy.
    pub fn start_on(&self, metric: Metric) -> StartOn {
        self.start.get(&metric).copied().unwrap_or_default()
    }
}

/// The snake_case name of a priority.
pub fn priority_name(priority: &Priority) -> String {
    enum_name(priority)
}

/// The snake_case name of a metric.
pub fn metric_name(metric: &Metric) -> String {
    metric.as_str().to_string()
}

/// The snake_case name of a status.
pub fn status_name(status: &Status) -> String {
    enum_name(status)
}

fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {}",
            crate::duration::format_duration(self.seconds),
            self.calendar_name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_version_in_force_is_the_last_one_started() {
        let set = PolicySet::from_yaml(
            "p.yaml",
            "versions:\n  - {effective_from: \"2026-01-01T00:00:00Z\", policies: []}\n  - {effective_from: \"2027-01-01T00:00:00Z\", policies: []}\n",
        )
        .unwrap();
        assert_eq!(set.version_at(at("2025-12-31T23:59:59Z")), None);
        assert_eq!(set.version_at(at("2026-01-01T00:00:00Z")), Some(0));
        assert_eq!(set.version_at(at("2026-12-31T23:59:59Z")), Some(0));
        assert_eq!(set.version_at(at("2027-01-01T00:00:00Z")), Some(1));
        let plain = PolicySet::from_yaml("p.yaml", "policies: []\n").unwrap();
        assert_eq!(plain.version_at(at("1900-01-01T00:00:00Z")), Some(0));
    }

    #[test]
    fn exclusions_and_priority_rules_read_the_attributes() {
        let set = PolicySet::from_yaml(
            "p.yaml",
            "exclude: {channels: [api], organizations: [QA]}\npriority_rules:\n  - {when: {organization: [QA, ACME]}, raise_to: high}\n  - {when: {tags: [vip]}, raise_to: urgent}\npolicies: []\n",
        )
        .unwrap();
        let mut ticket = TicketAttributes {
            organization: Some("ACME".into()),
            ..TicketAttributes::default()
        };
        assert_eq!(set.priority_of(&ticket), Priority::High);
        assert_eq!(set.exclusion(&ticket), None);
        ticket.tags = vec!["vip".into()];
        assert_eq!(set.priority_raise(&ticket).map(|r| r.rule), Some(1));
        ticket.priority = Some(Priority::Urgent);
        assert_eq!(set.priority_raise(&ticket), None);
        ticket.channel = Some("api".into());
        assert_eq!(
            set.exclusion(&ticket).map(|e| e.to_string()),
            Some("exclude.channels lists \"api\"".into())
        );
    }
}
