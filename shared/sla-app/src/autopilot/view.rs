//! A ticket's actions as the read API shows them (`GET /tenants/{t}/tickets/{id}`).

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde::Serialize;
use sla_actions::PlannedAction;
use sla_store::{ActionLedger, ActionRecord, ActionState};

/// One action of a ticket: what it does, where it stands and its last error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionView {
    /// `<sla event id>:<rule>.<step>`.
    pub id: String,
    /// The step in words (`tag sla_at_risk`).
    pub step: String,
    /// `pending`, `claimed`, `done` or `dead`.
    pub state: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// The error of the last failed attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When a pending action is next tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&ActionRecord> for ActionView {
    fn from(record: &ActionRecord) -> Self {
        let step = serde_json::from_str::<PlannedAction>(&record.payload)
            .map_or_else(|_| "(unreadable)".to_string(), |a| a.step.to_string());
        let next_attempt_at = record
            .next_attempt_at
            .filter(|_| record.state == ActionState::Pending);
        Self {
            id: record.key.action_id.clone(),
            step,
            state: record.state.name(),
            attempts: record.attempts,
            last_error: record.last_error.clone(),
            next_attempt_at,
            updated_at: record.updated_at,
        }
    }
}

/// A ticket's actions, for the read API (object-safe, so the read service needs no
/// ledger type).
pub trait TicketActions: Send + Sync {
    /// The ticket's actions, in the order they were enqueued.
    fn ticket_actions<'a>(
        &'a self,
        tenant: &'a str,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ActionView>, String>>;
}

impl<L: ActionLedger> TicketActions for L {
    fn ticket_actions<'a>(
        &'a self,
        tenant: &'a str,
        ticket_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ActionView>, String>> {
        Box::pin(async move {
            let records = ActionLedger::ticket_actions(self, tenant, ticket_id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(records.iter().map(ActionView::from).collect())
        })
    }
}
