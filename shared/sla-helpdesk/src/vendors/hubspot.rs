//! HubSpot: ticket subscriptions (`ticket.creation`, `ticket.propertyChange`,
//! `ticket.deletion`, and the generic `object.*` forms with `objectTypeId` `0-5`).
//! A batch is a JSON array; each element carries ids and one changed property only.
//!
//! Signature v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret,
//! method + uri + body + timestamp)), `X-HubSpot-Request-Timestamp` in milliseconds.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::event::{EventKind, Priority, Status, TicketEvent};

use crate::assemble::{Context, Vocabulary};
use crate::config::{Limits, Secret};
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature::{self, EpochUnit};

const SIGNATURE: &str = "X-HubSpot-Signature-v3";
const TIMESTAMP: &str = "X-HubSpot-Request-Timestamp";
const TICKET_OBJECT_TYPE: &str = "0-5";
const STAGE: &str = "hs_pipeline_stage";
const PRIORITY: &str = "hs_ticket_priority";

/// Stage ids of HubSpot's default support pipeline; other pipelines need the tenant's mapping.
pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("1", Status::New),
        ("2", Status::Pending),
        ("3", Status::Open),
        ("4", Status::Closed),
    ],
    priorities: &[
        ("low", Priority::Low),
        ("medium", Priority::Normal),
        ("high", Priority::High),
        ("urgent", Priority::Urgent),
    ],
};

/// URL escapes HubSpot decodes before signing the URI.
const URI_DECODES: &[(&str, &str)] = &[
    ("%3A", ":"),
    ("%2F", "/"),
    ("%3F", "?"),
    ("%40", "@"),
    ("%21", "!"),
    ("%24", "$"),
    ("%27", "'"),
    ("%28", "("),
    ("%29", ")"),
    ("%2A", "*"),
    ("%2C", ","),
    ("%3B", ";"),
];

/// Verifies the v3 signature and its millisecond timestamp.
pub(crate) fn verify(
    secret: &Secret,
    limits: &Limits,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let signature = request.auth_header(SIGNATURE)?;
    let timestamp = request.auth_header(TIMESTAMP)?;
    let signed_at = signature::epoch_header(TIMESTAMP, timestamp, EpochUnit::Millis)?;
    signature::check_window(TIMESTAMP, signed_at, now, limits)?;
    let uri = signed_uri(request.uri);
    let expected = signature::hmac_sha256(
        secret.expose(),
        &[
            request.method.as_bytes(),
            uri.as_bytes(),
            request.body,
            timestamp.as_bytes(),
        ],
    );
    signature::check_base64(SIGNATURE, signature, &expected)
}

/// The URI as HubSpot signs it: the listed escapes decoded (either letter case).
pub(crate) fn signed_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let candidate = rest.get(pos..pos + 3).unwrap_or("");
        match URI_DECODES
            .iter()
            .find(|(enc, _)| enc.eq_ignore_ascii_case(candidate))
        {
            Some((_, decoded)) => {
                out.push_str(decoded);
                rest = &rest[pos + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[pos + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses a batch; non-ticket objects and properties that do not affect the SLA yield nothing.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let items = match &body {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        Value::Object(_) => vec![&body],
        _ => {
            return Err(WebhookError::malformed(
                "body",
                "expected a JSON array of events",
            ))
        }
    };
    let mut events = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        if let Some(event) = parse_item(ctx, item, index)? {
            events.push(event);
        }
    }
    Ok(events)
}

fn parse_item(
    ctx: &Context<'_>,
    item: &Value,
    index: usize,
) -> Result<Option<TicketEvent>, WebhookError> {
    let field = |name: &str| format!("[{index}].{name}");
    if !item.is_object() {
        return Err(WebhookError::malformed(
            format!("[{index}]"),
            "expected an event object",
        ));
    }
    let kind = json::text(item, "subscriptionType")
        .ok_or_else(|| WebhookError::missing(field("subscriptionType")))?;
    let Some(action) = ticket_action(item, &kind) else {
        return Ok(None);
    };
    let ticket_id = json::required_id(item, "objectId")
        .map_err(|_| WebhookError::missing(field("objectId")))?;
    let at = json::required_instant(item, "occurredAt")
        .map_err(|_| WebhookError::missing(field("occurredAt")))?;
    let delivery = [
        json::required_id(item, "subscriptionId")
            .map_err(|_| WebhookError::missing(field("subscriptionId")))?,
        ticket_id.clone(),
        json::required_id(item, "eventId").map_err(|_| WebhookError::missing(field("eventId")))?,
    ]
    .join(":");
    let mut event = ctx.event(ticket_id, ctx.vendor_id(&delivery), at, EventKind::Updated);
    match action {
        "creation" => event.kind = EventKind::Created,
        "deletion" => event.ticket.status = Some(Status::Closed),
        _ => {
            let property = json::text(item, "propertyName").unwrap_or_default();
            let value = json::text(item, "propertyValue");
            match (property.as_str(), value) {
                (STAGE, Some(stage)) => {
                    event.ticket.status =
                        Some(ctx.status(&VOCABULARY, &field("propertyValue"), &stage)?)
                }
                (PRIORITY, Some(priority)) => {
                    event.ticket.priority =
                        Some(ctx.priority(&VOCABULARY, &field("propertyValue"), &priority)?)
                }
                _ => return Ok(None),
            }
        }
    }
    Ok(Some(event))
}

/// `creation`, `propertyChange` or `deletion` when the item is about a ticket.
fn ticket_action<'k>(item: &Value, kind: &'k str) -> Option<&'k str> {
    let (object, action) = kind.split_once('.')?;
    let is_ticket = match object {
        "ticket" => true,
        "object" => json::text(item, "objectTypeId").as_deref() == Some(TICKET_OBJECT_TYPE),
        _ => false,
    };
    (is_ticket && matches!(action, "creation" | "propertyChange" | "deletion")).then_some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_uri_decodes_only_the_listed_escapes() {
        assert_eq!(
            signed_uri("https://x.test/hook%3Fa%3Db%2Fc?q=%20%2a%"),
            "https://x.test/hook?a%3Db/c?q=%20*%"
        );
    }
}
