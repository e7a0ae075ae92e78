//! A very long ticket end to end: its record stays small (snapshots) while what is
//! published, and its state, are those of its whole history folded at once.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sla_core::snapshot::agrees;
use sla_core::{CachedTicket, SlaEvent, TicketEvent};
use sla_events::MemorySink;
use sla_store::{TicketKey, TicketStore};

use crate::fixtures::{self, event, t0, TENANT};
use crate::scenarios::{deliver, service, sweep_at};

/// Comments on the long ticket.
pub const COMMENTS: usize = 10_000;
/// Comments per webhook delivery.
const PER_WEBHOOK: usize = 100;
/// The stored record must stay under this many bytes.
const RECORD_LIMIT: usize = 64 * 1024;

/// `ticket` created at `t0`, then `comments` public comments alternating customer and
/// agent 10 minutes apart; every 7th reply comes 45 minutes late (a next-response
/// breach). Ids and vendor are as the canonical webhook stores them.
pub fn conversation(ticket: &str, comments: usize) -> Vec<Value> {
    let mut at = t0();
    let mut events = vec![canonical(event(ticket, "c0", at, "created"))];
    for i in 1..=comments {
        let agent = i % 2 == 1;
        at += Duration::minutes(if agent && i % 14 == 13 { 45 } else { 10 });
        let mut value = event(ticket, &format!("m{i}"), at, "comment");
        let author = if agent { "agent" } else { "customer" };
        value["comment"] = json!({"author": author, "public": true});
        events.push(canonical(value));
    }
    events
}

fn canonical(mut value: Value) -> Value {
    let id = value["event_id"].as_str().unwrap_or_default().to_string();
    value["event_id"] = json!(format!("canonical:{id}"));
    value["vendor"] = json!("canonical");
    value
}

fn instant(value: &Value) -> DateTime<Utc> {
    value["at"]
        .as_str()
        .and_then(|at| at.parse().ok())
        .unwrap_or_else(|| panic!("event without an instant: {value}"))
}

fn sorted(mut events: Vec<SlaEvent>) -> Vec<SlaEvent> {
    events.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    events
}

/// A ticket with [`COMMENTS`] comments (thousands of next-response cycles), delivered
/// 100 per webhook with a sweep after each: every webhook is accepted, the stored record
/// stays under 64 KB, and the SLA events published and the ticket's state are those of
/// the whole history folded without snapshots. Returns the stored size at the end.
pub async fn ten_thousand_comments_stay_small<S: TicketStore>(store: S) -> usize {
    let (service, clock) = service(store);
    let policy = fixtures::policy();
    let key = TicketKey::new(TENANT, "LONG-1");
    let sink = MemorySink::new();
    let mut whole = CachedTicket::default();
    let mut expected = Vec::new();
    let mut bytes = 0;
    let events = conversation(&key.ticket_id, COMMENTS);
    for batch in events.chunks(PER_WEBHOOK) {
        let now = instant(&batch[batch.len() - 1]);
        deliver(&service, &clock, &json!(batch), now, 200).await;
        for value in batch {
            let event: TicketEvent = serde_json::from_value(value.clone()).expect("event");
            whole.ingest(event);
        }
        expected.extend(whole.advance(&policy, now).new_events);
        sweep_at(service.store(), &sink, now).await;
        let record = service.store().load(&key).await.expect("load");
        let record = record.expect("the ticket is stored");
        bytes = record.stored_bytes().expect("the record encodes");
        assert!(bytes < RECORD_LIMIT, "record of {bytes} bytes at {now}");
        assert!(record.outbox.is_empty(), "everything published at {now}");
    }
    let end = instant(&events[events.len() - 1]) + Duration::days(1);
    sweep_at(service.store(), &sink, end).await;
    expected.extend(whole.advance(&policy, end).new_events);
    assert!(expected.len() > COMMENTS / 2, "a met or breach per reply");
    assert_eq!(sorted(sink.published()), sorted(expected));

    let record = service.store().load(&key).await.expect("load");
    let record = record.expect("the ticket is stored");
    let state = record.sla.evaluate(&policy, end);
    assert!(agrees(&state, &whole.evaluate(&policy, end)), "{state:#?}");
    bytes
}
