//! Import speed: a generated Zendesk audits export (10,000 tickets, 5 audits each, each
//! audit a field change and a comment) through `sla_import::import`.
//!
//! `cargo bench -p sla-import --bench import`; criterion reports elements (canonical
//! events written) per second. The figure is in docs/import.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use sla_import::{import, Format, Options, Source};

const TICKETS: u64 = 10_000;

fn audits(ticket: u64) -> Vec<Value> {
    let base = 1_735_689_600 + ticket * 60;
    let statuses = ["new", "open", "pending", "open", "solved"];
    statuses
        .iter()
        .enumerate()
        .map(|(step, status)| {
            let id = ticket * 10 + step as u64;
            let kind = if step == 0 { "Create" } else { "Change" };
            json!({
                "id": id, "ticket_id": ticket, "author_id": 1 + step % 2,
                "created_at": chrono::DateTime::from_timestamp((base + step as u64 * 3600) as i64, 0)
                    .map(|t| t.to_rfc3339()),
                "via": {"channel": "email"},
                "events": [
                    {"type": kind, "field_name": "status", "value": status},
                    {"type": kind, "field_name": "priority", "value": "high"},
                    {"type": "Comment", "id": id * 7, "public": step % 3 != 2, "author_id": 1 + step % 2},
                    {"type": "Notification", "id": id * 11}
                ]
            })
        })
        .collect()
}

fn source() -> (Source, u64) {
    let users = json!({"users": [{"id": 1, "role": "end-user"}, {"id": 2, "role": "agent"}]});
    let mut text = serde_json::to_string(&users).expect("json");
    text.push('\n');
    for ticket in 1..=TICKETS {
        for audit in audits(ticket) {
            text.push_str(&serde_json::to_string(&audit).expect("json"));
            text.push('\n');
        }
    }
    let events = TICKETS * 5 * 2;
    (
        Source::from_bytes("bench.jsonl", text.into_bytes()).expect("source"),
        events,
    )
}

fn bench(c: &mut Criterion) {
    let (source, events) = source();
    let options = Options::new("acme");
    let sources = [source];
    let imported = import(Format::Zendesk, &sources, &options).expect("import");
    assert_eq!(imported.events.len() as u64, events);
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("zendesk_audits_100k_events", |b| {
        b.iter(|| import(Format::Zendesk, &sources, &options).expect("import"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
