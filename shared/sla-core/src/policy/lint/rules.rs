//! Warnings about the rules shared by every version: acknowledgement tags, priority
//! rules, exclusions and the versions themselves.

use super::{warning, PolicyWarning};
use crate::event::Priority;
use crate::policy::{priority_name, ApplyTo, PolicySet};

pub(super) fn shared_rules(set: &PolicySet, out: &mut Vec<PolicyWarning>) {
    if !set.acknowledgement_tags().is_empty() && !set.measures_acknowledgement() {
        out.push(warning(
            "acknowledgement_tags",
            "no policy sets an acknowledgement target: these tags change nothing".into(),
        ));
    }
    priority_rules(set, out);
    versions(set, out);
}

fn priority_rules(set: &PolicySet, out: &mut Vec<PolicyWarning>) {
    for (index, rule) in set.document().priority_rules.iter().enumerate() {
        let field = format!("priority_rules[{index}]");
        let to = priority_name(&rule.raise_to);
        if rule.raise_to == Priority::Low {
            out.push(warning(
                &field,
                "raise_to: low never raises a priority (rules never lower one)".into(),
            ));
        } else if !rule.when.priority.is_empty()
            && rule.when.priority.iter().all(|p| *p >= rule.raise_to)
        {
            out.push(warning(
                &field,
                format!("its tickets are already {to} or higher: the rule never raises one"),
            ));
        }
        if rule.when == Default::default() {
            out.push(warning(
                &field,
                format!("its `when` is empty: every ticket is measured at {to} or higher"),
            ));
        }
    }
}

fn versions(set: &PolicySet, out: &mut Vec<PolicyWarning>) {
    let versions = set.versions();
    if set.apply_to() == ApplyTo::OpenTickets && versions.len() < 2 {
        out.push(warning(
            "apply_to",
            "open_tickets matters only with two or more `versions`".into(),
        ));
    }
    for version in versions.iter().skip(1) {
        if set.version_changes(version.index).is_empty() {
            out.push(warning(
                &format!("versions[{}]", version.index),
                "changes no target of the previous version (policy order or `when` may still differ)".into(),
            ));
        }
    }
}
