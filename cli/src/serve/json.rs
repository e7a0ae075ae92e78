//! JSON response helpers shared by the handlers and middleware.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sla_app::webhook::HttpReply;

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
