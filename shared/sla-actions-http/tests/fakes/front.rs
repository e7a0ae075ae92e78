//! Front Core API, per <https://dev.frontapp.com/reference/list-tags> (`_results`,
//! `_pagination.next`), <https://dev.frontapp.com/reference/add-conversation-tag> and
//! <https://dev.frontapp.com/reference/remove-conversation-tag> (`{"tag_ids": [...]}`; 204),
//! <https://dev.frontapp.com/reference/add-comment> (`{"body"}`; 201),
//! <https://dev.frontapp.com/reference/update-conversation-assignee> (`{"assignee_id"}`;
//! 204) and bearer auth.

use serde_json::{json, Value};

use super::{check_auth, check_json, edit_set, Call, Reply};

pub const TOKEN: &str = "front-token";
pub const CONVERSATION: &str = "cnv_55";

pub fn state() -> Value {
    json!({"tags": [], "assignee": null, "comments": [], "base_url": ""})
}

/// Two pages of tags: `vip` on the first, `sla_at_risk` on the second.
fn tag_page(state: &Value, second: bool) -> Value {
    if second {
        json!({"_results": [{"id": "tag_2", "name": "sla_at_risk"}], "_pagination": {"next": null}})
    } else {
        let next = format!("{}/tags?page_token=p2", state["base_url"].as_str().unwrap());
        json!({"_results": [{"id": "tag_1", "name": "vip"}], "_pagination": {"next": next}})
    }
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &format!("Bearer {TOKEN}")) {
        return reply;
    }
    let conversation = format!("/conversations/{CONVERSATION}");
    let path = call.path.as_str();
    if call.method != "GET" {
        if let Some(reply) = check_json(call) {
            return reply;
        }
    }
    match call.method.as_str() {
        "GET" if path == "/tags" => Reply::ok(tag_page(state, false)),
        "GET" if path == "/tags?page_token=p2" => Reply::ok(tag_page(state, true)),
        "POST" | "DELETE" if path == format!("{conversation}/tags") => {
            let Some(ids) = call.body["tag_ids"].as_array() else {
                return Reply::bad("body must be {\"tag_ids\": [...]}");
            };
            for id in ids {
                let Some(id) = id.as_str().filter(|i| i.starts_with("tag_")) else {
                    return Reply::bad("tag ids start with tag_");
                };
                edit_set(state, "tags", id, call.method == "POST");
            }
            Reply::status(204, Value::Null)
        }
        "POST" if path == format!("{conversation}/comments") => {
            if !call.body["body"].is_string() {
                return Reply::bad("comment needs body");
            }
            state["comments"]
                .as_array_mut()
                .unwrap()
                .push(call.body.clone());
            Reply::status(201, json!({"id": "com_1"}))
        }
        "PUT" if path == format!("{conversation}/assignee") => {
            let Some(id) = call.body["assignee_id"].as_str() else {
                return Reply::bad("body must be {\"assignee_id\": ...}");
            };
            state["assignee"] = json!(id);
            Reply::status(204, Value::Null)
        }
        _ => Reply::status(404, json!({"_error": {"status": 404}})),
    }
}
