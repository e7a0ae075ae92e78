//! `GET /tenants/{tenant}/tickets/{id}`: the ticket's SLA state as of now (the
//! `TicketState` fields), what is still to be delivered, its helpdesk URL and, per clock,
//! the words of `sla explain`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sla_core::explain::clock_lines;
use sla_core::{Metric, TicketState};
use sla_store::{QueueStore, TicketKey};

use super::{ReadReply, ReadService};

/// A ticket's state, as answered.
#[derive(Serialize)]
struct TicketView {
    #[serde(flatten)]
    state: TicketState,
    /// SLA events recorded but not yet delivered.
    pending_events: usize,
    /// When the sweep next looks at the ticket.
    next_due: Option<DateTime<Utc>>,
    /// The helpdesk URL of the ticket (from `ticket_url`).
    url: Option<String>,
    /// Per clock, `sla explain`'s lines.
    explanation: Vec<Explanation>,
    /// The autopilot's actions for the ticket, with the last error of each.
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<Vec<crate::autopilot::ActionView>>,
}

#[derive(Serialize)]
struct Explanation {
    metric: Metric,
    cycle: u32,
    lines: Vec<String>,
}

pub(super) async fn answer<S: QueueStore>(
    service: &ReadService<S>,
    tenant: &str,
    id: &str,
    now: DateTime<Utc>,
) -> ReadReply {
    let policies = match service.policies(tenant) {
        Ok(policies) => policies,
        Err(reply) => return reply,
    };
    let key = TicketKey::new(tenant, id);
    let record = match service.store.load(&key).await {
        Ok(Some(record)) => record,
        Ok(None) => return ReadReply::error(404, format!("ticket {key} has no stored events")),
        Err(err) => {
            return ReadReply::unavailable(&format!("ticket {key}: cannot read the store"), &err)
        }
    };
    let state = record.sla.evaluate(policies, now);
    let explanation = state
        .clocks
        .iter()
        .map(|clock| Explanation {
            metric: clock.metric,
            cycle: clock.cycle,
            lines: clock_lines(clock, policies),
        })
        .collect();
    let view = TicketView {
        state,
        pending_events: record.outbox.len(),
        next_due: record.due_at,
        url: service.ticket_url(tenant, id),
        explanation,
        actions: match &service.actions {
            Some(ledger) => match ledger.ticket_actions(tenant, id).await {
                Ok(actions) => Some(actions),
                Err(err) => {
                    return ReadReply::error(
                        503,
                        format!("ticket {key}: cannot read its actions: {err}"),
                    )
                }
            },
            None => None,
        },
    };
    match serde_json::to_value(&view) {
        Ok(body) => ReadReply::json(200, &body),
        Err(err) => ReadReply::error(500, format!("ticket {key}: cannot encode the state: {err}")),
    }
}
