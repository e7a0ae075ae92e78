//! Help Scout: `convo.*` webhooks; the event name is in `X-HelpScout-Event`.
//!
//! Signature: `X-HelpScout-Signature` = base64(HMAC-SHA1(secret, body)), over the body
//! exactly as sent (Help Scout escapes `/` as `\/`: re-serialising breaks it).

use sla_core::event::{Author, Comment, EventKind, Status, TicketEvent};

use crate::assemble::{with_comment, Context, RawTicket, Vocabulary};
use crate::config::Secret;
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;

const SIGNATURE: &str = "X-HelpScout-Signature";
const EVENT: &str = "X-HelpScout-Event";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("active", Status::Open),
        ("open", Status::Open),
        ("pending", Status::Pending),
        ("closed", Status::Solved),
        ("spam", Status::Closed),
    ],
    priorities: &[],
};

/// Verifies the base64 HMAC-SHA1 of the raw body.
pub(crate) fn verify(secret: &Secret, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    let header = request.auth_header(SIGNATURE)?;
    let expected = signature::hmac_sha1(secret.expose(), &[request.body]);
    signature::check_base64(SIGNATURE, header, &expected)
}

/// Parses a conversation payload; events not about a conversation's SLA yield nothing.
///
/// The unsigned `X-HelpScout-Event` header only selects the meaning, and must agree with
/// the signed body: `convo.deleted` carries `{"id": ..}` alone, every other handled
/// event a whole conversation (400 otherwise). The event id hashes the body only, so a
/// captured delivery replayed under another event name is a duplicate.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let name = ctx
        .request
        .header(EVENT)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WebhookError::malformed(EVENT, "header is missing"))?;
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    let reply = |author, public| (EventKind::Comment, Some(Comment { author, public }));
    let (kind, comment) = match name {
        "convo.created" => (EventKind::Created, None),
        "convo.customer.reply.created" => reply(Author::Customer, true),
        "convo.agent.reply.created" => reply(Author::Agent, true),
        "convo.note.created" => reply(Author::Agent, false),
        "convo.assigned"
        | "convo.moved"
        | "convo.status"
        | "convo.tags"
        | "convo.custom-fields"
        | "convo.deleted" => (EventKind::Updated, None),
        _ => return Ok(Vec::new()),
    };
    let deleted = name == DELETED;
    check_header_agrees(name, deleted, body)?;
    let ticket_id = json::required_id(body, "id")?;
    let event_id = ctx.hashed_id(&[ctx.request.body]);
    if deleted {
        let mut event = ctx.event(ticket_id, event_id, ctx.now, kind);
        event.ticket.status = Some(Status::Closed);
        return Ok(vec![event]);
    }
    let at = if kind == EventKind::Created {
        json::required_instant(body, "createdAt")?
    } else {
        match json::instant(body, "userUpdatedAt")? {
            Some(at) => at,
            None => json::required_instant(body, "createdAt")?,
        }
    };
    let raw = RawTicket {
        status: json::text(body, "status"),
        channel: json::text(body, "type").or_else(|| json::text(body, "source.type")),
        group: json::text(body, "mailboxId"),
        tags: json::names(body, "tags", "tag"),
        assignee: json::text(body, "assignee.id"),
        requester: json::text(body, "primaryCustomer.id")
            .or_else(|| json::text(body, "customer.id")),
        ..RawTicket::default()
    };
    let mut event = ctx.event(ticket_id, event_id, at, kind);
    event.ticket = ctx.snapshot(&VOCABULARY, "body", raw)?;
    if let Some(comment) = comment {
        event = with_comment(event, comment);
    }
    Ok(vec![event])
}

const DELETED: &str = "convo.deleted";

/// A deletion notice is `{"id": ..}` alone; every other conversation event carries the
/// whole conversation (Help Scout's webhook documentation). A header contradicting the
/// body's shape is refused with 400.
fn check_header_agrees(
    name: &str,
    deleted: bool,
    body: &serde_json::Value,
) -> Result<(), WebhookError> {
    let whole = ["createdAt", "status", "mailboxId"]
        .iter()
        .any(|key| json::get(body, key).is_some());
    match (deleted, whole) {
        (true, true) => Err(WebhookError::malformed(
            EVENT,
            format!("{name:?} contradicts the body: a deletion carries only the conversation id, this body is a whole conversation"),
        )),
        (false, false) => Err(WebhookError::malformed(
            EVENT,
            format!("{name:?} contradicts the body: it carries no conversation (createdAt, status, mailboxId), as only a deletion does"),
        )),
        _ => Ok(()),
    }
}
