//! The read function (`read-api`): API Gateway HTTP API (payload 2.0) request in, the
//! read service's answer out — JSON for the queue, summary and ticket routes, HTML, CSS
//! and JavaScript for the dashboard (base64-encoded when the body is not text).

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderName, HeaderValue};
use lambda_runtime::LambdaEvent;
use sla_app::reads::{ReadReply, ReadRequest, ReadService};
use sla_store::QueueStore;
use tracing::Instrument;

use crate::emf::{self, functions, names, Metric};

/// The content type answered when the service's cannot be sent as a header.
const FALLBACK_CONTENT_TYPE: &str = "application/octet-stream";

/// The read handler with its service, built once per cold start.
pub struct ReadFunction<S> {
    service: ReadService<S>,
}

impl<S: QueueStore> ReadFunction<S> {
    /// The function over `service`.
    pub fn new(service: ReadService<S>) -> Self {
        Self { service }
    }

    /// Handles one HTTP request. Never fails the invocation: errors become responses.
    /// Logs the method, path and status, never the headers (they carry the token).
    pub async fn handle(
        &self,
        event: LambdaEvent<ApiGatewayV2httpRequest>,
    ) -> Result<ApiGatewayV2httpResponse, lambda_runtime::Error> {
        let request = to_request(&event.payload);
        let span = tracing::info_span!(
            "read",
            request_id = %event.context.request_id,
            method = %request.method,
            path = %request.path,
        );
        let reply = self.service.handle(&request).instrument(span.clone()).await;
        span.in_scope(|| tracing::info!(status = reply.status, "read answered"));
        emf::emit(functions::READ_API, &metrics(&reply));
        Ok(to_response(&reply))
    }
}

/// The read request an API Gateway (or function URL) event stands for: the raw path (a
/// stage prefix included, which the service ignores), the raw query string and the
/// headers. The body of a GET is not read.
pub fn to_request(event: &ApiGatewayV2httpRequest) -> ReadRequest {
    let path = event
        .raw_path
        .clone()
        .or_else(|| event.request_context.http.path.clone())
        .unwrap_or_else(|| "/".into());
    ReadRequest {
        method: event.request_context.http.method.to_string(),
        path,
        query: event.raw_query_string.clone().unwrap_or_default(),
        headers: sla_app::webhook::header_pairs(&event.headers),
    }
}

/// The API Gateway response for a reply: its status, content type and headers; a text
/// body as is, any other body base64-encoded (`isBase64Encoded`).
pub fn to_response(reply: &ReadReply) -> ApiGatewayV2httpResponse {
    let mut res = ApiGatewayV2httpResponse::default();
    res.status_code = i64::from(reply.status);
    let content_type = HeaderValue::from_str(&reply.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static(FALLBACK_CONTENT_TYPE));
    res.headers
        .insert(aws_lambda_events::http::header::CONTENT_TYPE, content_type);
    for (name, value) in &reply.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                res.headers.append(name, value);
            }
            _ => tracing::warn!(header = %name, "read reply header is not valid HTTP; dropped"),
        }
    }
    let (body, base64) = body(&reply.content_type, &reply.body);
    res.body = body;
    res.is_base64_encoded = base64;
    res
}

/// The body and whether API Gateway must decode it from base64.
fn body(content_type: &str, bytes: &[u8]) -> (Option<Body>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    if is_text(content_type) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return (Some(Body::Text(text.to_owned())), false);
        }
    }
    (Some(Body::Binary(bytes.to_vec())), true)
}

/// Whether `content_type` is text API Gateway can carry as is (HTML, CSS, JavaScript,
/// JSON, SVG, ...).
fn is_text(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json" | "application/javascript" | "application/xml"
        )
}

/// The metrics of one read answer.
pub fn metrics(reply: &ReadReply) -> Vec<Metric<'static>> {
    let count = |name, hit: bool| Metric {
        name,
        value: f64::from(u8::from(hit)),
        unit: "Count",
    };
    vec![
        count("ReadRequests", true),
        count("ReadUnauthorized", reply.status == 401),
        count("ReadErrors", reply.status >= 400),
        count(names::READ_5XX, reply.status >= 500),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::{json, Value};

    /// An API Gateway HTTP API v2 GET, as the read routes receive it.
    fn event(raw_path: &str, query: &str, headers: Value) -> ApiGatewayV2httpRequest {
        serde_json::from_value(json!({
            "version": "2.0",
            "routeKey": "GET /tenants/{proxy+}",
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                "http": {"method": "GET", "path": raw_path, "protocol": "HTTP/1.1",
                         "sourceIp": "203.0.113.10", "userAgent": "test"},
                "requestId": "r-1",
                "routeKey": "GET /tenants/{proxy+}",
                "stage": "$default",
                "time": "30/Nov/2026:10:00:00 +0000",
                "timeEpoch": 1_795_950_000_000i64
            },
            "pathParameters": {"proxy": "acme/queue"},
            "isBase64Encoded": false
        }))
        .expect("an API Gateway v2 request")
    }

    fn reply(status: u16, content_type: &str, body: &[u8]) -> ReadReply {
        ReadReply {
            status,
            content_type: content_type.into(),
            body: body.to_vec(),
            headers: Vec::new(),
        }
    }

    /// The response as API Gateway reads it (the JSON the runtime sends back).
    fn wire(res: &ApiGatewayV2httpResponse) -> Value {
        serde_json::to_value(res).expect("serialisable response")
    }

    #[test]
    fn request_keeps_method_path_query_and_headers() {
        let e = event(
            "/prod/tenants/acme/queue",
            "state=at_risk&within=2h&cursor=abc%3D",
            json!({"authorization": "Bearer t0ken", "accept": "application/json"}),
        );
        let request = to_request(&e);
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/prod/tenants/acme/queue");
        assert_eq!(request.query, "state=at_risk&within=2h&cursor=abc%3D");
        assert!(request
            .headers
            .contains(&("authorization".into(), "Bearer t0ken".into())));
        assert!(request
            .headers
            .contains(&("accept".into(), "application/json".into())));
    }

    #[test]
    fn request_without_query_or_raw_path_uses_the_context_path() {
        let mut e = event("/dashboard/acme", "", json!({}));
        e.raw_path = None;
        e.raw_query_string = None;
        let request = to_request(&e);
        assert_eq!(
            (request.path.as_str(), request.query.as_str()),
            ("/dashboard/acme", "")
        );
        assert!(request.headers.is_empty());
    }

    #[test]
    fn json_and_html_bodies_are_text_with_their_content_type() {
        let json_reply = reply(200, "application/json", br#"{"items":[]}"#);
        let w = wire(&to_response(&json_reply));
        assert_eq!(w["statusCode"], 200);
        assert_eq!(w["headers"]["content-type"], "application/json");
        assert_eq!(w["body"], r#"{"items":[]}"#);
        assert_eq!(w["isBase64Encoded"], false);

        let page = "<!doctype html><title>SLA — acme</title>";
        let html = reply(200, "text/html; charset=utf-8", page.as_bytes());
        let w = wire(&to_response(&html));
        assert_eq!(w["headers"]["content-type"], "text/html; charset=utf-8");
        assert_eq!(w["body"], page);
        assert_eq!(w["isBase64Encoded"], false);
        for textual in [
            "text/css",
            "text/javascript; charset=utf-8",
            "application/javascript",
            "image/svg+xml",
            "Application/JSON; charset=UTF-8",
        ] {
            let w = wire(&to_response(&reply(200, textual, b"x")));
            assert_eq!(w["isBase64Encoded"], false, "{textual}");
        }
    }

    #[test]
    fn binary_and_non_utf8_bodies_are_base64() {
        let icon = [0x89, b'P', b'N', b'G', 0x00, 0xff];
        let w = wire(&to_response(&reply(200, "image/png", &icon)));
        assert_eq!(w["isBase64Encoded"], true);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(w["body"].as_str().unwrap())
            .unwrap();
        assert_eq!(decoded, icon);
        // Declared as text but not UTF-8: still delivered byte for byte.
        let w = wire(&to_response(&reply(200, "text/plain", &[0xff, 0xfe])));
        assert_eq!(w["isBase64Encoded"], true);
    }

    #[test]
    fn statuses_and_headers_pass_through() {
        let mut unauthorized = reply(401, "application/json", br#"{"error":"bad token"}"#);
        unauthorized
            .headers
            .push(("WWW-Authenticate".into(), "Bearer".into()));
        unauthorized
            .headers
            .push(("bad header".into(), "dropped".into()));
        let w = wire(&to_response(&unauthorized));
        assert_eq!(w["statusCode"], 401);
        assert_eq!(w["headers"]["www-authenticate"], "Bearer");
        assert!(w["headers"].get("bad header").is_none());
        for status in [200, 400, 404, 405, 503] {
            let w = wire(&to_response(&reply(status, "application/json", b"{}")));
            assert_eq!(w["statusCode"], status);
        }
        let empty = wire(&to_response(&reply(204, "text/plain", b"")));
        assert!(empty.get("body").is_none());
        let odd = wire(&to_response(&reply(200, "text/html\n", b"x")));
        assert_eq!(odd["headers"]["content-type"], FALLBACK_CONTENT_TYPE);
    }

    #[test]
    fn metrics_count_unauthorized_errors_and_5xx() {
        let value = |status: u16, name: &str| {
            metrics(&reply(status, "application/json", b"{}"))
                .iter()
                .find(|m| m.name == name)
                .map_or(-1.0, |m| m.value)
        };
        assert_eq!(value(200, "ReadRequests"), 1.0);
        assert_eq!(value(200, "ReadErrors"), 0.0);
        assert_eq!(value(401, "ReadUnauthorized"), 1.0);
        assert_eq!(value(404, "ReadErrors"), 1.0);
        assert_eq!(value(404, names::READ_5XX), 0.0);
        assert_eq!(value(503, names::READ_5XX), 1.0);
    }
}
