//! The pipeline scenarios. Each takes a fresh, empty store and panics on a failed check.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sla_app::{sweep, ManualClock, SweepReport, SweepSettings, WebhookService};
use sla_core::{Metric, SlaEvent, SlaEventType};
use sla_events::MemorySink;
use sla_store::{TicketKey, TicketStore};

use crate::fixtures::{self, agent_reply, event, route, signed_request, t0, TENANT};
use crate::stores::CountingStore;

pub use crate::failures::{
    events_older_than_retention_are_ignored, persistent_publish_failure_is_dead_lettered,
    replayed_delivery_is_a_duplicate, solved_ticket_expires, sweep_lag_covers_every_shard,
    sweep_serves_every_shard_within_two_runs, unsaveable_record_is_422,
};
pub use crate::long_ticket::ten_thousand_comments_stay_small;
pub use crate::on_time::announced_on_time;

/// A webhook service over `store` whose clock the test moves.
pub fn service<S: TicketStore>(store: S) -> (WebhookService<S>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    let service = WebhookService::new(store, fixtures::tenants(), clock.clone());
    (service, clock)
}

/// Delivers `body` at `now`, expecting `status`.
pub async fn deliver<S: TicketStore>(
    service: &WebhookService<S>,
    clock: &ManualClock,
    body: &serde_json::Value,
    now: DateTime<Utc>,
    status: u16,
) {
    clock.set(now);
    let created = body.get("kind").and_then(|k| k.as_str()) == Some("created");
    let reply = service
        .handle(&route(created), &signed_request(body, now))
        .await;
    assert_eq!(reply.status, status, "answer to {body}: {}", reply.body);
}

/// Runs one complete sweep at `now`.
pub async fn sweep_at<S: TicketStore>(
    store: &S,
    sink: &MemorySink,
    now: DateTime<Utc>,
) -> SweepReport {
    let report = sweep(
        store,
        sink,
        &fixtures::policies(),
        now,
        &|| true,
        &SweepSettings::default(),
    )
    .await
    .expect("sweep succeeds");
    assert!(report.complete, "sweep finished: {report:?}");
    assert!(report.errors.is_empty(), "sweep errors: {report:?}");
    report
}

fn kinds(events: &[SlaEvent]) -> Vec<(Metric, SlaEventType)> {
    events.iter().map(|e| (e.metric, e.kind)).collect()
}

fn assert_each_delivered_once(sink: &MemorySink) {
    let mut seen = BTreeSet::new();
    for event in sink.published() {
        assert!(
            seen.insert(event.event_id.clone()),
            "event {} delivered twice",
            event.event_id
        );
    }
}

/// Signed webhook → stored → sweep publishes the warning and the breach, once, with
/// every field right; a second sweep publishes nothing.
pub async fn webhook_to_breach<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    deliver(
        &service,
        &clock,
        &event("T-1", "e1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let sink = MemorySink::new();
    let store = service.store();

    let early = sweep_at(store, &sink, t0() + Duration::minutes(10)).await;
    assert_eq!(early.published, 0, "{early:?}");

    let report = sweep_at(store, &sink, t0() + Duration::hours(2)).await;
    let published = sink.published();
    assert_eq!(
        kinds(&published),
        vec![
            (Metric::FirstResponse, SlaEventType::Warning),
            (Metric::FirstResponse, SlaEventType::Breached)
        ],
        "{published:#?}"
    );
    assert_eq!(report.published, 2);
    let breach = &published[1];
    assert_eq!(breach.tenant, TENANT);
    assert_eq!(breach.ticket_id, "T-1");
    assert_eq!(breach.policy, "standard");
    assert_eq!(breach.target_seconds, 3600);
    assert_eq!(breach.deadline, t0() + Duration::hours(1));
    assert_eq!(breach.at, t0() + Duration::hours(1));
    assert_eq!(breach.cycle, 1);
    let warning = &published[0];
    assert_eq!(warning.at, t0() + Duration::minutes(45));
    assert_eq!(warning.threshold.as_deref(), Some("75%"));
    assert_ne!(warning.event_id, breach.event_id);

    let again = sweep_at(store, &sink, t0() + Duration::hours(2)).await;
    assert_eq!(again.published, 0, "{again:?}");
    assert_each_delivered_once(&sink);

    let record = store
        .load(&TicketKey::new(TENANT, "T-1"))
        .await
        .expect("load")
        .expect("stored");
    assert!(
        record.outbox.is_empty(),
        "outbox settled: {:?}",
        record.outbox
    );
    assert_eq!(
        record.due_at,
        Some(t0() + Duration::hours(3)),
        "next timer: the resolution warning at 75% of 4h"
    );
}

/// The same timeline delivered in order, and shuffled with duplicates, ends in the same
/// state and the same effective announcements; every event is published once.
pub async fn duplicates_and_shuffles_converge<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    let later = t0() + Duration::hours(3);
    for body in fixtures::timeline("A") {
        let at = body["at"].as_str().unwrap().parse().unwrap();
        deliver(&service, &clock, &body, at, 200).await;
    }
    let mut shuffled = fixtures::timeline("B");
    shuffled.reverse();
    let dup = shuffled.clone();
    shuffled.extend(dup);
    for body in &shuffled {
        deliver(&service, &clock, body, later, 200).await;
    }
    let sink = MemorySink::new();
    sweep_at(service.store(), &sink, later + Duration::hours(3)).await;
    assert_each_delivered_once(&sink);
    let events = sink.published();
    assert_eq!(
        effective(&events, "A"),
        effective(&events, "B"),
        "all: {events:#?}"
    );
    let now = later + Duration::hours(3);
    let a = clocks(service.store(), "A", now).await;
    let b = clocks(service.store(), "B", now).await;
    assert_eq!(a, b);
}

/// The ticket's clocks, status, creation and policy at `now` (its id and event ids aside).
async fn clocks<S: TicketStore>(store: &S, ticket: &str, now: DateTime<Utc>) -> serde_json::Value {
    let record = store
        .load(&TicketKey::new(TENANT, ticket))
        .await
        .expect("load")
        .expect("stored");
    let state = serde_json::to_value(record.sla.evaluate(&fixtures::policy(), now))
        .expect("state serializes");
    serde_json::json!([
        state["clocks"],
        state["status"],
        state["created"],
        state["policy"]
    ])
}

/// What a ticket's announcements amount to once retractions are applied: which
/// outcome, of which cycle, when. (An outcome that stays the same is not re-announced
/// when a late event moves its deadline; only changed outcomes are corrected.)
fn effective(events: &[SlaEvent], ticket: &str) -> BTreeSet<String> {
    let mine: Vec<&SlaEvent> = events.iter().filter(|e| e.ticket_id == ticket).collect();
    let withdrawn: BTreeSet<&str> = mine.iter().filter_map(|e| e.retracts.as_deref()).collect();
    mine.iter()
        .filter(|e| e.kind != SlaEventType::Retracted && !withdrawn.contains(e.event_id.as_str()))
        .map(|e| format!("{:?} {:?} {} {}", e.metric, e.kind, e.cycle, e.at))
        .collect()
}

/// Concurrent webhooks for one ticket: every event ends up in its history.
pub async fn concurrent_ingests_lose_nothing<S: TicketStore + 'static>(store: S) {
    let (service, clock) = service(store);
    let service = Arc::new(service);
    clock.set(t0() + Duration::hours(1));
    let mut bodies = vec![event("C-1", "c0", t0(), "created")];
    for i in 1..8 {
        bodies.push(agent_reply(
            "C-1",
            &format!("c{i}"),
            t0() + Duration::minutes(i),
        ));
    }
    let mut tasks = Vec::new();
    for body in bodies {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            let created = body["kind"] == "created";
            service
                .handle(
                    &route(created),
                    &signed_request(&body, t0() + Duration::hours(1)),
                )
                .await
        }));
    }
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let record = service
        .store()
        .load(&TicketKey::new(TENANT, "C-1"))
        .await
        .expect("load")
        .expect("stored");
    let ids: BTreeSet<String> = record
        .sla
        .history
        .iter()
        .map(|e| e.event_id.clone())
        .collect();
    let expected: BTreeSet<String> = (0..8).map(|i| format!("canonical:c{i}")).collect(); // canonical ids are namespaced by vendor
    assert_eq!(ids, expected, "no lost update");
    assert_eq!(record.version, 8, "one write per event");
}

/// Two sweeps racing over the same due tickets publish each event exactly once.
pub async fn concurrent_sweeps_publish_once<S: TicketStore + 'static>(store: S) {
    let (service, clock) = service(store);
    for i in 0..12 {
        let body = event(&format!("S-{i}"), &format!("s{i}"), t0(), "created");
        deliver(&service, &clock, &body, t0(), 200).await;
    }
    let store = Arc::new(service);
    let sink = MemorySink::new();
    let now = t0() + Duration::hours(2);
    let run = |store: Arc<WebhookService<S>>, sink: MemorySink| {
        tokio::spawn(async move {
            sweep(
                store.store(),
                &sink,
                &fixtures::policies(),
                now,
                &|| true,
                &SweepSettings::default(),
            )
            .await
            .expect("sweep")
        })
    };
    let (a, b) = tokio::join!(
        run(store.clone(), sink.clone()),
        run(store.clone(), sink.clone())
    );
    let (a, b) = (a.expect("task a"), b.expect("task b"));
    assert_eq!(a.published + b.published, 24, "{a:?} {b:?}");
    assert_eq!(sink.published().len(), 24);
    assert_each_delivered_once(&sink);
}

/// An event the sink refuses stays queued, backs off, and goes out with the first sweep
/// after its backoff; the others are not sent again.
pub async fn failed_publish_is_retried<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    deliver(
        &service,
        &clock,
        &event("F-1", "f1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let sink = MemorySink::new();
    sink.fail_next(1);
    let now = t0() + Duration::hours(2);
    let first = sweep_at(service.store(), &sink, now).await;
    assert_eq!((first.published, first.failed), (1, 1), "{first:?}");
    let backing_off = sweep_at(service.store(), &sink, now + Duration::seconds(1)).await;
    assert_eq!(
        backing_off.published, 0,
        "the failed event backs off: {backing_off:?}"
    );
    let second = sweep_at(service.store(), &sink, now + Duration::minutes(1)).await;
    assert_eq!((second.published, second.failed), (1, 0), "{second:?}");
    assert_eq!(sink.published().len(), 2);
    assert_each_delivered_once(&sink);
}

/// A sweep that dies after recording but before publishing loses nothing: once its
/// lease expires, a later sweep publishes the events, exactly once.
pub async fn crash_between_record_and_publish<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    deliver(
        &service,
        &clock,
        &event("X-1", "x1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let sink = MemorySink::new();
    sink.hang();
    let now = t0() + Duration::hours(2);
    let policies = fixtures::policies();
    let settings = SweepSettings::default();
    // Drop the sweep (a crash) once it is inside the publish call.
    tokio::select! {
        _ = sweep(service.store(), &sink, &policies, now, &|| true, &settings) => {
            panic!("the sweep should hang in publish")
        }
        _ = sink.hung() => {}
    }
    sink.recover();
    let during_lease = sweep_at(service.store(), &sink, now + Duration::seconds(30)).await;
    assert_eq!(
        during_lease.published, 0,
        "the lease holds: {during_lease:?}"
    );
    let after = sweep_at(
        service.store(),
        &sink,
        now + settings.lease + Duration::seconds(1),
    )
    .await;
    assert_eq!(after.published, 2, "{after:?}");
    assert_each_delivered_once(&sink);
}

/// A late agent reply that happened before the deadline withdraws the breach already
/// announced, and the correction is published.
pub async fn late_reply_retracts_breach<S: TicketStore>(store: S) {
    let (service, clock) = service(store);
    deliver(
        &service,
        &clock,
        &event("R-1", "r1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let sink = MemorySink::new();
    let now = t0() + Duration::hours(2);
    sweep_at(service.store(), &sink, now).await;
    let breach = sink
        .published()
        .into_iter()
        .find(|e| e.kind == SlaEventType::Breached)
        .expect("breach announced");
    let late = agent_reply("R-1", "r2", t0() + Duration::minutes(20));
    deliver(&service, &clock, &late, now + Duration::minutes(1), 200).await;
    sweep_at(service.store(), &sink, now + Duration::minutes(2)).await;
    let events = sink.published();
    let retraction = events
        .iter()
        .find(|e| {
            e.kind == SlaEventType::Retracted && e.retracts.as_deref() == Some(&breach.event_id)
        })
        .unwrap_or_else(|| panic!("breach retracted: {events:#?}"));
    assert_eq!(retraction.metric, Metric::FirstResponse);
    assert!(
        events
            .iter()
            .any(|e| e.kind == SlaEventType::Met && e.metric == Metric::FirstResponse),
        "met announced: {events:#?}"
    );
    assert_each_delivered_once(&sink);
}

/// A webhook costs one read and one conditional write; a duplicate delivery one read.
pub async fn one_read_one_write_per_webhook<S: TicketStore>(store: S) {
    let (counting, counts) = CountingStore::new(store);
    let (service, clock) = service(counting);
    let body = event("W-1", "w1", t0(), "created");
    deliver(&service, &clock, &body, t0(), 200).await;
    assert_eq!(
        counts.get(),
        (1, 1, 0),
        "(loads, saves, queries) for a new event"
    );
    deliver(&service, &clock, &body, t0(), 200).await;
    assert_eq!(counts.get(), (2, 1, 0), "a duplicate is read, not written");
}

/// The sweep over an eventually consistent due index: a ticket missing from the index is
/// swept once it shows up; a stale entry (timer moved) is recognised and skipped.
pub async fn lagging_index_is_tolerated<S: TicketStore>(inner: S) {
    use sla_store::testkit::LaggingIndex;
    let (service, clock) = service(LaggingIndex::new(inner));
    deliver(
        &service,
        &clock,
        &event("L-1", "l1", t0(), "created"),
        t0(),
        200,
    )
    .await;
    let store = service.store();
    let sink = MemorySink::new();
    let now = t0() + Duration::hours(2);

    let late = sweep_at(store, &sink, now).await;
    assert_eq!(
        (late.examined, late.published),
        (0, 0),
        "not indexed yet: {late:?}"
    );

    store.catch_up();
    let caught_up = sweep_at(store, &sink, now).await;
    assert_eq!(caught_up.published, 2, "{caught_up:?}");

    // The sweep moved the timer to t0+3h, but the index still shows the old entry.
    let stale = sweep_at(store, &sink, now + Duration::minutes(1)).await;
    assert_eq!(
        (stale.examined, stale.stale, stale.published),
        (1, 1, 0),
        "{stale:?}"
    );
    store.catch_up();
    let settled = sweep_at(store, &sink, now + Duration::minutes(2)).await;
    assert_eq!(settled.examined, 0, "{settled:?}");
    assert_each_delivered_once(&sink);
}
