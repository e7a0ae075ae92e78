//! Autopilot in the offline commands: the actions table of `sla check`, its
//! `--tenants` checks, the actions `sla explain` lists and `sla replay
//! --dry-run-actions` prints. Planning and checking live in `sla-actions`.

use std::collections::BTreeMap;
use std::path::Path;

use sla_actions::capability::{limitation_by_name, StepKind};
use sla_actions::check::tenant_problems;
use sla_actions::rules::{describe_on, describe_step, every_rule};
use sla_actions::{PlannedAction, Planner};
use sla_core::policy::line_of;
use sla_core::{PolicyError, PolicySet, SlaEvent};

use crate::input::{RunBuffer, SortKey};
use crate::table::table;

/// One row per step of every rule, or nothing when the file has no actions.
pub(crate) fn check_table(policies: &PolicySet) -> String {
    let rows: Vec<Vec<String>> = every_rule(policies)
        .iter()
        .flat_map(|rule| {
            rule.entry.steps.iter().enumerate().map(|(index, step)| {
                vec![
                    format!("{}.do[{index}]", rule.path),
                    rule.policy.unwrap_or("(all)").to_string(),
                    describe_on(rule.entry),
                    describe_step(step),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\nactions:\n{}",
        table(&["ACTION", "POLICY", "ON", "DO"], &rows)
    )
}

/// Rules that can never fire, for `sla check`'s warnings (`field: reason`).
pub(crate) fn warnings(policies: &PolicySet) -> Vec<String> {
    sla_actions::check::warnings(policies)
        .into_iter()
        .map(|problem| format!("{}: {}", problem.field, problem.reason))
        .collect()
}

/// The problems of the policy file at `path` (text `yaml`) against the tenants file at
/// `tenants`: for each tenant whose `policy:` is that file (every tenant when none names
/// it), steps its helpdesks cannot do and unknown `notify` channels.
pub(crate) fn tenant_errors(
    path: &Path,
    yaml: &str,
    policies: &PolicySet,
    tenants: &Path,
) -> anyhow::Result<Vec<PolicyError>> {
    let file = sla_app::tenants::read_tenants_file(tenants)?;
    let this = path.canonicalize().ok();
    let uses_this = |policy: &Option<std::path::PathBuf>| {
        this.is_some() && policy.as_ref().and_then(|p| p.canonicalize().ok()) == this
    };
    let all: Vec<_> = file.tenants().collect();
    let named: Vec<_> = all.iter().filter(|(_, t)| uses_this(&t.policy)).collect();
    let checked = if named.is_empty() {
        all.iter().collect()
    } else {
        named
    };
    let errors = checked
        .into_iter()
        .flat_map(|(name, tenant)| tenant_problems(policies, name, tenant))
        .map(|problem| PolicyError::Invalid {
            file: policies.source().to_string(),
            line: line_of(yaml, &problem.field),
            field: problem.field,
            reason: problem.reason,
        })
        .collect();
    Ok(errors)
}

/// Each tenant's `ticket_url` template from a tenants file (`--tenants`), so the offline
/// commands render `{{ticket_url}}` as `sla serve` does; empty without a file.
#[derive(Debug, Default)]
pub(crate) struct TicketUrls(BTreeMap<String, String>);

impl TicketUrls {
    /// The templates of the tenants file at `path`, if given.
    pub(crate) fn read(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let file = sla_app::tenants::read_tenants_file(path)?;
        let urls = file
            .tenants()
            .filter_map(|(name, tenant)| Some((name.to_string(), tenant.ticket_url.clone()?)))
            .collect();
        Ok(Self(urls))
    }

    /// The planner of `tenant`'s events under `policies`.
    pub(crate) fn planner<'a>(&'a self, policies: &'a PolicySet, tenant: &str) -> Planner<'a> {
        Planner {
            ticket_url: self.0.get(tenant).map(String::as_str),
            ..Planner::new(policies)
        }
    }
}

/// An action a timeline triggers, as `sla explain --format json` lists it.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ExplainedAction {
    /// The planned action (id, event, tenant, ticket, vendor, step).
    #[serde(flatten)]
    pub action: PlannedAction,
    /// The step in words (`tag sla_at_risk`).
    pub description: String,
    /// Why the ticket's helpdesk cannot carry it out, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_run: Option<String>,
}

/// The actions `events` trigger under `policies`, in order, each with why the ticket's
/// helpdesk cannot carry it out, if it cannot.
pub(crate) fn explain_actions(
    policies: &PolicySet,
    urls: &TicketUrls,
    events: &[SlaEvent],
) -> Vec<ExplainedAction> {
    events
        .iter()
        .flat_map(|event| urls.planner(policies, &event.tenant).plan(event))
        .map(|action| {
            let kind = StepKind::of(&action.step);
            let cannot_run = limitation_by_name(action.vendor.as_deref(), kind).map(str::to_string);
            ExplainedAction {
                description: action.step.to_string(),
                action,
                cannot_run,
            }
        })
        .collect()
}

/// `sla explain`'s list of the actions its announcements trigger (empty without any),
/// each ticket step the ticket's helpdesk cannot carry out marked with the reason.
pub(crate) fn explain_lines(
    policies: &PolicySet,
    urls: &TicketUrls,
    events: &[SlaEvent],
) -> String {
    let lines: Vec<String> = explain_actions(policies, urls, events)
        .iter()
        .map(|explained| {
            let skipped = explained
                .cannot_run
                .as_ref()
                .map_or(String::new(), |why| format!(" (cannot run: {why})"));
            format!(
                "  {} {}{skipped}\n",
                explained.action.id, explained.description
            )
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nactions (dry run, nothing is called):\n{}",
        lines.concat()
    )
}

/// Adds the actions `event` triggers to a replay run (`sla replay --dry-run-actions`),
/// as one record of JSON lines under the event's key; nothing when it triggers none.
pub(crate) fn push_planned(
    run: &mut RunBuffer,
    key: SortKey,
    policies: &PolicySet,
    urls: &TicketUrls,
    event: &SlaEvent,
) -> serde_json::Result<()> {
    let actions = urls.planner(policies, &event.tenant).plan(event);
    if actions.is_empty() {
        return Ok(());
    }
    run.push(key, |out| {
        for (index, action) in actions.iter().enumerate() {
            if index > 0 {
                out.push(b'\n');
            }
            serde_json::to_writer(&mut *out, action)?;
        }
        Ok(())
    })
}
