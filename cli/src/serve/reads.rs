//! The small read-only routes: health, metrics, a ticket's state, and the fallback.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use sla_core::TicketState;
use sla_store::{TicketKey, TicketStore};

use super::app::App;
use super::json::{json_error, json_response, unavailable};

pub async fn healthz() -> Response {
    json_response(200, &json!({ "status": "ok" }))
}

pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

pub async fn not_found() -> Response {
    json_error(
        404,
        "no such route; see POST /webhooks/{tenant}/{vendor}[/created], GET /tickets/{tenant}/{id}, GET /healthz, GET /metrics",
    )
}

/// A ticket's SLA state as of the server's clock, with what is still to be delivered.
#[derive(Serialize)]
struct TicketView {
    #[serde(flatten)]
    state: TicketState,
    /// SLA events recorded but not yet delivered.
    pending_events: usize,
    /// When the sweep next looks at the ticket.
    next_due: Option<chrono::DateTime<chrono::Utc>>,
}

/// `GET /tickets/{tenant}/{id}`.
pub async fn ticket(
    State(app): State<Arc<App>>,
    Path((tenant, id)): Path<(String, String)>,
) -> Response {
    let Some(policies) = app.tenants.policies(&tenant) else {
        return json_error(404, format!("tenant {tenant:?} is not configured"));
    };
    let key = TicketKey::new(tenant, id);
    let record = match app.webhooks.store().load(&key).await {
        Ok(Some(record)) => record,
        Ok(None) => return json_error(404, format!("ticket {key} has no stored events")),
        Err(err) => return unavailable(&format!("ticket {key}: cannot read the store"), &err),
    };
    let view = TicketView {
        state: record.sla.evaluate(policies, app.clock.now()),
        pending_events: record.outbox.len(),
        next_due: record.due_at,
    };
    match serde_json::to_value(&view) {
        Ok(body) => json_response(200, &body),
        Err(err) => json_error(500, format!("ticket {key}: cannot encode the state: {err}")),
    }
}
