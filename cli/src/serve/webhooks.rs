//! `POST /webhooks/{tenant}/{vendor}[/created]`: hands the raw request to the shared
//! [`WebhookService`](sla_app::WebhookService), so the answers match the Lambda functions.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use sla_app::webhook::{HttpReply, HttpRequest, Route};

use super::app::App;
use super::json::json_response;

/// Receives one webhook.
pub async fn receive(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let reply = match body {
        Ok(body) => handle(&app, method, &uri, &headers, body).await,
        Err(rejection) => refused_body(&rejection, &headers, app.max_body_bytes),
    };
    app.metrics.record_webhook(reply.status, &reply.stats);
    json_response(reply.status, &reply.body)
}

async fn handle(
    app: &App,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> HttpReply {
    let Some(route) = Route::from_path(uri.path()) else {
        return HttpReply::error(404, format!("no webhook route for path {:?}", uri.path()));
    };
    let request = HttpRequest {
        method: method.to_string(),
        uri: app.public_url.rebuild(headers, uri),
        headers: sla_app::webhook::header_pairs(headers),
        body: body.to_vec(),
    };
    app.webhooks.handle(&route, &request).await
}

/// The answer when the body could not be read: 413 over the limit, in the adapters' words.
fn refused_body(rejection: &BytesRejection, headers: &HeaderMap, limit: usize) -> HttpReply {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let actual = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let message = match actual {
            Some(actual) => format!("payload too large: {actual} bytes, limit {limit}"),
            None => format!("payload too large: over {limit} bytes, limit {limit}"),
        };
        return HttpReply::error(413, message);
    }
    HttpReply::error(status.as_u16(), format!("body: {}", rejection.body_text()))
}
