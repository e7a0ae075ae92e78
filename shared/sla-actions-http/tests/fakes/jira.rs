//! Jira Service Management, per
//! <https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put>
//! (`update.labels` add/remove, `fields.priority.name`; 204), the assignee endpoint
//! (<https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-assignee-put>),
//! <https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-comment-post>
//! (`body`, `public`) and basic auth email:token
//! (<https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/>).

use serde_json::{json, Value};

use super::{basic, check_auth, check_json, edit_set, Call, Reply};

pub const EMAIL: &str = "bot@acme.test";
pub const TOKEN: &str = "jira-token";
pub const KEY: &str = "SUP-7";

pub fn state() -> Value {
    json!({"labels": ["vip"], "priority": "Medium", "assignee": null, "comments": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &basic(EMAIL, TOKEN)) {
        return reply;
    }
    let issue = format!("/rest/api/3/issue/{KEY}");
    let comment = format!("/rest/servicedeskapi/request/{KEY}/comment");
    let path = call.path.as_str();
    match call.method.as_str() {
        "GET" if path == format!("{issue}?fields=priority") => {
            Reply::ok(json!({"key": KEY, "fields": {"priority": {"name": state["priority"]}}}))
        }
        "PUT" if path == issue => edit(call, state),
        "PUT" if path == format!("{issue}/assignee") => {
            if let Some(reply) = check_json(call) {
                return reply;
            }
            let Some(account) = call.body["accountId"].as_str() else {
                return Reply::bad("body must be {\"accountId\": ...}");
            };
            state["assignee"] = json!(account);
            Reply::status(204, Value::Null)
        }
        "POST" if path == comment => {
            if let Some(reply) = check_json(call) {
                return reply;
            }
            if !call.body["body"].is_string() || !call.body["public"].is_boolean() {
                return Reply::bad("comment needs body and public");
            }
            state["comments"]
                .as_array_mut()
                .unwrap()
                .push(call.body.clone());
            Reply::status(201, call.body.clone())
        }
        _ => Reply::status(404, json!({"errorMessages": ["Issue does not exist"]})),
    }
}

fn edit(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    if let Some(ops) = call.body["update"]["labels"].as_array() {
        for op in ops {
            match (op["add"].as_str(), op["remove"].as_str()) {
                (Some(label), None) => edit_set(state, "labels", label, true),
                (None, Some(label)) => edit_set(state, "labels", label, false),
                _ => return Reply::bad("a labels operation is {\"add\": l} or {\"remove\": l}"),
            }
        }
    }
    if let Some(priority) = call.body["fields"].get("priority") {
        let Some(name) = priority["name"].as_str() else {
            return Reply::bad("priority is {\"name\": ...}");
        };
        state["priority"] = json!(name);
    }
    Reply::status(204, Value::Null)
}
