//! Zendesk: event-subscription webhooks (`zen:event-type:ticket.*`) and trigger
//! webhooks using our recommended JSON body template.
//!
//! Signature: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)),
//! timestamp from `X-Zendesk-Webhook-Signature-Timestamp`.

use serde_json::Value;
use sla_core::event::{Author, Comment, EventKind, Priority, Status, TicketEvent};

use crate::assemble::{with_comment, Context, RawTicket, Vocabulary};
use crate::config::{Limits, Secret};
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;
use crate::template;
use crate::time;
use chrono::{DateTime, Utc};

const SIGNATURE: &str = "X-Zendesk-Webhook-Signature";
const TIMESTAMP: &str = "X-Zendesk-Webhook-Signature-Timestamp";
const INVOCATION: &str = "X-Zendesk-Webhook-Invocation-Id";
const EVENT_PREFIX: &str = "zen:event-type:";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("new", Status::New),
        ("open", Status::Open),
        ("pending", Status::Pending),
        ("hold", Status::OnHold),
        ("on hold", Status::OnHold),
        ("solved", Status::Solved),
        ("closed", Status::Closed),
    ],
    priorities: &[
        ("low", Priority::Low),
        ("normal", Priority::Normal),
        ("high", Priority::High),
        ("urgent", Priority::Urgent),
    ],
};

/// Verifies the timestamped HMAC-SHA256 signature.
pub(crate) fn verify(
    secret: &Secret,
    limits: &Limits,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let signature = request.auth_header(SIGNATURE)?;
    let timestamp = request.auth_header(TIMESTAMP)?;
    let signed_at = time::from_text(timestamp).ok_or_else(|| {
        WebhookError::unauthorized(format!("header {TIMESTAMP}: {timestamp:?} is not a time"))
    })?;
    signature::check_window(TIMESTAMP, signed_at, now, limits)?;
    let expected = signature::hmac_sha256(secret.expose(), &[timestamp.as_bytes(), request.body]);
    signature::check_base64(SIGNATURE, signature, &expected)
}

/// Parses either payload family.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    match json::text(body, "type") {
        Some(kind) if kind.starts_with(EVENT_PREFIX) => parse_event(ctx, body, &kind[EVENT_PREFIX.len()..]),
        _ if json::get(body, "ticketID").is_some() || json::get(body, "ticket_id").is_some() => {
            parse_trigger(ctx, body).map(|e| vec![e])
        }
        _ => Err(WebhookError::malformed(
            "body",
            "neither an event-subscription event (type zen:event-type:...) nor the trigger template (ticketID)",
        )),
    }
}

fn parse_event(
    ctx: &Context<'_>,
    body: &Value,
    kind: &str,
) -> Result<Vec<TicketEvent>, WebhookError> {
    ctx.check_account("account_id", [json::text(body, "account_id")])?;
    let Some(ticket_kind) = kind.strip_prefix("ticket.") else {
        return Ok(Vec::new());
    };
    let ticket_id = json::text(body, "detail.id")
        .or_else(|| {
            json::text(body, "subject")
                .and_then(|s| s.strip_prefix("zen:ticket:").map(str::to_string))
        })
        .ok_or_else(|| WebhookError::missing("detail.id"))?;
    let at = json::required_instant(body, "time")?;
    let event_id = match json::text(body, "event.comment.id") {
        // The comment's own id, which audits and exports also give: an imported comment
        // and its webhook are one event.
        Some(comment_id) if ticket_kind == "comment_added" => {
            ctx.vendor_id(&format!("comment:{comment_id}"))
        }
        _ => ctx.vendor_id(&json::required_id(body, "id")?),
    };
    let mut raw = detail_ticket(body);
    let mut closes = false;
    let event_kind = match ticket_kind {
        "created" => EventKind::Created,
        "comment_added" => EventKind::Comment,
        "status_changed" => {
            raw.status = json::text(body, "event.current").or(raw.status);
            EventKind::Updated
        }
        "priority_changed" => {
            raw.priority = json::text(body, "event.current").or(raw.priority);
            EventKind::Updated
        }
        "soft_deleted" | "permanently_deleted" | "marked_as_spam" | "merged" => {
            closes = true;
            EventKind::Updated
        }
        _ => EventKind::Updated,
    };
    let mut snapshot = ctx.snapshot(&VOCABULARY, "detail", raw)?;
    if closes {
        snapshot.status = Some(Status::Closed);
    }
    let mut event = ctx.event(ticket_id, event_id, at, event_kind);
    event.ticket = snapshot;
    if event_kind == EventKind::Comment {
        event = with_comment(event, event_comment(body)?);
    }
    Ok(vec![event])
}

fn detail_ticket(body: &Value) -> RawTicket {
    RawTicket {
        status: json::text(body, "detail.status"),
        priority: json::text(body, "detail.priority"),
        channel: json::text(body, "detail.via.channel"),
        group: json::text(body, "detail.group_id"),
        organization: json::text(body, "detail.organization_id"),
        brand: json::text(body, "detail.brand_id"),
        tags: json::names(body, "detail.tags", "name"),
        requester_timezone: None,
        assignee: json::text(body, "detail.assignee_id"),
        requester: json::text(body, "detail.requester_id"),
    }
}

fn event_comment(body: &Value) -> Result<Comment, WebhookError> {
    let public = json::flag(body, "event.comment.is_public")
        .ok_or_else(|| WebhookError::missing("event.comment.is_public"))?;
    let staff = json::flag(body, "event.comment.author.is_staff")
        .ok_or_else(|| WebhookError::missing("event.comment.author.is_staff"))?;
    let author = if staff {
        Author::Agent
    } else {
        Author::Customer
    };
    Ok(Comment { author, public })
}

fn parse_trigger(ctx: &Context<'_>, body: &Value) -> Result<TicketEvent, WebhookError> {
    ctx.check_account("account", [json::text(body, "account")])?;
    let ticket_id = json::text(body, "ticketID")
        .or_else(|| json::text(body, "ticket_id"))
        .ok_or_else(|| WebhookError::missing("ticketID"))?;
    let word = json::text(body, "type").ok_or_else(|| WebhookError::missing("type"))?;
    let trigger = template::parse(&word).ok_or_else(|| {
        WebhookError::unprocessable(
            "type",
            format!("{word:?} is not one of: {}", template::ACCEPTED),
        )
    })?;
    let at = match json::instant(body, "updated_at")? {
        Some(at) => at,
        None => ctx
            .request
            .header(TIMESTAMP)
            .and_then(time::from_text)
            .unwrap_or(ctx.now),
    };
    let event_id = match ctx.request.header(INVOCATION).filter(|v| !v.is_empty()) {
        Some(invocation) => ctx.vendor_id(invocation),
        None => ctx.hashed_id(&[ctx.request.body, at.to_rfc3339().as_bytes()]),
    };
    let raw = RawTicket {
        status: json::text(body, "status"),
        priority: json::text(body, "priority").filter(|p| p != "-"),
        channel: json::text(body, "channel"),
        group: json::text(body, "group").or_else(|| json::text(body, "groupID")),
        organization: json::text(body, "organization"),
        brand: json::text(body, "brand"),
        tags: match json::get(body, "tags") {
            Some(Value::String(s)) => Some(json::split_tags(s)),
            _ => json::names(body, "tags", "name"),
        },
        requester_timezone: json::text(body, "requester_timezone"),
        assignee: json::text(body, "assignee"),
        requester: json::text(body, "requester"),
    };
    let snapshot = ctx.snapshot(&VOCABULARY, "body", raw)?;
    let mut event = ctx.event(ticket_id, event_id, at, trigger.kind);
    event.ticket = snapshot;
    event.comment = trigger.comment;
    Ok(event)
}
