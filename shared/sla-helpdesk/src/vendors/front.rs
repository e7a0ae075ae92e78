//! Front: rule webhooks (the event object) and application webhooks (the event in
//! `payload`). One conversation is one ticket.
//!
//! Signatures, both in `X-Front-Signature`: application webhooks sign
//! base64(HMAC-SHA256(secret, timestamp + ":" + body)) with `X-Front-Request-Timestamp`
//! (checked against the window); rule webhooks sign base64(HMAC-SHA1(secret, body)).
//! The timestamp header's presence selects the scheme.

use chrono::{DateTime, Utc};
use sla_core::event::{Author, Comment, EventKind, Status, TicketEvent};

use crate::assemble::{with_comment, Context, RawTicket, Vocabulary};
use crate::config::{Limits, Secret};
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;
use crate::time;

const SIGNATURE: &str = "X-Front-Signature";
const TIMESTAMP: &str = "X-Front-Request-Timestamp";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("unassigned", Status::Open),
        ("assigned", Status::Open),
        ("open", Status::Open),
        ("waiting", Status::Pending),
        ("archived", Status::Solved),
        ("resolved", Status::Solved),
        ("deleted", Status::Closed),
    ],
    priorities: &[],
};

/// Verifies an application (timestamped SHA-256) or rule (SHA-1) signature.
pub(crate) fn verify(
    secret: &Secret,
    limits: &Limits,
    request: &WebhookRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let signature = request.auth_header(SIGNATURE)?;
    let expected = match request.header(TIMESTAMP) {
        Some(timestamp) => {
            let signed_at = time::from_text(timestamp).ok_or_else(|| {
                WebhookError::unauthorized(format!(
                    "header {TIMESTAMP}: {timestamp:?} is not a time"
                ))
            })?;
            signature::check_window(TIMESTAMP, signed_at, now, limits)?;
            signature::hmac_sha256(secret.expose(), &[timestamp.as_bytes(), b":", request.body])
        }
        None => signature::hmac_sha1(secret.expose(), &[request.body]),
    };
    signature::check_base64(SIGNATURE, signature, &expected)
}

/// Parses one event; event types not about a conversation's SLA yield nothing.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    let (event, prefix) = match json::get(body, "payload") {
        Some(payload) if payload.is_object() => (payload, "payload."),
        _ => (body, ""),
    };
    let field = |name: &str| format!("{prefix}{name}");
    ctx.check_account(
        "authorization.id",
        [json::text(body, "authorization.id"), company_host(event)],
    )?;
    let kind = json::text(event, "type").ok_or_else(|| WebhookError::missing(field("type")))?;
    let happened = match kind.as_str() {
        "inbound" => Some(Comment {
            author: Author::Customer,
            public: true,
        }),
        "outbound" | "out_reply" => Some(Comment {
            author: Author::Agent,
            public: true,
        }),
        "comment" => Some(Comment {
            author: Author::Agent,
            public: false,
        }),
        "archive" | "reopen" | "restore" | "assign" | "unassign" | "tag" | "untag" | "move"
        | "trash" => None,
        _ => return Ok(Vec::new()),
    };
    let conversation_id = json::required_id(event, "conversation.id")
        .map_err(|_| WebhookError::missing(field("conversation.id")))?;
    let at = json::required_instant(event, "emitted_at")
        .map_err(|e| e.for_field(&field("emitted_at")))?;
    let event_id = ctx.vendor_id(
        &json::required_id(event, "id").map_err(|_| WebhookError::missing(field("id")))?,
    );
    let raw = RawTicket {
        status: json::text(event, "conversation.status"),
        channel: json::text(event, "target.data.type"),
        tags: json::names(event, "conversation.tags", "name"),
        assignee: json::text(event, "conversation.assignee.id"),
        requester: json::text(event, "conversation.recipient.handle"),
        ..RawTicket::default()
    };
    let mut snapshot = ctx.snapshot(&VOCABULARY, &field("conversation"), raw)?;
    if kind == "trash" {
        snapshot.status = Some(Status::Closed);
    }
    let mut events = Vec::new();
    if kind == "inbound" {
        // Front has no "created" event: the first inbound message opens the conversation.
        // The id is per conversation, so later inbound messages repeat it and are dropped.
        let created_at = json::instant(event, "conversation.created_at")?.unwrap_or(at);
        let mut created = ctx.event(
            conversation_id.clone(),
            ctx.vendor_id(&format!("{conversation_id}:created")),
            created_at,
            EventKind::Created,
        );
        created.ticket = snapshot.clone();
        events.push(created);
    }
    let mut main = ctx.event(conversation_id, event_id, at, EventKind::Updated);
    main.ticket = snapshot;
    events.push(match happened {
        Some(comment) => with_comment(main, comment),
        None => main,
    });
    Ok(events)
}

/// The company of a rule webhook's event link `https://<company>.api.frontapp.com/...`.
fn company_host(event: &serde_json::Value) -> Option<String> {
    let host = json::url_host(event, "_links.self")?;
    host.strip_suffix(".api.frontapp.com").map(str::to_string)
}
