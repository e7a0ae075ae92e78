//! Latency of the embedded stores: load, conditional save, and one page of due tickets.
//!
//! `cargo bench -p sla-store --bench stores`

use std::sync::Arc;

use chrono::TimeDelta;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sla_store::testkit::contract::{now, sample_record};
use sla_store::{MemoryStore, SqliteStore, TicketKey, TicketStore};
use tokio::runtime::Runtime;

/// Tickets stored before measuring; half of them due.
const TICKETS: usize = 10_000;
const PAGE: u32 = 100;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn key(n: usize) -> TicketKey {
    TicketKey::new("bench", format!("T-{n}"))
}

async fn fill<S: TicketStore>(store: &S) {
    for n in 0..TICKETS {
        let mut record = sample_record(&key(n));
        let minutes = if n % 2 == 0 { -(n as i64) } else { n as i64 };
        record.due_at = Some(now() + TimeDelta::minutes(minutes));
        store.save(&record).await.expect("fill");
    }
}

fn bench_store<S: TicketStore + 'static>(c: &mut Criterion, name: &str, store: S) {
    let rt = runtime();
    let store = Arc::new(store);
    rt.block_on(fill(&*store));
    let mut group = c.benchmark_group(name);
    group.bench_function("load", |b| {
        b.iter(|| rt.block_on(store.load(&key(4242))).expect("load"))
    });
    group.bench_function("load+save", |b| {
        b.iter_batched(
            || (),
            |()| {
                rt.block_on(async {
                    let record = store.load(&key(7)).await.expect("load").expect("exists");
                    store.save(&record).await.expect("save")
                })
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("query_due page of 100", |b| {
        b.iter(|| {
            rt.block_on(store.query_due(0, now(), PAGE, None))
                .expect("query")
        })
    });
    group.finish();
}

fn stores(c: &mut Criterion) {
    bench_store(c, "memory", MemoryStore::new());
    let dir = tempfile::tempdir().expect("bench dir");
    bench_store(
        c,
        "sqlite_file",
        SqliteStore::open(dir.path().join("tickets.db")).expect("open"),
    );
}

criterion_group!(benches, stores);
criterion_main!(benches);
