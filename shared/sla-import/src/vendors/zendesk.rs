//! Zendesk: ticket audits (`/api/v2/tickets/{id}/audits`), the Incremental Ticket Event
//! Export (`/api/v2/incremental/ticket_events?include=comment_events`) and users (side-load
//! or `/api/v2/users`, `/api/v2/incremental/users`), in any mix of files.
//!
//! Event ids: `zendesk:audit:<audit id>` for an audit's field changes (the export's
//! ticket event id is the audit id, so both sources of one change give one event) and
//! `zendesk:comment:<comment id>` for a comment.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::event::Author;

use crate::error::Location;
use crate::fields::{self, flag, text};
use crate::model::{Change, Fields, Happened, RawComment, Writer};
use crate::report::Report;
use crate::vendors::Parsed;

/// Reads one JSON record (a whole response page or one JSON line).
pub(crate) fn record(value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    let mut matched = false;
    for (key, item) in [
        ("audit", Item::Audit),
        ("ticket_event", Item::Event),
        ("user", Item::User),
    ] {
        if let Some(one) = value.get(key).filter(|v| v.is_object()) {
            item.read(one, &at.within(key), out, report);
            matched = true;
        }
    }
    for (key, item) in [
        ("audits", Item::Audit),
        ("ticket_events", Item::Event),
        ("users", Item::User),
    ] {
        if let Some(list) = value.get(key).and_then(Value::as_array) {
            for (index, one) in list.iter().enumerate() {
                item.read(one, &at.within(format!("{key}[{index}]")), out, report);
            }
            matched = true;
        }
    }
    if value.get("ticket_metric_events").is_some() {
        report.note("ticket metric events page (not ticket history; see `metric_events`)");
        matched = true;
    }
    if matched {
        return;
    }
    let item = if value.get("child_events").is_some() {
        Item::Event
    } else if value.get("events").is_some() && value.get("ticket_id").is_some() {
        Item::Audit
    } else if value.get("role").is_some() && value.get("id").is_some() {
        Item::User
    } else {
        report.skip("not a Zendesk audit, ticket event or user", at);
        return;
    };
    item.read(value, at, out, report);
}

#[derive(Clone, Copy)]
enum Item {
    Audit,
    Event,
    User,
}

impl Item {
    fn read(self, value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
        match self {
            Item::User => user(value, at, out, report),
            Item::Audit | Item::Event => match header(self, value) {
                Ok(header) => audit(&header, value, at, out, report),
                Err(reason) => report.skip(reason, at),
            },
        }
    }
}

/// An audit's (or ticket event's) own fields.
struct Header {
    id: String,
    ticket: String,
    at: DateTime<Utc>,
    author: Option<String>,
    channel: Option<String>,
    children: &'static str,
}

fn header(item: Item, value: &Value) -> Result<Header, String> {
    let audit = matches!(item, Item::Audit);
    let what = if audit { "audit" } else { "ticket event" };
    let missing = |field: &str| format!("{what} without {field}");
    let id = text(value, "id").ok_or_else(|| missing("id"))?;
    let ticket = text(value, "ticket_id").ok_or_else(|| missing("ticket_id"))?;
    let when = value
        .get("created_at")
        .and_then(fields::instant)
        .or_else(|| value.get("timestamp").and_then(fields::instant))
        .ok_or_else(|| format!("{what} without a readable created_at"))?;
    let via = value.get("via");
    let channel = via
        .and_then(|v| text(v, "channel"))
        .or_else(|| via.and_then(fields::as_text).map(|s| channel_name(&s)));
    Ok(Header {
        id,
        ticket,
        at: when,
        author: text(value, "author_id").or_else(|| text(value, "updater_id")),
        channel,
        children: if audit { "events" } else { "child_events" },
    })
}

/// The export's `via` text (`Web form`) as the API's channel name (`web_form`).
fn channel_name(via: &str) -> String {
    via.trim().to_lowercase().replace(' ', "_")
}

fn audit(header: &Header, value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    let Some(children) = value.get(header.children).and_then(Value::as_array) else {
        report.skip(format!("audit without {}", header.children), at);
        return;
    };
    let mut created = false;
    let mut changed = Fields::default();
    let mut comments = Vec::new();
    for (index, child) in children.iter().enumerate() {
        let place = at.within(format!("{}[{index}]", header.children));
        let kind = text(child, "type").or_else(|| text(child, "event_type"));
        match kind.as_deref() {
            Some("Create") => {
                created = true;
                field_change(child, &mut changed);
            }
            Some("Change") => field_change(child, &mut changed),
            Some("Comment" | "VoiceComment") => match comment(header, child) {
                Ok(c) => comments.push(c),
                Err(reason) => report.skip(reason, &place),
            },
            Some(other) => report.note(format!("audit event not about SLAs: {other}")),
            None => report.skip("audit event without type", &place),
        }
    }
    if created {
        changed.channel = header.channel.clone();
    }
    let change = |happened, fields| Change {
        ticket: header.ticket.clone(),
        id: format!("zendesk:audit:{}", header.id),
        at: header.at,
        happened,
        fields,
        origin: at.clone(),
    };
    // A creation comes before its first comment; a reply comes before the status change
    // made with it (answered, then solved).
    let mut update = None;
    if created {
        out.changes.push(change(Happened::Created, changed));
    } else if !changed.is_empty() {
        update = Some(change(Happened::Updated, changed));
    }
    for (id, raw) in comments {
        out.changes.push(Change {
            ticket: header.ticket.clone(),
            id: format!("zendesk:comment:{id}"),
            at: header.at,
            happened: Happened::Comment(raw),
            fields: Fields::default(),
            origin: at.clone(),
        });
    }
    out.changes.extend(update);
}

/// Ticket fields we carry, by Zendesk field name.
const FIELDS: [&str; 10] = [
    "status",
    "priority",
    "group_id",
    "assignee_id",
    "organization_id",
    "requester_id",
    "brand_id",
    "tags",
    "added_tags",
    "removed_tags",
];

/// Applies a `Create`/`Change` event: `field_name` + `value` (audits) or the field as
/// its own key (the export's child events).
fn field_change(child: &Value, fields: &mut Fields) {
    match text(child, "field_name") {
        Some(name) => set(fields, &name, child.get("value").unwrap_or(&Value::Null)),
        None => {
            for name in FIELDS {
                if let Some(value) = child.get(name) {
                    set(fields, name, value);
                }
            }
        }
    }
}

fn set(fields: &mut Fields, name: &str, value: &Value) {
    let word = fields::as_text(value);
    match name {
        "status" => fields.status = word.or(fields.status.take()),
        "priority" => fields.priority = word.or(fields.priority.take()),
        "group_id" => fields.group = word.or(fields.group.take()),
        "assignee_id" => fields.assignee = word.or(fields.assignee.take()),
        "organization_id" => fields.organization = word.or(fields.organization.take()),
        "requester_id" => fields.requester = word.or(fields.requester.take()),
        "brand_id" => fields.brand = word.or(fields.brand.take()),
        "tags" => fields.tags = fields::words(value).or(fields.tags.take()),
        "added_tags" => fields.tags_added = fields::words(value).unwrap_or_default(),
        "removed_tags" => fields.tags_removed = fields::words(value).unwrap_or_default(),
        _ => {}
    }
}

fn comment(header: &Header, child: &Value) -> Result<(String, RawComment), String> {
    let id = text(child, "id").ok_or("comment without id")?;
    let public = flag(child, "public")
        .or_else(|| flag(child, "comment_public"))
        .ok_or("comment without public")?;
    let author = text(child, "author_id")
        .or_else(|| header.author.clone())
        .ok_or("comment without author_id")?;
    let writer = if author == "-1" {
        Writer::Known(Author::System)
    } else {
        Writer::User(author)
    };
    Ok((id, RawComment { public, writer }))
}

fn user(value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    let Some(id) = text(value, "id") else {
        report.skip("user without id", at);
        return;
    };
    let author = match text(value, "role").as_deref() {
        Some("end-user") => Author::Customer,
        Some("agent" | "admin") => Author::Agent,
        _ => {
            report.skip("user without a role of end-user, agent or admin", at);
            return;
        }
    };
    out.directory.insert(id, author);
}
