//! Fake helpdesk and chat servers on loopback: each records every call, checks method,
//! path, authentication and body shape against the vendor's API reference (cited in its
//! module), keeps a little ticket state, and answers 429 / 409 / 500 / 403 on demand.

pub mod chat;
pub mod freshdesk;
pub mod front;
pub mod helpscout;
pub mod hubspot;
pub mod intercom;
pub mod jira;
pub mod zendesk;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};

/// One call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub raw_body: Vec<u8>,
}

impl Call {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `METHOD path`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What a vendor fake answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body,
        }
    }

    pub fn status(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// 400 naming what does not match the reference.
    pub fn bad(reason: impl Into<String>) -> Self {
        Self::status(400, json!({"fake_error": reason.into()}))
    }
}

/// The vendor's routes: `(call, ticket state) -> reply`.
pub type Handler = fn(&Call, &mut Value) -> Reply;

struct Shared {
    calls: Vec<Call>,
    /// Answers for the next calls; `None` lets the routes answer that one.
    forced: VecDeque<Option<Reply>>,
    state: Value,
    handler: Handler,
}

/// A running fake.
#[derive(Clone)]
pub struct Fake {
    pub base_url: String,
    shared: Arc<Mutex<Shared>>,
}

impl Fake {
    /// Starts a fake on 127.0.0.1 with `handler` and initial ticket `state`.
    pub async fn start(handler: Handler, state: Value) -> Self {
        let shared = Arc::new(Mutex::new(Shared {
            calls: Vec::new(),
            forced: VecDeque::new(),
            state,
            handler,
        }));
        let app_state = shared.clone();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = app_state.clone();
                async move { answer(&shared, method, uri, headers, body) }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base_url: format!("http://{address}"),
            shared,
        }
    }

    /// The next calls get these answers, in order, before the routes answer again.
    pub fn force(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared
            .lock()
            .unwrap()
            .forced
            .extend(replies.into_iter().map(Some));
    }

    /// The next `count` calls are answered by the routes (before any forced answers queued after).
    pub fn pass(&self, count: usize) {
        let mut shared = self.shared.lock().unwrap();
        shared
            .forced
            .extend(std::iter::repeat_with(|| None).take(count));
    }

    /// Changes the ticket state.
    pub fn update_state(&self, change: impl FnOnce(&mut Value)) {
        change(&mut self.shared.lock().unwrap().state);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().unwrap().calls.clone()
    }

    /// `METHOD path` of every call.
    pub fn lines(&self) -> Vec<String> {
        self.calls().iter().map(Call::line).collect()
    }

    pub fn state(&self) -> Value {
        self.shared.lock().unwrap().state.clone()
    }
}

fn answer(
    shared: &Mutex<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = Call {
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.to_string()),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw_body: body.to_vec(),
    };
    let mut shared = shared.lock().unwrap();
    shared.calls.push(call.clone());
    let reply = match shared.forced.pop_front().flatten() {
        Some(reply) => reply,
        None => {
            let handler = shared.handler;
            handler(&call, &mut shared.state)
        }
    };
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        if reply.body.is_null() {
            String::new()
        } else {
            reply.body.to_string()
        },
    )
        .into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    response
}

/// A 429 with `Retry-After: <seconds>`.
pub fn rate_limited(seconds: u64) -> Reply {
    Reply {
        status: 429,
        headers: vec![("Retry-After".into(), seconds.to_string())],
        body: json!({"error": "rate limited"}),
    }
}

/// `Basic base64(user:password)`, computed independently of the crate.
pub fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// Checks the `Authorization` header; `Some(reply)` (401) when it is wrong.
pub fn check_auth(call: &Call, expected: &str) -> Option<Reply> {
    (call.header("authorization") != Some(expected))
        .then(|| Reply::status(401, json!({"error": "bad credentials"})))
}

/// Checks a JSON body's content type.
pub fn check_json(call: &Call) -> Option<Reply> {
    let json = call
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"));
    (!json).then(|| Reply::bad("Content-Type must be application/json"))
}

/// The path segments after `prefix`, e.g. `/api/v2/tickets/42/tags` → `["42", "tags"]`.
pub fn segments<'a>(path: &'a str, prefix: &str) -> Option<Vec<&'a str>> {
    let path = path.split('?').next()?;
    Some(path.strip_prefix(prefix)?.split('/').collect())
}

/// Adds or removes `tag` in the JSON array `state[field]`.
pub fn edit_set(state: &mut Value, field: &str, tag: &str, add: bool) {
    let mut items: Vec<Value> = state[field].as_array().cloned().unwrap_or_default();
    items.retain(|t| t.as_str() != Some(tag));
    if add {
        items.push(json!(tag));
    }
    state[field] = Value::Array(items);
}
