//! Scenarios of failures that must be heard and must not get stuck: publishes that keep
//! failing (backoff, dead letters, redrive), sweep fairness and lag over every shard,
//! retention, unsaveable records, replayed deliveries. Generic over the store.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Duration, Utc};
use sla_app::dead_letters::{self, Filter};
use sla_app::{sweep, PublishRetry, SweepReport, SweepSettings, IGNORED_TOO_OLD};
use sla_events::MemorySink;
use sla_store::{shard_of, TicketKey, TicketStore};

use crate::fixtures::{self, event, jira_issue_created, route, signed_request, t0, TENANT};
use crate::scenarios::{deliver, service, sweep_at};
use crate::stores::CountingStore;

/// One sweep at `now` with `settings`, allowed `budget` calls of `keep_going`.
async fn sweep_with<S: TicketStore>(
    store: &S,
    sink: &MemorySink,
    now: DateTime<Utc>,
    settings: &SweepSettings,
    budget: u32,
) -> SweepReport {
    let calls = AtomicU32::new(0);
    let keep_going = || calls.fetch_add(1, Ordering::SeqCst) < budget;
    sweep(
        store,
        sink,
        &fixtures::policies(),
        now,
        &keep_going,
        settings,
    )
    .await
    .expect("sweep succeeds")
}

/// A publish that keeps failing backs off exponentially (the record's `due_at` is the
/// next attempt), is dead-lettered after `max_attempts` with its last error, stops
/// blocking the record, and goes out once redriven.
pub async fn persistent_publish_failure_is_dead_lettered<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    deliver(
        &service,
        &clock,
        &event("D-1", "d1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let store = service.store();
    let key = TicketKey::new(TENANT, "D-1");
    let sink = MemorySink::new();
    sink.fail_next(1_000);
    let settings = SweepSettings {
        publish: PublishRetry {
            max_attempts: 3,
            ..PublishRetry::default()
        },
        ..SweepSettings::default()
    };
    let mut now = t0() + Duration::hours(2);
    let first = sweep_with(store, &sink, now, &settings, u32::MAX).await;
    assert_eq!((first.failed, first.dead_lettered), (2, 0), "{first:?}");
    let record = store.load(&key).await.expect("load").expect("stored");
    assert!(record.outbox.iter().all(|e| e.attempts == 1));
    assert_eq!(
        record.due_at,
        Some(now + Duration::minutes(1)),
        "backs off 1 min"
    );
    let early = sweep_with(
        store,
        &sink,
        now + Duration::seconds(30),
        &settings,
        u32::MAX,
    )
    .await;
    assert_eq!(
        (early.examined, early.failed),
        (0, 0),
        "not retried while backing off"
    );
    for (wait, attempts) in [(1, 2), (2, 3)] {
        now += Duration::minutes(wait);
        let report = sweep_with(store, &sink, now, &settings, u32::MAX).await;
        assert_eq!(report.failed, 2, "attempt {attempts}: {report:?}");
        assert_eq!(report.dead_lettered, if attempts == 3 { 2 } else { 0 });
    }
    let record = store.load(&key).await.expect("load").expect("stored");
    assert!(record.outbox.is_empty(), "dead letters leave the outbox");
    assert_eq!(record.dead_letters.len(), 2);
    assert!(record
        .dead_letters
        .iter()
        .all(|d| d.attempts == 3 && d.dead_at == now));
    assert!(
        record.dead_letters[0].last_error.contains("refused"),
        "{:?}",
        record.dead_letters
    );
    assert!(
        record.due_at.is_none_or(|due| due > now),
        "nothing left due"
    );

    let listed = dead_letters::list(store, &Filter::default())
        .await
        .expect("list");
    assert_eq!(listed.len(), 2);
    sink.fail_next(0);
    let redriven = dead_letters::redrive(store, &Filter::default(), now)
        .await
        .expect("redrive");
    assert_eq!(redriven, 2);
    let after = sweep_with(store, &sink, now, &settings, u32::MAX).await;
    assert_eq!((after.published, after.failed), (2, 0), "{after:?}");
    assert!(dead_letters::list(store, &Filter::default())
        .await
        .expect("list")
        .is_empty());
}

/// Tickets spread over every shard, `per_shard` each, all due at `t0 + 2h`.
async fn backlog<S: TicketStore>(
    service: &sla_app::WebhookService<S>,
    clock: &sla_app::ManualClock,
    per_shard: usize,
) {
    let shards = service.store().shards();
    for shard in 0..shards {
        let keys = (0..)
            .map(|n| format!("B-{n}"))
            .filter(|id| shard_of(&TicketKey::new(TENANT, id.clone()), shards) == shard)
            .take(per_shard);
        for id in keys {
            deliver(
                service,
                clock,
                &event(&id, &format!("{id}-1"), t0(), "created"),
                t0(),
                200,
            )
            .await;
        }
    }
}

/// With a backlog larger than one run can clear, every shard is served within two runs.
pub async fn sweep_serves_every_shard_within_two_runs<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    backlog(&service, &clock, 10).await;
    let store = service.store();
    let shards = store.shards();
    let settings = SweepSettings {
        page_size: 2,
        concurrency: 2,
        ..SweepSettings::default()
    };
    let sink = MemorySink::new();
    let now = t0() + Duration::hours(2);
    // One check before each page and one per chunk: room for `shards - 1` pages a run.
    let budget = 2 * (shards - 1).max(1);
    for run in 1..=2 {
        let report = sweep_with(store, &sink, now, &settings, budget).await;
        assert!(!report.complete, "run {run}: the backlog outlasts the run");
    }
    let served: BTreeSet<u32> = sink
        .published()
        .iter()
        .map(|e| shard_of(&TicketKey::new(TENANT, e.ticket_id.clone()), shards))
        .collect();
    assert_eq!(
        served,
        (0..shards).collect(),
        "every shard served within two runs"
    );
}

/// The lag reported is the oldest due timer over every shard, even when the sweep had
/// no time to visit any ticket.
pub async fn sweep_lag_covers_every_shard<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    backlog(&service, &clock, 1).await;
    let sink = MemorySink::new();
    let now = t0() + Duration::hours(2);
    let report = sweep_with(service.store(), &sink, now, &SweepSettings::default(), 0).await;
    assert_eq!(report.examined, 0);
    // Every ticket's first timer is its 75% warning, 45 minutes after creation.
    assert_eq!(report.oldest_lag_seconds, Some(75.0 * 60.0), "{report:?}");
}

/// A delivery older than the retention window is answered 200 "ignored" and does not
/// recreate its (expired) ticket.
pub async fn events_older_than_retention_are_ignored<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    let now = t0() + Duration::days(91);
    clock.set(now);
    let old = event("R-1", "r1", t0(), "created");
    let reply = service
        .handle(&route(true), &signed_request(&old, now))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["ignored"], IGNORED_TOO_OLD, "{}", reply.body);
    assert_eq!(reply.body["accepted"], 0);
    let key = TicketKey::new(TENANT, "R-1");
    assert_eq!(
        service.store().load(&key).await.expect("load"),
        None,
        "not recreated"
    );
}

/// Solved tickets get a TTL too (not only closed ones).
pub async fn solved_ticket_expires<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    let timeline = fixtures::timeline("S-1");
    for (n, body) in timeline.iter().enumerate() {
        deliver(
            &service,
            &clock,
            body,
            t0() + Duration::hours(n as i64),
            200,
        )
        .await;
    }
    let record = service
        .store()
        .load(&TicketKey::new(TENANT, "S-1"))
        .await
        .expect("load")
        .expect("stored");
    let sink = MemorySink::new();
    sweep_at(service.store(), &sink, t0() + Duration::hours(3)).await;
    let solved_at = t0() + Duration::hours(2);
    let record = service
        .store()
        .load(&record.key)
        .await
        .expect("load")
        .expect("stored");
    assert_eq!(record.expires_at, Some(solved_at + Duration::days(90)));
}

/// Jira signs no timestamp: the same delivery replayed is answered as a duplicate,
/// nothing changed; a different delivery goes through.
pub async fn replayed_delivery_is_a_duplicate<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    clock.set(t0());
    let jira = sla_app::Route {
        tenant: TENANT.into(),
        vendor: "jira".into(),
        created: true,
    };
    let first = service
        .handle(&jira, &jira_issue_created("10042", t0()))
        .await;
    assert_eq!(
        (first.status, first.stats.events_ingested),
        (200, 1),
        "{}",
        first.body
    );
    let key = TicketKey::new(TENANT, "10042");
    let version = service
        .store()
        .load(&key)
        .await
        .expect("load")
        .expect("stored")
        .version;
    clock.set(t0() + Duration::days(3));
    let replay = service
        .handle(&jira, &jira_issue_created("10042", t0()))
        .await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.body["accepted"], 0);
    assert_eq!(
        replay.body["note"], "delivery already received",
        "{}",
        replay.body
    );
    let after = service
        .store()
        .load(&key)
        .await
        .expect("load")
        .expect("stored");
    assert_eq!(after.version, version, "nothing written");
    let other = service
        .handle(&jira, &jira_issue_created("10043", t0()))
        .await;
    assert_eq!(
        (other.status, other.stats.events_ingested),
        (200, 1),
        "{}",
        other.body
    );
}

/// A record the store cannot hold is a 422 naming the reason, flagged for the metric,
/// never a 503 (which would make the helpdesk retry forever).
pub async fn unsaveable_record_is_422<S: TicketStore>(store: S) {
    let (counting, counts) = CountingStore::new(store);
    let (service, clock) = service(counting);
    counts.too_large.store(true, Ordering::SeqCst);
    clock.set(t0());
    let body = event("U-1", "u1", t0(), "created");
    let reply = service
        .handle(&route(true), &signed_request(&body, t0()))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.stats.unsaveable);
    let message = reply.body["error"].as_str().unwrap_or_default();
    assert!(message.contains("cannot be saved"), "{message}");
}
