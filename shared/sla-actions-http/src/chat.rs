//! Chat destinations: Slack incoming webhooks, Microsoft Teams workflow webhooks, and a
//! generic HTTPS POST signed like our canonical webhooks.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sla_actions::PlannedAction;
use sla_helpdesk::Channel;

use crate::transport::{HttpRequest, Method};

/// Header of the generic POST: Unix seconds when it was signed.
pub const TIMESTAMP_HEADER: &str = "X-Sla-Timestamp";
/// Header of the generic POST: `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
pub const SIGNATURE_HEADER: &str = "X-Sla-Signature";
/// Header of the generic POST: the action id, for receivers that de-duplicate.
pub const ACTION_ID_HEADER: &str = "X-Sla-Action-Id";

/// The request posting `text` to `channel`; `now_secs` is the signing time.
pub fn request(
    channel: &Channel,
    action: &PlannedAction,
    name: &str,
    text: &str,
    now_secs: i64,
) -> HttpRequest {
    match channel {
        Channel::Slack { webhook_url } => {
            post(webhook_url.expose_str(), "Slack webhook", &slack(text))
        }
        Channel::Teams { webhook_url } => {
            post(webhook_url.expose_str(), "Teams webhook", &teams(text))
        }
        Channel::Signed { url, secret } => {
            let body = json!({
                "action_id": action.id,
                "event_id": action.event_id,
                "tenant": action.tenant,
                "ticket_id": action.ticket_id,
                "channel": name,
                "text": text,
            });
            let request = post(url, &format!("POST to channel {name}"), &body);
            let signature = sign(secret.expose(), now_secs, &request.body);
            request
                .header(TIMESTAMP_HEADER, now_secs.to_string())
                .header(SIGNATURE_HEADER, format!("v1={signature}"))
                .header(ACTION_ID_HEADER, action.id.clone())
        }
    }
}

/// Slack incoming webhook body: `{"text": ...}`
/// (<https://api.slack.com/messaging/webhooks>).
pub fn slack(text: &str) -> Value {
    json!({"text": text})
}

/// Teams workflow webhook body: a message carrying one Adaptive Card with the text
/// (<https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook>,
/// <https://adaptivecards.io/explorer/TextBlock.html>).
pub fn teams(text: &str) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [{"type": "TextBlock", "text": text, "wrap": true}],
            },
        }],
    })
}

/// Hex HMAC-SHA256 of `timestamp + "." + body`, as canonical webhooks are signed.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn post(url: &str, label: &str, body: &Value) -> HttpRequest {
    HttpRequest {
        method: Method::POST,
        url: url.to_string(),
        headers: Vec::new(),
        body: Vec::new(),
        label: label.to_string(),
    }
    .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_helpdesk::Secret;

    #[test]
    fn the_signature_matches_rfc_4231_style_hmac_over_timestamp_dot_body() {
        // HMAC-SHA256("key", "1.{}") computed independently.
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
            mac.update(b"1.{}");
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(sign(b"key", 1, b"{}"), expected);
    }

    #[test]
    fn webhook_urls_stay_out_of_labels() {
        let channel = Channel::Slack {
            webhook_url: Secret::new("https://hooks.slack.com/services/T/B/secret"),
        };
        let action = PlannedAction {
            id: "e:0.0".into(),
            event_id: "e".into(),
            tenant: "acme".into(),
            ticket_id: "1".into(),
            vendor: None,
            step: sla_actions::ActionStep::Notify {
                channel: "leads".into(),
                text: "hi".into(),
            },
        };
        let request = request(&channel, &action, "leads", "hi", 0);
        assert_eq!(request.label, "Slack webhook");
        assert!(!format!("{request:?}").contains("secret"));
        assert_eq!(request.body, br#"{"text":"hi"}"#);
    }
}
