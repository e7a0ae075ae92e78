//! Jira Service Management: `jira:issue_created`, `jira:issue_updated` (changelog and
//! comments), `comment_created` and `jira:issue_deleted` webhooks.
//!
//! Signature (webhooks registered with a secret): `X-Hub-Signature: sha256=<hex
//! HMAC-SHA256(secret, body)>`.
//!
//! Event ids are the ids the REST API gives the same change, so a change imported from
//! the API (`sla import jira`) and its webhook are one event: `jira:issue:<id>:created`,
//! `jira:changelog:<changelog.id>`, `jira:comment:<comment.id>`. A body without them
//! (and a deletion) is keyed on `X-Atlassian-Webhook-Identifier`, the same on retries.

use serde_json::Value;
use sla_core::event::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};

use crate::assemble::{with_comment, Context, RawTicket, Vocabulary};
use crate::config::Secret;
use crate::error::WebhookError;
use crate::json;
use crate::request::WebhookRequest;
use crate::signature;

const SIGNATURE: &str = "X-Hub-Signature";
const DELIVERY: &str = "X-Atlassian-Webhook-Identifier";

pub(crate) const VOCABULARY: Vocabulary = Vocabulary {
    statuses: &[
        ("to do", Status::New),
        ("new", Status::New),
        ("open", Status::Open),
        ("waiting for support", Status::Open),
        ("in progress", Status::Open),
        ("work in progress", Status::Open),
        ("escalated", Status::Open),
        ("reopened", Status::Open),
        ("waiting for customer", Status::Pending),
        ("pending", Status::OnHold),
        ("waiting for approval", Status::OnHold),
        ("resolved", Status::Solved),
        ("done", Status::Solved),
        ("closed", Status::Closed),
        ("canceled", Status::Closed),
        ("cancelled", Status::Closed),
        ("declined", Status::Closed),
    ],
    priorities: &[
        ("highest", Priority::Urgent),
        ("blocker", Priority::Urgent),
        ("critical", Priority::Urgent),
        ("high", Priority::High),
        ("major", Priority::High),
        ("medium", Priority::Normal),
        ("low", Priority::Low),
        ("minor", Priority::Low),
        ("lowest", Priority::Low),
        ("trivial", Priority::Low),
    ],
};

/// Status categories every Jira status belongs to: the fallback for custom statuses.
const CATEGORIES: &[(&str, Status)] = &[
    ("new", Status::New),
    ("indeterminate", Status::Open),
    ("done", Status::Solved),
];

/// Verifies `X-Hub-Signature: sha256=<hex>` over the raw body.
pub(crate) fn verify(secret: &Secret, request: &WebhookRequest<'_>) -> Result<(), WebhookError> {
    let header = request.auth_header(SIGNATURE)?;
    let hex = header.strip_prefix("sha256=").ok_or_else(|| {
        WebhookError::unauthorized(format!("header {SIGNATURE}: expected sha256=<hex>"))
    })?;
    let expected = signature::hmac_sha256(secret.expose(), &[request.body]);
    signature::check_hex(SIGNATURE, hex, &expected)
}

/// Parses an issue or comment webhook into zero, one or two events.
pub(crate) fn parse(ctx: &Context<'_>) -> Result<Vec<TicketEvent>, WebhookError> {
    let body = json::parse_body(ctx.request.body)?;
    let body = json::expect_object(&body)?;
    let name =
        json::text(body, "webhookEvent").ok_or_else(|| WebhookError::missing("webhookEvent"))?;
    let (kind, closes) = match name.as_str() {
        "jira:issue_created" => (EventKind::Created, false),
        "jira:issue_updated" => (EventKind::Updated, false),
        "comment_created" => (EventKind::Comment, false),
        "jira:issue_deleted" => (EventKind::Updated, true),
        _ => return Ok(Vec::new()),
    };
    ctx.check_account("issue.self", [json::url_host(body, "issue.self")])?;
    let ticket_id = json::required_id(body, "issue.id")?;
    let at = match json::instant(body, "timestamp")? {
        Some(at) => at,
        None => json::required_instant(body, "issue.fields.updated")
            .map_err(|_| WebhookError::missing("timestamp"))?,
    };
    let delivery_id = match ctx.request.header(DELIVERY).filter(|v| !v.is_empty()) {
        Some(delivery) => ctx.vendor_id(delivery),
        None => ctx.hashed_id(&[ctx.request.body]),
    };
    let change_id = (!closes)
        .then(|| change_id(ctx, body, kind, &ticket_id))
        .flatten()
        .unwrap_or_else(|| delivery_id.clone());
    let mut snapshot = snapshot(ctx, body)?;
    if closes {
        snapshot.status = Some(Status::Closed);
    }
    let comment = match json::get(body, "comment") {
        Some(comment) => Some(comment_of(body, comment)),
        None if kind == EventKind::Comment => return Err(WebhookError::missing("comment")),
        None => None,
    };
    let changed = json::get(body, "changelog.items")
        .and_then(Value::as_array)
        .is_some_and(|items| !items.is_empty());
    let mut events = Vec::new();
    let comment_only = kind == EventKind::Updated && comment.is_some() && !changed;
    if kind != EventKind::Comment && !comment_only {
        let mut event = ctx.event(ticket_id.clone(), change_id.clone(), at, kind);
        event.ticket = snapshot.clone();
        events.push(event);
    }
    if let Some(comment) = comment {
        let id = match json::text(body, "comment.id") {
            Some(comment_id) => ctx.vendor_id(&format!("comment:{comment_id}")),
            None if events.is_empty() => delivery_id,
            None => format!("{delivery_id}:comment"),
        };
        let mut event = ctx.event(ticket_id, id, at, EventKind::Comment);
        event.ticket = snapshot;
        events.push(with_comment(event, comment));
    }
    Ok(events)
}

/// The id of the change itself, the one the REST API also gives (so an imported change
/// and its webhook are one event): `jira:issue:<id>:created` for a creation,
/// `jira:changelog:<id>` for an update carrying its changelog. `None` when the body names
/// no such id (the delivery id keys the event then).
fn change_id(ctx: &Context<'_>, body: &Value, kind: EventKind, ticket_id: &str) -> Option<String> {
    match kind {
        EventKind::Created => Some(ctx.vendor_id(&format!("issue:{ticket_id}:created"))),
        EventKind::Updated => {
            json::text(body, "changelog.id").map(|id| ctx.vendor_id(&format!("changelog:{id}")))
        }
        _ => None,
    }
}

fn snapshot(ctx: &Context<'_>, body: &Value) -> Result<TicketSnapshot, WebhookError> {
    let status_word = json::text(body, "issue.fields.status.name");
    let raw = RawTicket {
        priority: json::text(body, "issue.fields.priority.name"),
        group: json::text(body, "issue.fields.project.key"),
        tags: json::names(body, "issue.fields.labels", "name"),
        assignee: json::text(body, "issue.fields.assignee.accountId"),
        requester: json::text(body, "issue.fields.reporter.accountId"),
        ..RawTicket::default()
    };
    let mut snapshot = ctx.snapshot(&VOCABULARY, "issue.fields", raw)?;
    snapshot.status = match status_word {
        None => None,
        Some(word) => Some(status(ctx, body, &word)?),
    };
    Ok(snapshot)
}

/// A status name via the tenant and default vocabulary, else its status category.
fn status(ctx: &Context<'_>, body: &Value, word: &str) -> Result<Status, WebhookError> {
    if let Some(status) = ctx.lookup_status(&VOCABULARY, word) {
        return Ok(status);
    }
    let category = json::text(body, "issue.fields.status.statusCategory.key");
    category
        .and_then(|key| CATEGORIES.iter().find(|(k, _)| *k == key).map(|(_, s)| *s))
        .map(Ok)
        .unwrap_or_else(|| ctx.status(&VOCABULARY, "issue.fields.status.name", word))
}

/// Public unless marked internal (`jsdPublic: false`) or restricted (`visibility`);
/// written by the customer when the author is a portal customer or the reporter.
fn comment_of(body: &Value, comment: &Value) -> Comment {
    let public = json::flag(comment, "jsdPublic")
        .unwrap_or_else(|| json::get(comment, "visibility").is_none());
    let author_account = json::text(comment, "author.accountId");
    let reporter = json::text(body, "issue.fields.reporter.accountId");
    let author = match json::text(comment, "author.accountType").as_deref() {
        Some("customer") => Author::Customer,
        Some("app") => Author::System,
        _ if author_account.is_some() && author_account == reporter => Author::Customer,
        _ => Author::Agent,
    };
    Comment { author, public }
}
