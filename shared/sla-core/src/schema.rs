//! JSON Schemas of the public formats (`sla schema event|policy|sla-event`).

use crate::event::TicketEvent;
use crate::policy::PolicyDocument;
use crate::sla_event::SlaEvent;

/// The canonical ticket event.
pub fn event() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(TicketEvent)).unwrap_or_default()
}

/// The policy file (YAML, described as JSON).
pub fn policy() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(PolicyDocument)).unwrap_or_default()
}

/// The SLA events we announce.
pub fn sla_event() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(SlaEvent)).unwrap_or_default()
}
