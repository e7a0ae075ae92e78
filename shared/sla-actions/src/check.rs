//! What `sla check` adds to the policy file's own validation: with `--tenants`, steps a
//! configured helpdesk cannot carry out and `notify` channels the tenant does not name
//! (errors); always, rules that can never fire (warnings).

use sla_helpdesk::{TenantConfig, Vendor};

use crate::capability::{limitation, StepKind};
use crate::rules::every_rule;
use sla_core::policy::actions::StepEntry;
use sla_core::policy::Policy;
use sla_core::{PolicySet, Priority, SlaEventType};

/// One problem with an action, located by field path (`actions[0].do[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionProblem {
    /// The step's field path.
    pub field: String,
    /// What is wrong, naming the tenant and vendor or channel.
    pub reason: String,
}

/// The problems of the file's actions for tenant `name`: a step one of its vendors
/// (other than `canonical`) cannot do, a `notify` channel missing from its `channels:`.
pub fn tenant_problems(
    policies: &PolicySet,
    name: &str,
    tenant: &TenantConfig,
) -> Vec<ActionProblem> {
    let vendors: Vec<Vendor> = tenant
        .vendors
        .keys()
        .copied()
        .filter(|v| *v != Vendor::Canonical)
        .collect();
    let mut problems = Vec::new();
    for rule in every_rule(policies) {
        for (index, step) in rule.entry.steps.iter().enumerate() {
            let field = format!("{}.do[{index}]", rule.path);
            let kind = StepKind::of_entry(step);
            for vendor in &vendors {
                if let Some(why) = limitation(*vendor, kind) {
                    problems.push(ActionProblem {
                        field: field.clone(),
                        reason: format!("tenant {name}: {vendor} cannot {}: {why}", kind.words()),
                    });
                }
            }
            if let StepEntry::Notify(notify) = step {
                if !tenant.channels.contains_key(&notify.channel) {
                    let known: Vec<&str> = tenant.channels.keys().map(String::as_str).collect();
                    problems.push(ActionProblem {
                        field: format!("{field}.notify.channel"),
                        reason: format!(
                            "tenant {name}: no channel {:?} in the tenants file (channels: {})",
                            notify.channel,
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    });
                }
            }
        }
    }
    problems
}

/// Rules that can never fire: a `threshold` on a type other than `warning` or
/// `retracted`, or a `threshold` or `metric` that no policy the rule applies to has.
pub fn warnings(policies: &PolicySet) -> Vec<ActionProblem> {
    let mut problems = Vec::new();
    for rule in every_rule(policies) {
        let applies: Vec<&Policy> = policies
            .versions()
            .iter()
            .flat_map(|v| &v.policies)
            .filter(|p| rule.policy.is_none_or(|name| p.name == name))
            .collect();
        let on = &rule.entry.on;
        let mut never = |field: &str, reason: String| {
            problems.push(ActionProblem {
                field: format!("{}.on.{field}", rule.path),
                reason: format!("{reason}, so this rule never fires"),
            })
        };
        if let Some(threshold) = &on.threshold {
            if !matches!(on.kind, SlaEventType::Warning | SlaEventType::Retracted) {
                never(
                    "threshold",
                    format!(
                        "only warnings (and their retractions) carry a threshold, not {}",
                        on.kind.as_str()
                    ),
                );
            } else if !applies.iter().any(|p| p.warn_at.contains(&threshold.0)) {
                never(
                    "threshold",
                    format!("no policy it applies to warns at {}", threshold.0),
                );
            }
        }
        if let Some(metric) = on.metric {
            let measured = |p: &&Policy| {
                PRIORITIES
                    .iter()
                    .any(|priority| p.target(*priority, metric).is_some())
            };
            if !applies.iter().any(measured) {
                never(
                    "metric",
                    format!("no policy it applies to has a {} target", metric.as_str()),
                );
            }
        }
    }
    problems
}

const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
];
