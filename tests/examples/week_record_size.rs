//! Prints the stored size of every ticket record of the example week (`examples/`), as
//! `sla serve` leaves them: each event ingested at its instant (one webhook each), a
//! sweep after each, a last sweep a day after the last event. Sizes are item sizes as
//! DynamoDB counts them (the same in every store). "Typical" tickets are those of the
//! issue: created, 3–6 public customer or agent comments, a pause, solved.
//!
//! ```sh
//! cargo run -p sla-tests --example week_record_size
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::Duration;
use sla_app::{ingest, sweep, IngestSettings, SweepSettings, TenantPolicies};
use sla_core::{Author, Status, TicketEvent};
use sla_events::MemorySink;
use sla_store::{MemoryStore, TicketKey, TicketRecord, TicketStore};

#[tokio::main]
async fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let yaml = std::fs::read_to_string(root.join("policy.yaml")).expect("policy file");
    let (policy, _) = sla_app::tenants::compile_policy_file(&root.join("policy.yaml"), &yaml)
        .expect("policy compiles");
    let policies = TenantPolicies::new(Some(Arc::new(policy)));
    let text = std::fs::read_to_string(root.join("tickets.jsonl")).expect("events file");
    let mut events: Vec<TicketEvent> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("canonical event"))
        .collect();
    events.sort_by_key(|e| e.at);
    let store = MemoryStore::new();
    let sink = MemorySink::new();
    let mut by_ticket: BTreeMap<TicketKey, Vec<TicketEvent>> = BTreeMap::new();
    for event in &events {
        let key = TicketKey::new(&event.tenant, &event.ticket_id);
        by_ticket.entry(key).or_default().push(event.clone());
        let set = policies.for_tenant(&event.tenant).expect("policy");
        ingest(
            &store,
            set,
            vec![event.clone()],
            event.at,
            &IngestSettings::default(),
        )
        .await
        .expect("ingest");
        sweep_at(&store, &sink, &policies, event.at).await;
    }
    let end = events.last().expect("events").at + Duration::days(1);
    sweep_at(&store, &sink, &policies, end).await;
    let (mut all, mut typical) = (Sizes::default(), Sizes::default());
    for (key, history) in &by_ticket {
        let record = store.load(key).await.expect("load").expect("stored");
        let sizes = measure(&record);
        all.add(sizes);
        if is_typical(history) {
            typical.add(sizes);
        }
    }
    all.report("all tickets");
    typical.report("typical tickets");
}

/// Sizes of one record, in bytes.
#[derive(Debug, Clone, Copy)]
struct Measured {
    /// The item as stored.
    item: usize,
    /// The item without the read index (what the store held before issue 16).
    item_without_read: usize,
    /// `sla`, `outbox` and `dead_letters` as stored (compact encoding).
    state: usize,
    /// The same fields as JSON text (the previous encoding).
    state_json: usize,
}

fn measure(record: &TicketRecord) -> Measured {
    use sla_store::compact::encode;
    let compact = |bytes: Result<Vec<u8>, _>| bytes.map(|b| b.len()).expect("encodes");
    let json = |bytes: serde_json::Result<Vec<u8>>| bytes.map(|b| b.len()).expect("encodes");
    let dead = !record.dead_letters.is_empty();
    let state = compact(encode(&record.sla))
        + compact(encode(&record.outbox))
        + if dead {
            compact(encode(&record.dead_letters))
        } else {
            0
        };
    let state_json = json(serde_json::to_vec(&record.sla))
        + json(serde_json::to_vec(&record.outbox))
        + if dead {
            json(serde_json::to_vec(&record.dead_letters))
        } else {
            0
        };
    let bare = TicketRecord {
        read: Default::default(),
        ..record.clone()
    };
    Measured {
        item: record.stored_bytes().expect("encodes"),
        item_without_read: bare.stored_bytes().expect("encodes"),
        state,
        state_json,
    }
}

#[derive(Debug, Default)]
struct Sizes(Vec<Measured>);

impl Sizes {
    fn add(&mut self, m: Measured) {
        self.0.push(m);
    }

    fn report(&self, name: &str) {
        let n = self.0.len().max(1);
        let mean = |f: fn(&Measured) -> usize| self.0.iter().map(f).sum::<usize>() / n;
        let mut items: Vec<usize> = self.0.iter().map(|m| m.item_without_read).collect();
        items.sort_unstable();
        println!(
            "{name}: {} records; item without read index: mean {} bytes, median {}, max {}; \
             item with read index: mean {}; sla+outbox+dead_letters: mean {} bytes as stored, {} as JSON",
            self.0.len(),
            mean(|m| m.item_without_read),
            items.get(items.len() / 2).copied().unwrap_or(0),
            items.last().copied().unwrap_or(0),
            mean(|m| m.item),
            mean(|m| m.state),
            mean(|m| m.state_json),
        );
    }
}

async fn sweep_at(
    store: &MemoryStore,
    sink: &MemorySink,
    policies: &TenantPolicies,
    now: chrono::DateTime<chrono::Utc>,
) {
    let settings = SweepSettings::default();
    let report = sweep(store, sink, policies, now, &|| true, &settings)
        .await
        .expect("sweep");
    assert!(report.errors.is_empty(), "{report:?}");
}

/// Created, 3–6 public customer or agent comments, a pause (pending or on hold), solved.
fn is_typical(history: &[TicketEvent]) -> bool {
    let comments = history
        .iter()
        .filter_map(|e| e.comment.as_ref())
        .filter(|c| c.public && matches!(c.author, Author::Agent | Author::Customer))
        .count();
    let status = |s: Status| history.iter().any(|e| e.ticket.status == Some(s));
    (3..=6).contains(&comments)
        && (status(Status::Pending) || status(Status::OnHold))
        && status(Status::Solved)
}
