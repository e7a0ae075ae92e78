//! Intercom: `notification_event` webhooks for conversation and ticket topics.
//!
//! Signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, body)>`.
//! Both payload versions in use are read: conversations with `source` (API 2.x) or
//! `conversation_message` (1.x), tickets with `ticket_state` as a word (≤ 2.11) or an
//! object with a `category` (2.12+).

use serde_json::Value;
use sla_core::event::{Author, Comment, EventKind, Priority, Status, TicketEvent};

use crate::assemble::{with_comment, Context, RawTicket, Vocabulary};
use crate::config::Secret;
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;

const SIGNATURE: &str = "X-Hub-Signature";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("open", Status::Open),
        ("snoozed", Status::Pending),
        ("closed", Status::Solved),
        ("submitted", Status::New),
        ("in progress", Status::Open),
        ("waiting on customer", Status::Pending),
        ("on hold", Status::OnHold),
        ("resolved", Status::Solved),
    ],
    priorities: &[
        ("priority", Priority::High),
        ("not priority", Priority::Normal),
    ],
};

/// Verifies `X-Hub-Signature: sha1=<hex>` over the raw body.
pub(crate) fn verify(secret: &Secret, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    let header = request.auth_header(SIGNATURE)?;
    let hex = header.strip_prefix("sha1=").ok_or_else(|| {
        WebhookError::unauthorized(format!("header {SIGNATURE}: expected sha1=<hex>"))
    })?;
    let expected = signature::hmac_sha1(secret.expose(), &[request.body]);
    signature::check_hex(SIGNATURE, hex, &expected)
}

/// What a topic means for the SLA.
enum Meaning {
    Created,
    Updated,
    Closes,
    Reply(Comment),
}

fn meaning(topic: &str) -> Option<Meaning> {
    let reply = |author, public| Some(Meaning::Reply(Comment { author, public }));
    match topic {
        "conversation.user.created" | "conversation.admin.single.created" | "ticket.created" => {
            Some(Meaning::Created)
        }
        "conversation.user.replied" | "ticket.contact.replied" => reply(Author::Customer, true),
        "conversation.admin.replied" | "ticket.admin.replied" => reply(Author::Agent, true),
        "conversation.admin.noted" | "ticket.note.created" => reply(Author::Agent, false),
        "conversation.admin.closed"
        | "conversation.admin.opened"
        | "conversation.admin.snoozed"
        | "conversation.admin.unsnoozed"
        | "conversation.admin.assigned"
        | "conversation.admin.open.assigned"
        | "conversation.priority.updated"
        | "conversation_part.tag.created"
        | "ticket.state.updated"
        | "ticket.closed"
        | "ticket.admin.assigned"
        | "ticket.team.assigned"
        | "ticket.attribute.updated" => Some(Meaning::Updated),
        "conversation.deleted" | "ticket.deleted" => Some(Meaning::Closes),
        _ => None,
    }
}

/// Parses a notification; topics not about a ticket's SLA yield nothing.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    if json::text(body, "type").as_deref() != Some("notification_event") {
        return Err(WebhookError::malformed(
            "type",
            "expected \"notification_event\"",
        ));
    }
    ctx.check_account("app_id", [json::text(body, "app_id")])?;
    let topic = json::text(body, "topic").ok_or_else(|| WebhookError::missing("topic"))?;
    let Some(meaning) = meaning(&topic) else {
        return Ok(Vec::new());
    };
    let item = json::get(body, "data.item").ok_or_else(|| WebhookError::missing("data.item"))?;
    let ticket_id =
        json::required_id(item, "id").map_err(|_| WebhookError::missing("data.item.id"))?;
    let event_id = ctx.vendor_id(&json::required_id(body, "id")?);
    let at = match json::instant(body, "created_at")? {
        Some(at) => at,
        None => json::required_instant(item, "updated_at")
            .map_err(|_| WebhookError::missing("created_at"))?,
    };
    let raw = if topic.starts_with("ticket.") {
        ticket(item)
    } else {
        conversation(item)
    };
    let mut snapshot = ctx.snapshot(&VOCABULARY, "data.item", raw)?;
    let mut event = match meaning {
        Meaning::Created => ctx.event(ticket_id, event_id, at, EventKind::Created),
        Meaning::Updated => ctx.event(ticket_id, event_id, at, EventKind::Updated),
        Meaning::Closes => {
            snapshot.status = Some(Status::Closed);
            ctx.event(ticket_id, event_id, at, EventKind::Updated)
        }
        Meaning::Reply(by_topic) => {
            let comment = last_part_comment(item).unwrap_or(by_topic);
            with_comment(
                ctx.event(ticket_id, event_id, at, EventKind::Comment),
                comment,
            )
        }
    };
    event.ticket = snapshot;
    Ok(vec![event])
}

fn conversation(item: &Value) -> RawTicket {
    let state = json::text(item, "state").or_else(|| match json::flag(item, "open") {
        Some(true) => Some("open".to_string()),
        Some(false) => Some("closed".to_string()),
        None => None,
    });
    RawTicket {
        status: state,
        priority: json::text(item, "priority"),
        channel: json::text(item, "source.delivered_as")
            .or_else(|| json::text(item, "source.type"))
            .or_else(|| json::text(item, "conversation_message.delivered_as")),
        group: json::text(item, "team_assignee_id"),
        tags: json::names(item, "tags.tags", "name"),
        assignee: json::text(item, "admin_assignee_id"),
        requester: first_contact(item).or_else(|| json::text(item, "user.id")),
        ..RawTicket::default()
    }
}

/// The first contact's id (`contacts.contacts[0].id`, API 2.x).
fn first_contact(item: &Value) -> Option<String> {
    let contacts = json::get(item, "contacts.contacts")?.as_array()?;
    json::text(contacts.first()?, "id")
}

fn ticket(item: &Value) -> RawTicket {
    let state =
        json::text(item, "ticket_state.category").or_else(|| json::text(item, "ticket_state"));
    RawTicket {
        status: state,
        group: json::text(item, "team_assignee_id"),
        tags: json::names(item, "tags.tags", "name"),
        assignee: json::text(item, "admin_assignee_id"),
        requester: first_contact(item),
        ..RawTicket::default()
    }
}

/// The author and visibility of the newest conversation part, when the payload has it.
fn last_part_comment(item: &Value) -> Option<Comment> {
    let parts = json::get(item, "conversation_parts.conversation_parts")?.as_array()?;
    let part = parts.last()?;
    let author = match json::text(part, "author.type")?.as_str() {
        "admin" | "team" => Author::Agent,
        "bot" => Author::System,
        "user" | "lead" | "contact" => Author::Customer,
        _ => return None,
    };
    let public = json::text(part, "part_type").as_deref() != Some("note");
    Some(Comment { author, public })
}
