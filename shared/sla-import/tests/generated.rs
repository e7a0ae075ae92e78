//! Generated histories: arbitrary ticket timelines written both as a Zendesk audits
//! export (pages in reverse order, users side-loaded) and, independently, as the canonical
//! events they stand for; importing the export gives exactly those events.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};
use sla_core::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};
use sla_import::{import, Format, Options, Source};

#[derive(Debug, Clone)]
enum Step {
    Status(&'static str, Status),
    Priority(&'static str, Priority),
    Comment { agent: bool, public: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::sample::select(vec![
            ("open", Status::Open),
            ("pending", Status::Pending),
            ("hold", Status::OnHold),
            ("solved", Status::Solved),
            ("closed", Status::Closed),
        ])
        .prop_map(|(w, s)| Step::Status(w, s)),
        prop::sample::select(vec![
            ("low", Priority::Low),
            ("high", Priority::High),
            ("urgent", Priority::Urgent),
        ])
        .prop_map(|(w, p)| Step::Priority(w, p)),
        (any::<bool>(), any::<bool>()).prop_map(|(agent, public)| Step::Comment { agent, public }),
    ]
}

/// A ticket: minutes between steps (at least 1) and the steps.
fn ticket() -> impl Strategy<Value = Vec<(i64, Step)>> {
    prop::collection::vec((1i64..600, step()), 0..12)
}

fn base() -> DateTime<Utc> {
    "2025-03-03T09:00:00Z".parse().unwrap()
}

/// The audits of one ticket, and the canonical events they stand for.
fn write(ticket: u64, steps: &[(i64, Step)]) -> (Vec<Value>, Vec<TicketEvent>) {
    let mut at = base() + Duration::hours(ticket as i64);
    let mut snapshot = TicketSnapshot {
        status: Some(Status::New),
        priority: Some(Priority::Normal),
        requester: Some("1".into()),
        ..TicketSnapshot::default()
    };
    let event = |id: String, at, kind, snapshot: &TicketSnapshot, comment| TicketEvent {
        tenant: "acme".into(),
        ticket_id: ticket.to_string(),
        event_id: id,
        at,
        kind,
        ticket: snapshot.clone(),
        comment,
        vendor: Some("zendesk".into()),
    };
    let first = ticket * 1000;
    let mut audits = vec![json!({
        "id": first, "ticket_id": ticket, "created_at": at.to_rfc3339(), "author_id": 1,
        "events": [
            {"type": "Create", "field_name": "status", "value": "new"},
            {"type": "Create", "field_name": "priority", "value": "normal"},
            {"type": "Create", "field_name": "requester_id", "value": 1},
        ]
    })];
    let mut expected = vec![event(
        format!("zendesk:audit:{first}"),
        at,
        EventKind::Created,
        &snapshot,
        None,
    )];
    for (index, (minutes, step)) in steps.iter().enumerate() {
        at += Duration::minutes(*minutes);
        let id = first + 1 + index as u64;
        let (child, author, kind, comment) = match step {
            Step::Status(word, status) => {
                snapshot.status = Some(*status);
                (
                    json!({"type": "Change", "field_name": "status", "value": word}),
                    2,
                    EventKind::Updated,
                    None,
                )
            }
            Step::Priority(word, priority) => {
                snapshot.priority = Some(*priority);
                (
                    json!({"type": "Change", "field_name": "priority", "value": word}),
                    2,
                    EventKind::Updated,
                    None,
                )
            }
            Step::Comment { agent, public } => {
                let author = if *agent {
                    Author::Agent
                } else {
                    Author::Customer
                };
                let comment = Comment {
                    author,
                    public: *public,
                };
                let child = json!({"type": "Comment", "id": id + 500_000, "public": public});
                (
                    child,
                    if *agent { 2 } else { 1 },
                    EventKind::Comment,
                    Some(comment),
                )
            }
        };
        audits.push(json!({
            "id": id, "ticket_id": ticket, "created_at": at.to_rfc3339(), "author_id": author,
            "events": [child],
        }));
        let event_id = match kind {
            EventKind::Comment => format!("zendesk:comment:{}", id + 500_000),
            _ => format!("zendesk:audit:{id}"),
        };
        expected.push(event(event_id, at, kind, &snapshot, comment));
    }
    (audits, expected)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_audit_exports_import_to_their_timelines(
        tickets in prop::collection::vec(ticket(), 1..6),
        page in 1usize..5,
    ) {
        let mut audits = Vec::new();
        let mut expected = Vec::new();
        for (index, steps) in tickets.iter().enumerate() {
            let (a, e) = write(index as u64 + 1, steps);
            audits.extend(a);
            expected.extend(e);
        }
        audits.reverse();
        let users = json!({"users": [{"id": 1, "role": "end-user"}, {"id": 2, "role": "agent"}]});
        let mut text = serde_json::to_string(&users).unwrap();
        for chunk in audits.chunks(page) {
            text.push('\n');
            text.push_str(&serde_json::to_string(&json!({"audits": chunk})).unwrap());
        }
        let source = Source::from_bytes("generated.jsonl", text.into_bytes()).unwrap();
        let imported = import(Format::Zendesk, &[source], &Options::new("acme")).unwrap();
        prop_assert!(imported.report.skipped.is_empty(), "{}", imported.report);
        prop_assert_eq!(imported.events, expected);
    }
}
