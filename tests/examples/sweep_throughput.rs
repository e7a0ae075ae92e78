//! Measures sweep throughput: due tickets processed per second by one sweep.
//!
//! ```sh
//! cargo run --release -p sla-tests --example sweep_throughput -- sqlite 2000
//! scripts/moto.sh run cargo run --release -p sla-tests --example sweep_throughput -- dynamodb 500
//! ```
//! Each ticket was created two hours before the sweep, so each has a first-response
//! warning and a breach due: the sweep records, claims, publishes (to an in-memory sink)
//! and settles each one.

use std::time::Instant;

use chrono::Duration;
use sla_app::{ingest, sweep, IngestSettings, SweepSettings};
use sla_core::TicketEvent;
use sla_events::MemorySink;
use sla_store::TicketStore;
use sla_tests::fixtures::{self, t0};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let backend = args.next().unwrap_or_else(|| "sqlite".into());
    let tickets: usize = args
        .next()
        .map(|n| n.parse().expect("ticket count is a whole number"))
        .unwrap_or(1000);
    match backend.as_str() {
        "memory" => run(sla_store::MemoryStore::new(), tickets, &backend).await,
        "sqlite" => {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = sla_store::SqliteStore::open(dir.path().join("sla.db")).expect("sqlite");
            run(store, tickets, &backend).await;
        }
        "dynamodb" => {
            let client = sla_store::testkit::moto::dynamodb_client();
            run(
                sla_store::testkit::moto::fresh_store(client, 16).await,
                tickets,
                &backend,
            )
            .await;
        }
        other => panic!("unknown backend {other:?}: use memory, sqlite or dynamodb"),
    }
}

async fn run<S: TicketStore>(store: S, tickets: usize, backend: &str) {
    let policy = fixtures::policy();
    let settings = IngestSettings::default();
    for i in 0..tickets {
        let value = fixtures::event(&format!("P-{i}"), &format!("p{i}"), t0(), "created");
        let event: TicketEvent = serde_json::from_value(value).expect("canonical event");
        ingest(&store, &policy, vec![event], t0(), &settings)
            .await
            .expect("ingest");
    }
    let sink = MemorySink::new();
    let started = Instant::now();
    let report = sweep(
        &store,
        &sink,
        &fixtures::policies(),
        t0() + Duration::hours(2),
        &|| true,
        &SweepSettings::default(),
    )
    .await
    .expect("sweep");
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(report.examined as usize, tickets, "{report:?}");
    assert_eq!(report.published as usize, 2 * tickets, "{report:?}");
    println!(
        "{backend}: swept {tickets} due tickets ({} events) in {seconds:.2} s: {:.0} tickets/s",
        report.published,
        tickets as f64 / seconds
    );
}
