//! The read routes: health, metrics, the fallback, and the read API with the dashboard,
//! answered by the shared [`ReadService`](sla_app::reads::ReadService) (as the `read-api`
//! Lambda function answers them).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sla_app::reads::{ReadReply, ReadRequest};

use super::app::App;
use super::json::{json_error, json_response};

/// The content type sent when the service's cannot be a header value.
const FALLBACK_CONTENT_TYPE: &str = "application/octet-stream";

pub async fn healthz() -> Response {
    json_response(200, &json!({ "status": "ok" }))
}

pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut body = app.metrics.render();
    super::autopilot::render(&app.autopilot.autopilot().counters(), &mut body);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

pub async fn not_found() -> Response {
    json_error(
        404,
        "no such route; see POST /webhooks/{tenant}/{vendor}[/created], GET /tenants/{tenant}/queue, /tenants/{tenant}/summary, /tenants/{tenant}/tickets/{id}, /dashboard/{tenant}, /healthz, /metrics",
    )
}

/// `/tenants/...`, `/tickets/{tenant}/{id}` and `/dashboard/...`: the read service checks
/// the token (admin or tenant) and answers; the body of the request is not read.
pub async fn read_api(State(app): State<Arc<App>>, request: Request) -> Response {
    let uri = request.uri();
    let read = ReadRequest {
        method: request.method().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers: sla_app::webhook::header_pairs(request.headers()),
    };
    to_response(app.reads.handle(&read).await)
}

/// The HTTP response of a read reply: status, content type, the reply's headers, body.
fn to_response(reply: ReadReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = HeaderValue::from_str(&reply.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static(FALLBACK_CONTENT_TYPE));
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    for (name, value) in &reply.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => tracing::warn!(header = %name, "read reply header dropped: not a valid header"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_becomes_a_response_with_its_headers() {
        let reply = ReadReply {
            status: 401,
            content_type: "application/json".into(),
            body: br#"{"error":"x"}"#.to_vec(),
            headers: vec![
                ("WWW-Authenticate".into(), "Bearer".into()),
                ("bad header".into(), "dropped".into()),
            ],
        };
        let response = to_response(reply);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let headers = response.headers();
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            headers.len(),
            2,
            "the invalid header is dropped: {headers:?}"
        );
    }

    #[test]
    fn an_unusable_content_type_falls_back() {
        let reply = ReadReply {
            status: 200,
            content_type: "text/html\n".into(),
            body: Vec::new(),
            headers: Vec::new(),
        };
        let response = to_response(reply);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            FALLBACK_CONTENT_TYPE
        );
    }
}
