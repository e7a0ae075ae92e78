//! The HTTP routes: the router, the shared state, and the small read-only routes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use serde::Serialize;
use serde_json::json;
use sla_app::webhook::HttpReply;
use sla_app::{Clock, ManualClock, Tenants, WebhookService};
use sla_core::TicketState;
use sla_store::{SqliteStore, TicketKey, TicketStore};

use super::auth::{self, ReadToken};
use super::metrics::Metrics;
use super::public_url::PublicUrl;
use super::sweeper::Sweeper;
use super::{body_timeout, panics, test_clock, webhooks};

/// What every handler shares.
pub struct App {
    pub webhooks: WebhookService<SqliteStore>,
    pub tenants: Arc<Tenants>,
    pub clock: Arc<dyn Clock>,
    /// Present only with `--test-clock`.
    pub test_clock: Option<Arc<ManualClock>>,
    pub sweeper: Arc<Sweeper>,
    pub metrics: Arc<Metrics>,
    /// Largest body read; larger requests get 413.
    pub max_body_bytes: usize,
    /// Longest time a request body may take to arrive; slower ones get 408.
    pub body_timeout: Duration,
    /// With `SLA_READ_TOKEN`: the token the read routes need.
    pub read_token: Option<Arc<ReadToken>>,
    /// How webhook routes rebuild the URL the sender addressed.
    pub public_url: PublicUrl,
}

/// The server's routes over `app`: the read routes behind the read token (when set), every
/// route under the body timeout and the panic catcher.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.max_body_bytes;
    let mut reads = Router::new()
        .route("/tickets/{tenant}/{id}", get(ticket))
        .route("/metrics", get(metrics))
        .route("/_test/clock", post(test_clock::change));
    if let Some(token) = &app.read_token {
        reads = reads.route_layer(middleware::from_fn_with_state(
            Arc::clone(token),
            auth::require,
        ));
    }
    Router::new()
        .route("/webhooks/{tenant}/{vendor}", post(webhooks::receive))
        .route(
            "/webhooks/{tenant}/{vendor}/created",
            post(webhooks::receive),
        )
        .route("/healthz", get(healthz))
        .merge(reads)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            body_timeout::limit,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app.metrics),
            panics::catch,
        ))
        .with_state(app)
}

/// A JSON response with `status`.
pub fn json_response(status: u16, body: &serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// 503 with a generic message and a request id; `what` and `detail` go to the log only.
pub fn unavailable(what: &str, detail: &dyn std::fmt::Display) -> Response {
    let reply = HttpReply::unavailable(what, detail);
    json_response(reply.status, &reply.body)
}

/// `{"error": message}` with `status`.
pub fn json_error(status: u16, message: impl Into<String>) -> Response {
    json_response(status, &json!({ "error": message.into() }))
}

async fn healthz() -> Response {
    json_response(200, &json!({ "status": "ok" }))
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> Response {
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
async fn ticket(
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
