//! Chat receivers: a Slack incoming webhook (<https://api.slack.com/messaging/webhooks>:
//! POST `{"text"}`, answers `ok`), a Teams workflow webhook
//! (<https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook>:
//! a `message` with one Adaptive Card attachment; answers 202) and the generic signed POST
//! (`X-Sla-Timestamp`, `X-Sla-Signature: v1=<hex HMAC-SHA256(secret, ts + "." + body)>`,
//! checked here independently of the crate).

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{check_json, Call, Reply};

pub const SLACK_PATH: &str = "/services/T000/B000/XXXX";
pub const TEAMS_PATH: &str = "/workflows/abc/triggers/manual/paths/invoke";
pub const SIGNED_PATH: &str = "/sla-hook";
pub const SIGNING_SECRET: &str = "whsec-test";

pub fn state() -> Value {
    json!({"messages": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if call.method != "POST" {
        return Reply::status(405, Value::Null);
    }
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let text = match call.path.as_str() {
        SLACK_PATH => call.body["text"].as_str().map(str::to_string),
        TEAMS_PATH => teams_text(&call.body),
        SIGNED_PATH => {
            if !signature_valid(call) {
                return Reply::status(401, json!({"error": "bad signature"}));
            }
            call.body["text"].as_str().map(str::to_string)
        }
        _ => return Reply::status(404, Value::Null),
    };
    let Some(text) = text else {
        return Reply::bad("no text in the payload");
    };
    state["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"path": call.path, "text": text}));
    if call.path == TEAMS_PATH {
        Reply::status(202, Value::Null)
    } else {
        Reply::ok(json!("ok"))
    }
}

fn teams_text(body: &Value) -> Option<String> {
    let attachment = &body["attachments"][0];
    let card = &attachment["content"];
    let valid = body["type"] == "message"
        && attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        && card["type"] == "AdaptiveCard"
        && card["version"].is_string();
    valid.then(|| card["body"][0]["text"].as_str().map(str::to_string))?
}

fn signature_valid(call: &Call) -> bool {
    let (Some(timestamp), Some(signature)) = (
        call.header("x-sla-timestamp"),
        call.header("x-sla-signature"),
    ) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_SECRET.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&call.raw_body);
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    expected == signature
}
