//! `sla explain --policy P EVENTS.jsonl [--ticket ID] [--at T]`: a readable timeline of
//! one ticket's clocks: which policy matched and why, when each cycle ran, paused and
//! stopped, business time used, the deadline and the rule that produced it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use chrono::{DateTime, Utc};
use sla_core::duration::format_duration;
use sla_core::explain::stamp;
use sla_core::policy::{metric_name, priority_name, status_name};
use sla_core::{ClockState, PolicySet, SlaEvent, TicketSla, TicketState};

use crate::actions::TicketUrls;
use crate::input::{group_by_ticket, load_policies, read_events};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable timeline.
    Text,
    /// The evaluated ticket state as JSON.
    Json,
}

/// Arguments of `sla explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (YAML).
    #[arg(long)]
    pub policy: PathBuf,
    /// Canonical ticket events, one JSON object per line.
    pub events: PathBuf,
    /// The ticket to explain (required when the file holds several).
    #[arg(long)]
    pub ticket: Option<String>,
    /// The tenant, when two tenants share a ticket id.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Explain as of this instant (RFC 3339; default: the ticket's last event).
    #[arg(long)]
    pub at: Option<DateTime<Utc>>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The tenants file (`sla serve --tenants`), whose `ticket_url` fills
    /// `{{ticket_url}}` in the listed actions.
    #[arg(long, value_name = "FILE")]
    pub tenants: Option<PathBuf>,
}

/// Prints the explanation.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let policies = load_policies(&args.policy)?;
    let urls = TicketUrls::read(args.tenants.as_deref())?;
    let events = select_ticket(group_by_ticket(read_events(&args.events)?), &args)?;
    let Some(last) = events.last().map(|e| e.at) else {
        bail!("{}: no events", args.events.display());
    };
    let at = args.at.unwrap_or(last);
    let mut ticket = TicketSla::default();
    for event in events {
        ticket.ingest(event);
    }
    ticket.advance(&policies, at);
    let state = ticket.evaluate(&policies, at);
    match args.format {
        Format::Json => {
            let mut json = serde_json::to_value(&state)?;
            let actions = crate::actions::explain_actions(&policies, &urls, &state.announcements);
            json["actions"] = serde_json::to_value(actions)?;
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        Format::Text => print!("{}", render(&state, &policies, &urls)),
    }
    Ok(ExitCode::SUCCESS)
}

fn select_ticket(
    tickets: Vec<Vec<sla_core::TicketEvent>>,
    args: &Args,
) -> anyhow::Result<Vec<sla_core::TicketEvent>> {
    let wanted = |events: &&Vec<sla_core::TicketEvent>| {
        let first = &events[0];
        args.ticket.as_ref().is_none_or(|t| &first.ticket_id == t)
            && args.tenant.as_ref().is_none_or(|t| &first.tenant == t)
    };
    let mut matching: Vec<Vec<sla_core::TicketEvent>> =
        tickets.iter().filter(wanted).cloned().collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => bail!("{}: no events for that ticket", args.events.display()),
        n => {
            let ids: Vec<String> = tickets
                .iter()
                .filter(wanted)
                .take(5)
                .map(|e| format!("{}/{}", e[0].tenant, e[0].ticket_id))
                .collect();
            bail!(
                "{}: {n} tickets match; choose one with --ticket (and --tenant), e.g. {}",
                args.events.display(),
                ids.join(", ")
            )
        }
    }
}

/// The whole explanation as text.
fn render(state: &TicketState, policies: &PolicySet, urls: &TicketUrls) -> String {
    let mut out = format!(
        "ticket {}/{} as of {}: status {}, priority {}{}\n",
        state.tenant,
        state.ticket_id,
        stamp(state.at, None),
        state.status.as_ref().map_or("unknown".into(), status_name),
        priority_name(&state.priority),
        state
            .created
            .map_or(String::new(), |c| format!(", created {}", stamp(c, None))),
    );
    out.push_str(&context_lines(state));
    let list = match &state.version {
        Some(version) if version.effective_from.is_some() => {
            format!("versions[{}].policies", version.index)
        }
        _ => "policies".to_string(),
    };
    match (&state.policy, &state.excluded) {
        (_, Some(_)) => {}
        (Some(policy), None) => out.push_str(&format!(
            "policy {:?} ({list}[{}]) applies: {}; earlier policies do not match\n",
            policy.name, policy.index, policy.reason
        )),
        (None, None) => out.push_str("no policy matches this ticket: it has no SLA clocks\n"),
    }
    if state.policy.is_some() && state.clocks.is_empty() {
        out.push_str("the policy sets no target for this ticket's priority, so no clock runs\n");
    }
    for clock in &state.clocks {
        out.push('\n');
        out.push_str(&render_clock(clock, policies));
    }
    if !state.announcements.is_empty() {
        out.push_str("\nannouncements:\n");
        for event in &state.announcements {
            out.push_str(&format!("  {}\n", announcement(event)));
        }
    }
    out.push_str(&crate::actions::explain_lines(
        policies,
        urls,
        &state.announcements,
    ));
    out
}

/// Exclusion, version, priority rule and metrics waiting for an assignee.
fn context_lines(state: &TicketState) -> String {
    let mut out = String::new();
    if let Some(excluded) = &state.excluded {
        out.push_str(&format!(
            "excluded: {excluded}, so the ticket has no SLA clocks (reports count it apart)\n"
        ));
    }
    if let Some(version) = &state.version {
        if let Some(from) = version.effective_from {
            out.push_str(&format!(
                "measured under policy version {} (versions[{}], effective from {})\n",
                version.index + 1,
                version.index,
                stamp(from, None)
            ));
        }
    }
    for warning in &state.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if let Some(raise) = &state.priority_raise {
        out.push_str(&format!(
            "priority raised from {} to {} by priority_rules[{}]: {}\n",
            priority_name(&raise.from),
            priority_name(&raise.to),
            raise.rule,
            raise.reason
        ));
    }
    if !state.awaiting_assignment.is_empty() {
        let names: Vec<String> = state.awaiting_assignment.iter().map(metric_name).collect();
        out.push_str(&format!(
            "{}: not started, waiting for the ticket's first assignee (start: assigned)\n",
            names.join(", ")
        ));
    }
    out
}

fn render_clock(clock: &ClockState, policies: &PolicySet) -> String {
    let mut out = format!("{}\n", sla_core::explain::clock_heading(clock));
    for line in sla_core::explain::clock_lines(clock, policies) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

pub(crate) use sla_core::explain::describe_step as describe;

fn announcement(event: &SlaEvent) -> String {
    let kind = serde_json::to_value(event.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string));
    format!(
        "{} {}{} {} cycle {} (deadline {}, elapsed {}) id {}",
        event.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        kind.unwrap_or_default(),
        event
            .threshold
            .as_ref()
            .map_or(String::new(), |t| format!(" {t}")),
        metric_name(&event.metric),
        event.cycle,
        event
            .deadline
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        format_duration(event.elapsed_seconds),
        event.event_id
    )
}
