//! Changes to canonical events: drop repeated ids, order by ticket then time, carry each
//! ticket's attributes forward and map them to canonical values.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use sla_core::event::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};

use crate::model::{Change, Fields, Happened, RawComment, Writer};
use crate::report::Report;
use crate::vocab::{Mapper, SegmentSource};

/// Who is who: user id to role, from the vendor's users or agents export.
pub(crate) type Directory = HashMap<String, Author>;

/// Turns changes into canonical events sorted by ticket (numeric ids numerically) then
/// time; at one instant the creation comes first, then the input order.
pub(crate) fn assemble(
    mut changes: Vec<Change>,
    directory: &Directory,
    mapper: &mut Mapper<'_>,
    report: &mut Report,
    tenant: &str,
    vendor: Option<&str>,
) -> Vec<TicketEvent> {
    let mut seen = HashSet::with_capacity(changes.len());
    changes.retain(|c| {
        let fresh = seen.insert(c.id.clone());
        if !fresh {
            report.note("duplicate change (same event id read twice)");
        }
        fresh
    });
    changes.sort_by(|a, b| {
        ticket_order(&a.ticket, &b.ticket)
            .then(a.at.cmp(&b.at))
            .then(creation_first(&a.happened).cmp(&creation_first(&b.happened)))
    });
    let mut events = Vec::with_capacity(changes.len());
    let mut state = State::default();
    let mut current: Option<String> = None;
    for change in changes {
        if current.as_deref() != Some(change.ticket.as_str()) {
            state = State::default();
            current = Some(change.ticket.clone());
        }
        state.apply(&change.fields, mapper, report, &change);
        let comment = match &change.happened {
            Happened::Comment(raw) => Some(comment(raw, directory, &state, report)),
            _ => None,
        };
        let kind = match change.happened {
            Happened::Created => EventKind::Created,
            Happened::Updated => EventKind::Updated,
            Happened::Comment(_) => EventKind::Comment,
        };
        events.push(TicketEvent {
            tenant: tenant.to_string(),
            ticket_id: change.ticket,
            event_id: change.id,
            at: change.at,
            kind,
            ticket: state.snapshot(mapper),
            comment,
            vendor: vendor.map(str::to_string),
        });
    }
    report.events = events.len();
    events
}

/// At one instant, a ticket's creation comes first.
fn creation_first(happened: &Happened) -> u8 {
    u8::from(*happened != Happened::Created)
}

/// Numeric ids in numeric order, before other ids in text order.
fn ticket_order(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// A ticket's attributes so far: vendor words, plus the mapped status and priority.
#[derive(Debug, Default)]
struct State {
    raw: Fields,
    status: Option<Status>,
    priority: Option<Priority>,
}

impl State {
    fn apply(
        &mut self,
        fields: &Fields,
        mapper: &mut Mapper<'_>,
        report: &mut Report,
        at: &Change,
    ) {
        if let Some(word) = &fields.status {
            match mapper.status(word, fields.status_category.as_deref()) {
                Some(status) => self.status = Some(status),
                None => report.skip(
                    format!("unknown status {word:?} (map it under the tenant's `statuses`)"),
                    &at.origin,
                ),
            }
        }
        if let Some(word) = &fields.priority {
            match mapper.priority(word) {
                Some(priority) => self.priority = Some(priority),
                None => report.skip(
                    format!("unknown priority {word:?} (map it under the tenant's `priorities`)"),
                    &at.origin,
                ),
            }
        }
        let raw = &mut self.raw;
        for (slot, value) in [
            (&mut raw.channel, &fields.channel),
            (&mut raw.group, &fields.group),
            (&mut raw.organization, &fields.organization),
            (&mut raw.brand, &fields.brand),
            (&mut raw.assignee, &fields.assignee),
            (&mut raw.requester, &fields.requester),
            (&mut raw.segment, &fields.segment),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        if let Some(tags) = &fields.tags {
            raw.tags = Some(tags.clone());
        }
        if !fields.tags_added.is_empty() || !fields.tags_removed.is_empty() {
            let tags = raw.tags.get_or_insert_with(Vec::new);
            tags.retain(|t| !fields.tags_removed.contains(t));
            for tag in &fields.tags_added {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
        }
    }

    fn snapshot(&self, mapper: &mut Mapper<'_>) -> TicketSnapshot {
        let raw = &self.raw;
        let segment = match &raw.segment {
            Some(segment) => Some(segment.clone()),
            None if mapper.derives_segment() => mapper.segment(&SegmentSource {
                group: raw.group.clone(),
                organization: raw.organization.clone(),
                brand: raw.brand.clone(),
                tags: raw.tags.clone(),
            }),
            None => None,
        };
        TicketSnapshot {
            status: self.status,
            priority: self.priority,
            channel: raw.channel.clone(),
            group: raw.group.clone(),
            segment,
            tags: raw.tags.clone(),
            requester_timezone: None,
            assignee: raw.assignee.clone(),
            organization: raw.organization.clone(),
            requester: raw.requester.clone(),
        }
    }
}

/// A comment's author: the directory's role, else the requester is the customer, else
/// an agent (counted as inferred).
fn comment(raw: &RawComment, directory: &Directory, state: &State, report: &mut Report) -> Comment {
    let author = match &raw.writer {
        Writer::Known(author) => *author,
        Writer::User(id) => match directory.get(id) {
            Some(author) => *author,
            None if state.raw.requester.as_deref() == Some(id.as_str()) => {
                report.note("comment author not in the users given: the requester, so customer");
                Author::Customer
            }
            None => {
                report.note("comment author not in the users given: not the requester, so agent");
                Author::Agent
            }
        },
    };
    Comment {
        author,
        public: raw.public,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ticket_ids_sort_numerically() {
        let mut ids = vec!["10", "9", "abc", "100", "ab"];
        ids.sort_by(|a, b| ticket_order(a, b));
        assert_eq!(ids, ["9", "10", "100", "ab", "abc"]);
    }
}
