//! Freshdesk API v2, per <https://developers.freshdesk.com/api/#update_ticket> (`PUT
//! /api/v2/tickets/{id}`: `tags` replaces the set, `priority` 1-4, `group_id`,
//! `responder_id`), <https://developers.freshdesk.com/api/#view_a_ticket>,
//! <https://developers.freshdesk.com/api/#add_note_to_a_ticket> (`POST .../notes`, `body`,
//! `private`) and basic auth `api_key:X` (<https://developers.freshdesk.com/api/#authentication>).

use serde_json::{json, Value};

use super::{basic, check_auth, check_json, segments, Call, Reply};

pub const API_KEY: &str = "fd-key";

pub fn state() -> Value {
    json!({"id": 9, "tags": ["vip"], "priority": 2, "group_id": null, "responder_id": null, "notes": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &basic(API_KEY, "X")) {
        return reply;
    }
    let Some(parts) = segments(&call.path, "/api/v2/tickets/") else {
        return Reply::status(404, json!({"code": "not_found"}));
    };
    if parts[0].parse::<u64>().ok() != state["id"].as_u64() {
        return Reply::status(404, json!({"code": "not_found"}));
    }
    match (call.method.as_str(), &parts[1..]) {
        ("GET", []) => Reply::ok(state.clone()),
        ("PUT", []) => update(call, state),
        ("POST", ["notes"]) => note(call, state),
        _ => Reply::status(404, json!({"code": "no such route"})),
    }
}

fn update(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let Some(fields) = call.body.as_object() else {
        return Reply::bad("body is an object");
    };
    for (name, value) in fields {
        let valid = match name.as_str() {
            "tags" => value
                .as_array()
                .is_some_and(|t| t.iter().all(Value::is_string)),
            "priority" => value.as_u64().is_some_and(|p| (1..=4).contains(&p)),
            "group_id" | "responder_id" => value.is_u64(),
            _ => false,
        };
        if !valid {
            return Reply::bad(format!("invalid field {name}: {value}"));
        }
        state[name] = value.clone();
    }
    Reply::ok(state.clone())
}

fn note(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    if !call.body["body"].is_string() || !call.body["private"].is_boolean() {
        return Reply::bad("note needs body and private");
    }
    state["notes"]
        .as_array_mut()
        .unwrap()
        .push(call.body.clone());
    Reply::status(201, call.body.clone())
}
