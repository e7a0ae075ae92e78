//! Help Scout Mailbox API 2.0, per
//! <https://developer.helpscout.com/mailbox-api/endpoints/conversations/tags/update/>
//! (`PUT /v2/conversations/{id}/tags` replaces the set; 204),
//! <https://developer.helpscout.com/mailbox-api/endpoints/conversations/get/> (`tags[].tag`),
//! <https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/note/>
//! (`POST .../notes` `{"text"}`; 201),
//! <https://developer.helpscout.com/mailbox-api/endpoints/conversations/update/>
//! (JSON Patch `replace /assignTo` with a number; 204) and OAuth bearer auth, the token
//! coming from the client credentials flow (`POST /v2/oauth2/token`,
//! <https://developer.helpscout.com/mailbox-api/overview/authentication/>).

use serde_json::{json, Value};

use super::{check_auth, check_json, segments, Call, Reply};

pub const TOKEN: &str = "hs-token";
pub const APP_ID: &str = "hs-app";
pub const APP_SECRET: &str = "hs-app-secret";

pub fn state() -> Value {
    json!({"id": 5, "tags": [{"id": 1, "tag": "vip"}], "assignTo": null, "notes": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if call.method == "POST" && call.path == "/v2/oauth2/token" {
        let expected = json!({"grant_type": "client_credentials", "client_id": APP_ID, "client_secret": APP_SECRET});
        if call.body != expected {
            return Reply::status(401, json!({"error": "invalid_client"}));
        }
        return Reply::ok(
            json!({"token_type": "bearer", "access_token": TOKEN, "expires_in": 172800}),
        );
    }
    if let Some(reply) = check_auth(call, &format!("Bearer {TOKEN}")) {
        return reply;
    }
    let Some(parts) = segments(&call.path, "/v2/conversations/") else {
        return Reply::status(404, Value::Null);
    };
    if parts[0].parse::<u64>().ok() != state["id"].as_u64() {
        return Reply::status(404, Value::Null);
    }
    if call.method != "GET" {
        if let Some(reply) = check_json(call) {
            return reply;
        }
    }
    match (call.method.as_str(), &parts[1..]) {
        ("GET", []) => Reply::ok(state.clone()),
        ("PUT", ["tags"]) => {
            let Some(tags) = call.body["tags"].as_array() else {
                return Reply::bad("body must be {\"tags\": [...]}");
            };
            let tags: Vec<Value> = tags
                .iter()
                .enumerate()
                .map(|(i, t)| json!({"id": i + 1, "tag": t}))
                .collect();
            state["tags"] = Value::Array(tags);
            Reply::status(204, Value::Null)
        }
        ("POST", ["notes"]) => {
            if !call.body["text"].is_string() {
                return Reply::bad("note needs text");
            }
            state["notes"]
                .as_array_mut()
                .unwrap()
                .push(call.body.clone());
            Reply::status(201, Value::Null)
        }
        ("PATCH", []) => {
            let body = &call.body;
            if body["op"] != "replace" || body["path"] != "/assignTo" || !body["value"].is_u64() {
                return Reply::bad("expected {op: replace, path: /assignTo, value: <number>}");
            }
            state["assignTo"] = body["value"].clone();
            Reply::status(204, Value::Null)
        }
        _ => Reply::status(404, Value::Null),
    }
}
