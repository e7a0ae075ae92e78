//! Freshdesk: tickets (`GET /api/v2/tickets`, one ticket with `include=conversations,stats`),
//! conversations (`GET /api/v2/tickets/{id}/conversations`) and the ticket activities
//! export (`{"activities_data": [...]}`), in any mix of files.
//!
//! A ticket alone gives only its state now: it is read as created open at `created_at`,
//! resolved at `stats.resolved_at`, closed at `stats.closed_at`, and in its current status
//! at `stats.status_updated_at`. With the activities export, each activity's changes are
//! used instead (exact history). Comments come from conversations: `incoming` is the
//! customer, otherwise an agent; `private` notes are not public.
//!
//! Event ids: `freshdesk:ticket:<id>:created` (and `:resolved`, `:closed`, `:status`),
//! `freshdesk:activity:<ticket id>:<performed_at>:<index>`, `freshdesk:conversation:<id>`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::event::Author;

use crate::error::Location;
use crate::fields::{self, flag, text};
use crate::model::{Change, Fields, Happened, RawComment, Writer};
use crate::report::Report;
use crate::vendors::Parsed;

/// Freshdesk's `source` numbers, as channel names.
const SOURCES: [(&str, &str); 9] = [
    ("1", "email"),
    ("2", "portal"),
    ("3", "phone"),
    ("4", "forum"),
    ("5", "twitter"),
    ("6", "facebook"),
    ("7", "chat"),
    ("9", "feedback_widget"),
    ("10", "outbound_email"),
];

/// Reads one JSON record (a response, a list, or one JSON line).
pub(crate) fn record(value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    if let Some(list) = value.as_array() {
        for (index, item) in list.iter().enumerate() {
            record(item, &at.within(format!("[{index}]")), out, report);
        }
    } else if let Some(list) = value.get("activities_data").and_then(Value::as_array) {
        for (index, item) in list.iter().enumerate() {
            activity(
                item,
                index,
                &at.within(format!("activities_data[{index}]")),
                out,
                report,
            );
        }
    } else if value.get("incoming").is_some() && value.get("ticket_id").is_some() {
        conversation(value, None, at, out, report);
    } else if value.get("id").is_some() && value.get("created_at").is_some() {
        ticket(value, at, out, report);
    } else {
        report.skip(
            "not a Freshdesk ticket, conversation or activities export",
            at,
        );
    }
}

/// Where the activities export gives a ticket's exact history, drops the status read
/// from its stats, and reads the activity of its creation as an update of the ticket
/// record's creation (which carries the attributes activities do not).
pub(crate) fn finish(out: &mut Parsed, report: &mut Report) {
    let exact: HashSet<String> = out
        .changes
        .iter()
        .filter(|c| c.id.starts_with("freshdesk:activity:"))
        .map(|c| c.ticket.clone())
        .collect();
    let recorded: HashSet<String> = out
        .changes
        .iter()
        .filter(|c| c.id.starts_with("freshdesk:ticket:") && c.id.ends_with(":created"))
        .map(|c| c.ticket.clone())
        .collect();
    out.changes.retain(|c| {
        let from_stats = c.id.starts_with("freshdesk:ticket:") && !c.id.ends_with(":created");
        let drop = from_stats && exact.contains(&c.ticket);
        if drop {
            report.note("ticket status from stats replaced by the activities export");
        }
        !drop
    });
    for change in &mut out.changes {
        let activity = change.id.starts_with("freshdesk:activity:");
        if activity && change.happened == Happened::Created && recorded.contains(&change.ticket) {
            change.happened = Happened::Updated;
        }
    }
    for _ in recorded.difference(&exact) {
        report.note("ticket without activities: status history read from its stats");
    }
}

fn ticket(value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    let id = text(value, "id");
    let created = value.get("created_at").and_then(fields::instant);
    let (Some(id), Some(created)) = (id, created) else {
        return report.skip("ticket without id or readable created_at", at);
    };
    let start = Fields {
        status: Some("2".into()),
        priority: text(value, "priority"),
        channel: text(value, "source").map(|s| channel(&s)),
        group: text(value, "group_id"),
        organization: text(value, "company_id"),
        brand: text(value, "product_id"),
        assignee: text(value, "responder_id"),
        requester: text(value, "requester_id"),
        tags: value.get("tags").and_then(fields::words),
        ..Fields::default()
    };
    let push = |out: &mut Parsed, suffix: &str, when, happened, fields| {
        out.changes.push(Change {
            ticket: id.clone(),
            id: format!("freshdesk:ticket:{id}:{suffix}"),
            at: when,
            happened,
            fields,
            origin: at.clone(),
        });
    };
    push(out, "created", created, Happened::Created, start);
    let stats = &value["stats"];
    let at_stat = |key| stats.get(key).and_then(fields::instant);
    let set_status = |word: &str| Fields {
        status: Some(word.into()),
        ..Fields::default()
    };
    let resolved = at_stat("resolved_at");
    let closed = at_stat("closed_at");
    if let Some(when) = resolved {
        push(out, "resolved", when, Happened::Updated, set_status("4"));
    }
    if let Some(when) = closed {
        push(out, "closed", when, Happened::Updated, set_status("5"));
    }
    let status = text(value, "status");
    let covered = match status.as_deref() {
        None | Some("2") => true,
        Some("4") => resolved.is_some(),
        Some("5") => closed.is_some(),
        Some(_) => false,
    };
    let since =
        at_stat("status_updated_at").or_else(|| value.get("updated_at").and_then(fields::instant));
    if let (Some(word), Some(when), false) = (&status, since, covered) {
        push(out, "status", when, Happened::Updated, set_status(word));
    }
    if let Some(list) = value.get("conversations").and_then(Value::as_array) {
        for (index, item) in list.iter().enumerate() {
            let place = at.within(format!("conversations[{index}]"));
            conversation(item, Some(&id), &place, out, report);
        }
    }
}

fn channel(source: &str) -> String {
    SOURCES
        .iter()
        .find(|(number, _)| *number == source)
        .map_or_else(|| source.to_string(), |(_, name)| name.to_string())
}

fn conversation(
    value: &Value,
    ticket: Option<&str>,
    at: &Location,
    out: &mut Parsed,
    report: &mut Report,
) {
    let ticket = text(value, "ticket_id").or_else(|| ticket.map(str::to_string));
    let id = text(value, "id");
    let when = value.get("created_at").and_then(fields::instant);
    let incoming = flag(value, "incoming");
    let (Some(ticket), Some(id), Some(when), Some(incoming)) = (ticket, id, when, incoming) else {
        return report.skip(
            "conversation without ticket_id, id, created_at or incoming",
            at,
        );
    };
    let public = !flag(value, "private").unwrap_or(false);
    let author = if incoming {
        Author::Customer
    } else {
        Author::Agent
    };
    out.changes.push(Change {
        ticket,
        id: format!("freshdesk:conversation:{id}"),
        at: when,
        happened: Happened::Comment(RawComment {
            public,
            writer: Writer::Known(author),
        }),
        fields: Fields::default(),
        origin: at.clone(),
    });
}

fn activity(value: &Value, index: usize, at: &Location, out: &mut Parsed, report: &mut Report) {
    let ticket = text(value, "ticket_id");
    let when = value.get("performed_at").and_then(fields::instant);
    let act = value.get("activity").filter(|a| a.is_object());
    let (Some(ticket), Some(when), Some(act)) = (ticket, when, act) else {
        return report.skip(
            "activity without ticket_id, readable performed_at or activity",
            at,
        );
    };
    let fields = Fields {
        status: text(act, "status"),
        priority: text(act, "priority"),
        channel: text(act, "source").map(|s| channel(&s)),
        group: text(act, "group").or_else(|| text(act, "group_id")),
        assignee: text(act, "agent_id").or_else(|| text(act, "responder_id")),
        requester: text(act, "requester_id"),
        tags_added: act
            .get("added_tags")
            .and_then(fields::words)
            .unwrap_or_default(),
        tags_removed: act
            .get("removed_tags")
            .and_then(fields::words)
            .unwrap_or_default(),
        ..Fields::default()
    };
    let created = flag(act, "new_ticket").unwrap_or(false);
    if fields.is_empty() && !created {
        return report.note(if act.get("note").is_some() {
            "activity note (comments are read from conversations)"
        } else {
            "activity without status, priority, group, agent or tags"
        });
    }
    out.changes.push(Change {
        id: format!("freshdesk:activity:{ticket}:{}:{index}", stamp(when)),
        ticket,
        at: when,
        happened: if created {
            Happened::Created
        } else {
            Happened::Updated
        },
        fields,
        origin: at.clone(),
    });
}

fn stamp(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}
