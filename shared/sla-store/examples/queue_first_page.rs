//! How long the first page of the queue takes on SQLite with 100,000 open tickets.
//!
//! ```text
//! cargo run --release -p sla-store --no-default-features --features sqlite --example queue_first_page
//! ```
//!
//! Each ticket has two open cycles (first response and resolution, with deadlines spread
//! over a week), a group among 20 and an assignee among 150, in a SQLite file in the
//! temporary directory (removed at the end). Prints the median and the slowest of 50 runs
//! of each query.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use sla_core::{Metric, Priority, TicketSla};
use sla_store::{
    OpenCycle, OpenState, QueueFilter, QueueQuery, QueueStore, QueueWindow, ReadIndex, SqliteStore,
    TicketKey, TicketRecord, TicketStore,
};

const TICKETS: u32 = 100_000;
const RUNS: usize = 50;

fn cycle(metric: Metric, n: u32, minutes: i64) -> OpenCycle {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
        .single()
        .unwrap_or_default();
    OpenCycle {
        metric,
        cycle: 1,
        state: OpenState::Running,
        at_risk: n.is_multiple_of(7),
        deadline: Some(start + TimeDelta::minutes(minutes)),
        business_seconds_left: minutes * 60,
        target_seconds: 3600,
        calendar: None,
        priority: Priority::High,
        policy: "standard".into(),
        group: Some(format!("group-{}", n % 20)),
        assignee: Some(format!("agent-{}", n % 150)),
        organization: None,
    }
}

/// The record of ticket `n`: two open cycles, deadlines spread over a week.
fn record(n: u32) -> TicketRecord {
    let key = TicketKey::new("acme", format!("T-{n}"));
    let mut record = TicketRecord::new(key, TicketSla::default());
    let minutes = i64::from((n * 7919) % 10_080);
    record.read = ReadIndex {
        open: vec![
            cycle(Metric::FirstResponse, n, minutes),
            cycle(Metric::Resolution, n, minutes + 600),
        ],
        completions: Vec::new(),
    };
    record
}

async fn timed(store: &SqliteStore, label: &str, filter: QueueFilter) {
    let query = QueueQuery {
        tenant: "acme".into(),
        window: QueueWindow::all(),
        filter,
        limit: 100,
    };
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = store.query_queue(&query).await.expect("queue query");
        times.push(started.elapsed());
        rows = page.items.len();
    }
    times.sort();
    println!(
        "{label}: {rows} rows, median {:.2} ms, slowest {:.2} ms",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("tickets.db")).expect("SQLite store");
    let started = Instant::now();
    // Saved 256 at a time, so the store's group commit batches them.
    let numbers: Vec<u32> = (0..TICKETS).collect();
    for chunk in numbers.chunks(256) {
        let mut saves = tokio::task::JoinSet::new();
        for &n in chunk {
            let store = store.clone();
            saves.spawn(async move { store.save(&record(n)).await });
        }
        while let Some(saved) = saves.join_next().await {
            saved.expect("save task").expect("save");
        }
    }
    println!(
        "{TICKETS} tickets ({} open cycles) saved in {:.1} s",
        TICKETS * 2,
        started.elapsed().as_secs_f64()
    );
    timed(
        &store,
        "first page (100), no filter",
        QueueFilter::default(),
    )
    .await;
    let metric = QueueFilter {
        metric: Some(Metric::Resolution),
        ..QueueFilter::default()
    };
    timed(&store, "first page (100), metric=resolution", metric).await;
    let group = QueueFilter {
        group: Some("group-3".into()),
        ..QueueFilter::default()
    };
    timed(&store, "first page (100), group=group-3", group).await;
    let assignee = QueueFilter {
        assignee: Some("agent-7".into()),
        ..QueueFilter::default()
    };
    timed(&store, "first page (100), assignee=agent-7", assignee).await;
}
