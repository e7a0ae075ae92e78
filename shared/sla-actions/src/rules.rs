//! Which rules of a policy file apply to an SLA event: the top-level `actions:` for every
//! policy, then the policy's own `actions:`, numbered in that order.
//!
//! The YAML model itself (`on:`, `do:` steps, templates) is plain data in
//! [`sla_core::policy::actions`], checked while the policy file is read.

use chrono::{DateTime, Utc};
use sla_core::policy::actions::{ActionRuleEntry, AssignEntry, StepEntry};
use sla_core::policy::document::PolicyEntry;
use sla_core::policy::priority_name;
use sla_core::{PolicySet, SlaEvent};

/// One rule with its number (the `<rule index>` of action ids) and its place in the file.
#[derive(Debug, Clone, Copy)]
pub struct Rule<'a> {
    /// Position among the rules applying to the policy: top-level ones first.
    pub index: usize,
    /// The rule as written.
    pub entry: &'a ActionRuleEntry,
}

/// A rule with its field path (`actions[0]`, `policies[1].actions[0]`), for `sla check`.
#[derive(Debug, Clone)]
pub struct LocatedRule<'a> {
    /// Its field path.
    pub path: String,
    /// The policy it belongs to; None for a top-level rule (every policy).
    pub policy: Option<&'a str>,
    /// The rule as written.
    pub entry: &'a ActionRuleEntry,
}

/// The rules applying to policy `name`: the top-level ones, then the policy's own, taken
/// from the version in force at `at` (or, when that version has no such policy, the
/// latest one that has).
pub fn rules_for<'a>(policies: &'a PolicySet, name: &str, at: DateTime<Utc>) -> Vec<Rule<'a>> {
    let document = policies.document();
    let own = policy_entry(policies, name, at).map_or(&[][..], |entry| &entry.actions[..]);
    document
        .actions
        .iter()
        .chain(own)
        .enumerate()
        .map(|(index, entry)| Rule { index, entry })
        .collect()
}

/// The rules an SLA event triggers, with their numbers.
pub fn triggered<'a>(policies: &'a PolicySet, event: &SlaEvent) -> Vec<Rule<'a>> {
    rules_for(policies, &event.policy, event.at)
        .into_iter()
        .filter(|rule| rule.entry.on.matches(event))
        .collect()
}

fn policy_entry<'a>(
    policies: &'a PolicySet,
    name: &str,
    at: DateTime<Utc>,
) -> Option<&'a PolicyEntry> {
    let lists = policies.document().policy_lists();
    let find = |list: &[PolicyEntry]| -> Option<usize> { list.iter().position(|p| p.name == name) };
    let in_force = policies.version_at(at).and_then(|v| lists.get(v));
    let (_, list) = in_force
        .filter(|(_, list)| find(list).is_some())
        .or_else(|| lists.iter().rev().find(|(_, list)| find(list).is_some()))?;
    list.get(find(list)?)
}

/// Every rule of the file with its field path: top-level, then each policy's.
pub fn every_rule(policies: &PolicySet) -> Vec<LocatedRule<'_>> {
    let document = policies.document();
    let top = document
        .actions
        .iter()
        .enumerate()
        .map(|(i, entry)| LocatedRule {
            path: format!("actions[{i}]"),
            policy: None,
            entry,
        });
    let own = document
        .policy_lists()
        .into_iter()
        .flat_map(|(prefix, list)| {
            list.iter().enumerate().flat_map(move |(p, policy)| {
                let prefix = prefix.clone();
                policy
                    .actions
                    .iter()
                    .enumerate()
                    .map(move |(i, entry)| LocatedRule {
                        path: format!("{prefix}[{p}].actions[{i}]"),
                        policy: Some(policy.name.as_str()),
                        entry,
                    })
            })
        });
    top.chain(own).collect()
}

/// A rule's trigger in words: `warning first_response 75%`.
pub fn describe_on(entry: &ActionRuleEntry) -> String {
    let on = &entry.on;
    let mut out = on.kind.as_str().to_string();
    if let Some(metric) = on.metric {
        out.push(' ');
        out.push_str(metric.as_str());
    }
    if let Some(threshold) = &on.threshold {
        out.push_str(&format!(" {}", threshold.0));
    }
    out
}

/// A step as written, in words: `tag sla_at_risk`, `raise priority to high`.
pub fn describe_step(step: &StepEntry) -> String {
    match step {
        StepEntry::Tag(t) => format!("tag {}", t.text),
        StepEntry::Untag(t) => format!("untag {}", t.text),
        StepEntry::Priority(raise) => {
            format!("raise priority to {}", priority_name(&raise.raise_to))
        }
        StepEntry::Assign(AssignEntry::Group(id)) => format!("assign to group {}", id.0),
        StepEntry::Assign(AssignEntry::Agent(id)) => format!("assign to agent {}", id.0),
        StepEntry::Note(t) => format!("note {:?}", t.text),
        StepEntry::Notify(notify) => match &notify.text {
            Some(text) => format!("notify {}: {:?}", notify.channel, text.text),
            None => format!("notify {}", notify.channel),
        },
    }
}
