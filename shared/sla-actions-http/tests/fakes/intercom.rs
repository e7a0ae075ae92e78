//! Intercom, per <https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag>
//! (`POST /tags` `{"name"}` → tag with `id`),
//! <https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/attachtagtoconversation>
//! (`{"id", "admin_id"}`), the detach endpoint (`DELETE /conversations/{id}/tags/{tag_id}`,
//! `{"admin_id"}`), replies with `message_type: note`
//! (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation>),
//! assignment parts (<https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/manageconversation>),
//! bearer auth and the `Intercom-Version` header.

use serde_json::{json, Value};

use super::{check_auth, check_json, edit_set, Call, Reply};

pub const TOKEN: &str = "ic-token";
pub const ADMIN: &str = "814860";
pub const CONVERSATION: &str = "1911149811";

pub fn state() -> Value {
    json!({"tags": [], "tag_ids": {}, "parts": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &format!("Bearer {TOKEN}")) {
        return reply;
    }
    if call.header("intercom-version").is_none() {
        return Reply::bad("Intercom-Version header missing");
    }
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let conversation = format!("/conversations/{CONVERSATION}");
    let path = call.path.as_str();
    let tag_prefix = format!("{conversation}/tags/");
    match call.method.as_str() {
        "POST" if path == "/tags" => create_tag(call, state),
        "POST" if path == format!("{conversation}/tags") => {
            if call.body["admin_id"] != json!(ADMIN) {
                return Reply::bad("admin_id is required");
            }
            let Some(name) = tag_name(state, &call.body["id"]) else {
                return Reply::status(404, json!({"type": "error.list"}));
            };
            edit_set(state, "tags", &name, true);
            Reply::ok(json!({"type": "tag", "id": call.body["id"], "name": name}))
        }
        "DELETE" if path.starts_with(&tag_prefix) => {
            if call.body["admin_id"] != json!(ADMIN) {
                return Reply::bad("admin_id is required");
            }
            let id = json!(&path[tag_prefix.len()..]);
            let Some(name) = tag_name(state, &id) else {
                return Reply::status(404, json!({"type": "error.list"}));
            };
            edit_set(state, "tags", &name, false);
            Reply::ok(json!({"type": "tag", "id": id, "name": name}))
        }
        "POST"
            if path == format!("{conversation}/reply")
                || path == format!("{conversation}/parts") =>
        {
            part(call, state)
        }
        _ => Reply::status(404, json!({"type": "error.list"})),
    }
}

fn create_tag(call: &Call, state: &mut Value) -> Reply {
    let Some(name) = call.body["name"].as_str() else {
        return Reply::bad("name is required");
    };
    let ids = state["tag_ids"].as_object_mut().unwrap();
    let next = (ids.len() + 100).to_string();
    let id = ids.entry(name).or_insert(json!(next)).clone();
    Reply::ok(json!({"type": "tag", "id": id, "name": name}))
}

fn tag_name(state: &Value, id: &Value) -> Option<String> {
    state["tag_ids"]
        .as_object()?
        .iter()
        .find(|(_, v)| *v == id)
        .map(|(k, _)| k.clone())
}

fn part(call: &Call, state: &mut Value) -> Reply {
    let body = &call.body;
    let valid = body["admin_id"] == json!(ADMIN)
        && match body["message_type"].as_str() {
            Some("note") => body["type"] == "admin" && body["body"].is_string(),
            Some("assignment") => {
                matches!(body["type"].as_str(), Some("admin" | "team"))
                    && body["assignee_id"].is_string()
            }
            _ => false,
        };
    if !valid {
        return Reply::bad("not a note or assignment part");
    }
    state["parts"].as_array_mut().unwrap().push(body.clone());
    Reply::ok(json!({"type": "conversation", "id": CONVERSATION}))
}
