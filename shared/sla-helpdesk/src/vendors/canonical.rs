//! Our own format for custom integrations: one canonical `TicketEvent` or an array.
//!
//! Signature (Stripe-style): `X-Sla-Timestamp: <unix seconds>` and
//! `X-Sla-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`; several
//! comma-separated `v1=` values are accepted (secret rotation).
//!
//! Event ids are namespaced: `canonical:` is prefixed unless the id already starts with
//! it, so a canonical sender cannot claim a vendor adapter's id (`zendesk:...`) and have
//! the real vendor event dropped as its duplicate.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::event::TicketEvent;

use crate::assemble::Context;
use crate::config::{Limits, Secret};
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature::{self, EpochUnit};
use crate::validate;

const SIGNATURE: &str = "X-Sla-Signature";
const TIMESTAMP: &str = "X-Sla-Timestamp";
/// The prefix of every canonical event id.
const NAMESPACE: &str = "canonical:";

/// Verifies the timestamped HMAC-SHA256 signature.
pub(crate) fn verify(
    secret: &Secret,
    limits: &Limits,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let header = request.auth_header(SIGNATURE)?;
    let timestamp = request.auth_header(TIMESTAMP)?;
    let signed_at = signature::epoch_header(TIMESTAMP, timestamp, EpochUnit::Seconds)?;
    signature::check_window(TIMESTAMP, signed_at, now, limits)?;
    let expected =
        signature::hmac_sha256(secret.expose(), &[timestamp.as_bytes(), b".", request.body]);
    let candidates: Vec<&str> = header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .collect();
    if candidates.is_empty() {
        return Err(WebhookError::unauthorized(format!(
            "header {SIGNATURE}: expected v1=<hex>"
        )));
    }
    let matched = candidates
        .iter()
        .filter_map(|candidate| hex::decode(candidate).ok())
        .fold(false, |found, received| {
            found | signature::mac_matches(&expected, &received)
        });
    if matched {
        Ok(())
    } else {
        Err(WebhookError::unauthorized(format!(
            "header {SIGNATURE}: signature does not match the body"
        )))
    }
}

/// Deserializes and validates the events.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    match body {
        Value::Array(items) => {
            ctx.limits.check_events(items.len())?;
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| event(ctx, item, &format!("[{index}]")))
                .collect()
        }
        item @ Value::Object(_) => event(ctx, item, "body").map(|e| vec![e]),
        _ => Err(WebhookError::malformed(
            "body",
            "expected an event object or an array of them",
        )),
    }
}

fn event(ctx: &Context<'_>, item: Value, field: &str) -> Result<TicketEvent, WebhookError> {
    let mut event: TicketEvent = serde_json::from_value(item)
        .map_err(|e| WebhookError::unprocessable(field, e.to_string()))?;
    for (name, value) in [
        ("tenant", &event.tenant),
        ("ticket_id", &event.ticket_id),
        ("event_id", &event.event_id),
    ] {
        if value.trim().is_empty() {
            return Err(WebhookError::unprocessable(
                format!("{field}.{name}"),
                "must not be empty",
            ));
        }
    }
    if event.tenant != ctx.tenant {
        return Err(WebhookError::unprocessable(
            format!("{field}.tenant"),
            format!(
                "{:?} does not match the tenant in the URL ({:?})",
                event.tenant, ctx.tenant
            ),
        ));
    }
    if event.vendor.is_none() {
        event.vendor = Some(ctx.vendor.name().to_string());
    }
    if !event.event_id.starts_with(NAMESPACE) {
        event.event_id = ctx.vendor_id(&event.event_id);
    }
    validate::event(&event, field)?;
    Ok(event)
}
