//! API Gateway HTTP API (payload 2.0) and Lambda function URL requests and responses.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::HeaderValue;
use base64::Engine;
use serde_json::json;
use sla_app::webhook::{HttpReply, HttpRequest, Route};

/// A request refused before it reaches the service: its status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The HTTP status to answer.
    pub status: u16,
    /// Why, for the JSON error body.
    pub message: String,
}

impl Refused {
    /// The JSON error response.
    pub fn response(&self) -> ApiGatewayV2httpResponse {
        response(self.status, &json!({ "error": self.message }))
    }
}

/// Extracts the route and the raw request; a request we cannot route is refused.
pub fn to_request(event: &ApiGatewayV2httpRequest) -> Result<(Route, HttpRequest), Refused> {
    let path = event.raw_path.as_deref().unwrap_or("/");
    let route = route_from(event).ok_or_else(|| Refused {
        status: 404,
        message: format!("no webhook route for path {path:?}; use /webhooks/{{tenant}}/{{vendor}}"),
    })?;
    let body = match (&event.body, event.is_base64_encoded) {
        (None, _) => Vec::new(),
        (Some(text), false) => text.as_bytes().to_vec(),
        (Some(text), true) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| Refused {
                status: 400,
                message: format!("body: invalid base64: {e}"),
            })?,
    };
    let method = event.request_context.http.method.to_string();
    let request = HttpRequest {
        method,
        uri: full_uri(event, path),
        headers: sla_app::webhook::header_pairs(&event.headers),
        body,
    };
    Ok((route, request))
}

/// Prefers the API's path parameters; function URLs have none, so parse the path.
fn route_from(event: &ApiGatewayV2httpRequest) -> Option<Route> {
    let params = &event.path_parameters;
    match (params.get("tenant"), params.get("vendor")) {
        (Some(tenant), Some(vendor)) => Some(Route {
            tenant: tenant.clone(),
            vendor: vendor.clone(),
            created: event
                .raw_path
                .as_deref()
                .is_some_and(|p| p.trim_end_matches('/').ends_with("/created")),
        }),
        _ => Route::from_path(event.raw_path.as_deref()?),
    }
}

/// The URL as the sender addressed it (HubSpot v3 signs it).
fn full_uri(event: &ApiGatewayV2httpRequest, path: &str) -> String {
    let host = event
        .request_context
        .domain_name
        .as_deref()
        .or_else(|| event.headers.get("host").and_then(|h| h.to_str().ok()))
        .unwrap_or("localhost");
    match event.raw_query_string.as_deref() {
        Some(q) if !q.is_empty() => format!("https://{host}{path}?{q}"),
        _ => format!("https://{host}{path}"),
    }
}

/// A JSON response.
pub fn response(status: u16, body: &serde_json::Value) -> ApiGatewayV2httpResponse {
    let mut res = ApiGatewayV2httpResponse::default();
    res.status_code = i64::from(status);
    res.headers
        .insert("content-type", HeaderValue::from_static("application/json"));
    res.body = Some(Body::Text(body.to_string()));
    res
}

/// The response for a service reply.
pub fn from_reply(reply: &HttpReply) -> ApiGatewayV2httpResponse {
    response(reply.status, &reply.body)
}
