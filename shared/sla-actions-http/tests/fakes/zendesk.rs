//! Zendesk, per <https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/>
//! (PUT/DELETE `/api/v2/tickets/{id}/tags`, `{"tags": [...]}`),
//! <https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket>
//! (`PUT /api/v2/tickets/{id}` `{"ticket": {...}}`; `safe_update` + `updated_stamp`
//! answering 409 on a collision; comments with `public`), and basic auth
//! `{email}/token:{token}` (<https://developer.zendesk.com/api-reference/introduction/security-and-auth/>).

use serde_json::{json, Value};

use super::{basic, check_auth, check_json, edit_set, segments, Call, Reply};

pub const EMAIL: &str = "bot@acme.test";
pub const TOKEN: &str = "zd-token";

pub fn state() -> Value {
    json!({"id": 42, "tags": ["vip"], "priority": "normal", "updated_at": "2026-03-02T09:00:00Z",
           "group_id": null, "assignee_id": null, "comments": [], "revision": 0})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &basic(&format!("{EMAIL}/token"), TOKEN)) {
        return reply;
    }
    let Some(parts) = segments(&call.path, "/api/v2/tickets/") else {
        return Reply::status(404, json!({"error": "not found"}));
    };
    if parts[0].parse::<u64>().ok() != state["id"].as_u64() {
        return Reply::status(404, json!({"error": "RecordNotFound"}));
    }
    match (call.method.as_str(), &parts[1..]) {
        ("GET", []) => Reply::ok(json!({"ticket": state.clone()})),
        ("PUT", ["tags"]) | ("DELETE", ["tags"]) => tags(call, state),
        ("PUT", []) => update(call, state),
        _ => Reply::status(404, json!({"error": "no such route"})),
    }
}

fn tags(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let Some(tags) = call.body["tags"].as_array().filter(|t| !t.is_empty()) else {
        return Reply::bad("body must be {\"tags\": [...]}");
    };
    for tag in tags {
        let Some(tag) = tag.as_str() else {
            return Reply::bad("tags are strings");
        };
        edit_set(state, "tags", tag, call.method == "PUT");
    }
    Reply::ok(json!({"tags": state["tags"].clone()}))
}

fn update(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let Some(fields) = call.body["ticket"].as_object() else {
        return Reply::bad("body must be {\"ticket\": {...}}");
    };
    if fields.get("safe_update") == Some(&json!(true))
        && fields.get("updated_stamp") != Some(&state["updated_at"])
    {
        return Reply::status(409, json!({"error": "UpdateConflict"}));
    }
    for (name, value) in fields {
        match name.as_str() {
            "priority" | "group_id" | "assignee_id" => state[name] = value.clone(),
            "comment" => {
                if !value["body"].is_string() || !value["public"].is_boolean() {
                    return Reply::bad("comment needs body and public");
                }
                state["comments"]
                    .as_array_mut()
                    .unwrap()
                    .push(value.clone());
            }
            "safe_update" | "updated_stamp" => {}
            other => return Reply::bad(format!("unexpected field {other}")),
        }
    }
    let revision = state["revision"].as_u64().unwrap() + 1;
    state["revision"] = json!(revision);
    state["updated_at"] = json!(format!("2026-03-02T09:00:{revision:02}Z"));
    Reply::ok(json!({"ticket": state.clone()}))
}
