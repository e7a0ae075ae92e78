//! HubSpot: ticket subscriptions (`ticket.creation`, `ticket.propertyChange`,
//! `ticket.deletion`, and the generic `object.*` forms with `objectTypeId` `0-5`).
//! A batch is a JSON array; each element carries ids and one changed property only.
//!
//! Signature v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret,
//! method + uri + body + timestamp)), `X-HubSpot-Request-Timestamp` in milliseconds.
//! Without a v3 header, the older `X-HubSpot-Signature` with
//! `X-HubSpot-Signature-Version: v1` (hex SHA-256 of client secret + body) or `v2` (hex
//! SHA-256 of client secret + method + URI as received + body), as HubSpot documents
//! (developers.hubspot.com, "Validating requests"). They carry no timestamp.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sla_core::event::{EventKind, Priority, Status, TicketEvent};

use crate::assemble::{Context, Vocabulary};
use crate::config::{Limits, Secret};
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature::{self, EpochUnit};

const SIGNATURE: &str = "X-HubSpot-Signature-v3";
const TIMESTAMP: &str = "X-HubSpot-Request-Timestamp";
const LEGACY_SIGNATURE: &str = "X-HubSpot-Signature";
const LEGACY_VERSION: &str = "X-HubSpot-Signature-Version";
const TICKET_OBJECT_TYPE: &str = "0-5";
const STAGE: &str = "hs_pipeline_stage";
const PRIORITY: &str = "hs_ticket_priority";
const OWNER: &str = "hubspot_owner_id";

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

/// Verifies the v3 signature and its millisecond timestamp, or, when the request has no
/// v3 header, the v1/v2 signature its version header names.
pub(crate) fn verify(
    secret: &Secret,
    limits: &Limits,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let has_v3 = request.header(SIGNATURE).is_some_and(|v| !v.is_empty());
    if !has_v3 && request.header(LEGACY_SIGNATURE).is_some() {
        return verify_legacy(secret, request);
    }
    verify_v3(secret, limits, request, now)
}

/// v1: SHA-256(secret + body); v2: SHA-256(secret + method + URI + body); hex.
fn verify_legacy(secret: &Secret, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    let signature = request.auth_header(LEGACY_SIGNATURE)?;
    let version = request.auth_header(LEGACY_VERSION)?;
    let mut digest = Sha256::new();
    digest.update(secret.expose());
    match version.to_ascii_lowercase().as_str() {
        "v1" => {}
        "v2" => {
            digest.update(request.method.as_bytes());
            digest.update(request.uri.as_bytes());
        }
        _ => {
            return Err(WebhookError::unauthorized(format!(
                "header {LEGACY_VERSION}: {version:?} is not v1 or v2"
            )))
        }
    }
    digest.update(request.body);
    signature::check_hex(LEGACY_SIGNATURE, signature, &digest.finalize())
}

fn verify_v3(
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
    ctx.limits.check_events(items.len())?;
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
    ctx.check_account(&field("portalId"), [json::text(item, "portalId")])?;
    let kind = json::text(item, "subscriptionType")
        .ok_or_else(|| WebhookError::missing(field("subscriptionType")))?;
    let Some(action) = ticket_action(item, &kind) else {
        return Ok(None);
    };
    let ticket_id = json::required_id(item, "objectId")
        .map_err(|_| WebhookError::missing(field("objectId")))?;
    let at = json::required_instant(item, "occurredAt")
        .map_err(|e| e.for_field(&field("occurredAt")))?;
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
                (OWNER, Some(owner)) => event.ticket.assignee = Some(owner),
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

    const DOC_SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";

    fn legacy(method: &str, uri: &str, body: &[u8], version: &str, sig: &str) -> bool {
        let headers = vec![
            (LEGACY_SIGNATURE.to_string(), sig.to_string()),
            (LEGACY_VERSION.to_string(), version.to_string()),
        ];
        let request = WebhookRequest {
            method,
            uri,
            headers: &headers,
            body,
        };
        let now = DateTime::from_timestamp(0, 0).unwrap();
        verify(&Secret::new(DOC_SECRET), &Limits::default(), &request, now).is_ok()
    }

    /// The v1 example of developers.hubspot.com/docs/faq/v1-request-validation.
    #[test]
    fn v1_matches_hubspots_documented_example() {
        let body = br#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
        let sig = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de";
        assert!(legacy("POST", "https://x.test/", body, "v1", sig));
        assert!(!legacy("POST", "https://x.test/", body, "v2", sig));
        assert!(!legacy("POST", "https://x.test/", b"[]", "v1", sig));
    }

    /// The v2 GET example of developers.hubspot.com/docs/faq/v2-request-validation.
    #[test]
    fn v2_matches_hubspots_documented_example() {
        let sig = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e";
        let uri = "https://www.example.com/webhook_uri";
        assert!(legacy("GET", uri, b"", "v2", sig));
        assert!(!legacy("POST", uri, b"", "v2", sig));
        assert!(!legacy("GET", uri, b"", "v3", sig));
    }

    #[test]
    fn signed_uri_decodes_only_the_listed_escapes() {
        assert_eq!(
            signed_uri("https://x.test/hook%3Fa%3Db%2Fc?q=%20%2a%"),
            "https://x.test/hook?a%3Db/c?q=%20*%"
        );
    }
}
