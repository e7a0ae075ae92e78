//! The store contract: every `TicketStore` implementation must pass each case. Cases take
//! a fresh, empty store; run them with [`store_contract_tests!`](crate::store_contract_tests).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sla_core::{Metric, Priority, SlaEvent, SlaEventType, TicketSla};

use super::RawAccess;
use crate::{
    shard_of, DeadLetter, DueTicket, OutboxEntry, StoreError, TicketKey, TicketRecord, TicketStore,
};

mod queue;
pub use queue::*;

/// The instant the cases treat as "now".
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

/// A breach event for `key` with a distinct `event_id`.
pub fn sample_event(key: &TicketKey, event_id: &str) -> SlaEvent {
    SlaEvent {
        event_id: event_id.to_owned(),
        kind: SlaEventType::Breached,
        tenant: key.tenant.clone(),
        ticket_id: key.ticket_id.clone(),
        metric: Metric::FirstResponse,
        cycle: 1,
        policy: "default".into(),
        priority: Priority::High,
        target_seconds: 3600,
        deadline: now() - TimeDelta::minutes(5),
        at: now() - TimeDelta::minutes(5),
        elapsed_seconds: 3600,
        threshold: None,
        retracts: None,
        context: Default::default(),
    }
}

/// A new record for `key` whose SLA state and outbox are not empty.
pub fn sample_record(key: &TicketKey) -> TicketRecord {
    let sla = TicketSla {
        announced: vec![sample_event(key, "announced-1")],
        ..TicketSla::default()
    };
    let mut record = TicketRecord::new(key.clone(), sla);
    record
        .outbox
        .push(OutboxEntry::new(sample_event(key, "pending-1")));
    record
}

fn key(n: usize) -> TicketKey {
    TicketKey::new("acme", format!("T-{n}"))
}

/// Saves `record` and returns it as stored (with the new version).
async fn save<S: TicketStore>(store: &S, mut record: TicketRecord) -> TicketRecord {
    record.version = store.save(&record).await.expect("save");
    record
}

/// Loading a ticket never saved gives `None`.
pub async fn load_missing_is_none<S: RawAccess>(store: Arc<S>) {
    assert_eq!(store.load(&key(1)).await.expect("load"), None);
}

/// A new record is stored as version 1 and loads back equal, timer and expiry included.
pub async fn save_new_round_trips<S: RawAccess>(store: Arc<S>) {
    let mut record = sample_record(&key(1));
    record.due_at = Some(now() + TimeDelta::minutes(30));
    record.expires_at = Some(now() + TimeDelta::days(90));
    let version = store.save(&record).await.expect("save new");
    assert_eq!(version, 1, "a new record is stored as version 1");
    let loaded = store
        .load(&key(1))
        .await
        .expect("load")
        .expect("record exists");
    assert_eq!(
        loaded,
        TicketRecord {
            version: 1,
            ..record
        }
    );
}

/// Each save on the version read stores and returns that version plus one.
pub async fn save_increments_the_version<S: RawAccess>(store: Arc<S>) {
    let mut record = save(&*store, sample_record(&key(1))).await;
    for expected in 2..=4 {
        record.outbox.clear();
        record = save(&*store, record).await;
        assert_eq!(record.version, expected);
    }
    let loaded = store.load(&key(1)).await.expect("load").expect("exists");
    assert_eq!(loaded.version, 4);
    assert!(loaded.outbox.is_empty());
}

/// Saving on a stale (or never stored) version is a `Conflict` that changes nothing.
pub async fn stale_version_conflicts<S: RawAccess>(store: Arc<S>) {
    let first = save(&*store, sample_record(&key(1))).await;
    let second = save(&*store, first.clone()).await;
    let err = store
        .save(&first)
        .await
        .expect_err("saving on a stale version must fail");
    assert!(
        matches!(&err, StoreError::Conflict { expected: 1, ticket_id, .. } if ticket_id == "T-1"),
        "{err:?}"
    );
    let mut ahead = second.clone();
    ahead.version = 7;
    assert!(
        matches!(store.save(&ahead).await, Err(StoreError::Conflict { .. })),
        "a version never stored"
    );
    let loaded = store.load(&key(1)).await.expect("load").expect("exists");
    assert_eq!(loaded.version, 2, "failed saves change nothing");
}

/// Creating a ticket that already exists (version 0) is a `Conflict`.
pub async fn double_create_conflicts<S: RawAccess>(store: Arc<S>) {
    save(&*store, sample_record(&key(1))).await;
    let err = store
        .save(&sample_record(&key(1)))
        .await
        .expect_err("creating twice must fail");
    assert!(
        matches!(err, StoreError::Conflict { expected: 0, .. }),
        "{err:?}"
    );
}

/// `WRITERS` tasks each append one outbox entry by read-modify-write, retrying conflicts.
pub async fn concurrent_read_modify_write_loses_no_update<S: RawAccess + 'static>(store: Arc<S>) {
    const WRITERS: usize = 8;
    let ticket = key(1);
    let mut initial = sample_record(&ticket);
    initial.outbox.clear();
    save(&*store, initial).await;
    let tasks: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = Arc::clone(&store);
            let ticket = ticket.clone();
            tokio::spawn(async move {
                append_with_retry(&*store, &ticket, &format!("writer-{writer}")).await
            })
        })
        .collect();
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.expect("writer task");
    }
    let loaded = store.load(&ticket).await.expect("load").expect("exists");
    let ids: BTreeSet<_> = loaded
        .outbox
        .iter()
        .map(|e| e.event.event_id.clone())
        .collect();
    let expected: BTreeSet<_> = (0..WRITERS).map(|w| format!("writer-{w}")).collect();
    assert_eq!(
        ids, expected,
        "every writer's entry survives ({conflicts} conflicts retried)"
    );
    assert_eq!(loaded.version, 1 + WRITERS as u64);
}

/// Appends one outbox entry, reloading on conflict; returns the conflicts met.
async fn append_with_retry<S: TicketStore>(store: &S, ticket: &TicketKey, event_id: &str) -> usize {
    for attempt in 0..200 {
        let mut record = store.load(ticket).await.expect("load").expect("exists");
        record
            .outbox
            .push(OutboxEntry::new(sample_event(ticket, event_id)));
        match store.save(&record).await {
            Ok(_) => return attempt,
            Err(StoreError::Conflict { .. }) => {
                tokio::time::sleep(Duration::from_millis(attempt as u64 % 7)).await
            }
            Err(other) => panic!("save failed: {other}"),
        }
    }
    panic!("{event_id}: still conflicting after 200 attempts");
}

/// Every due ticket over all shards, paging with `limit`; checks each page's shape.
pub async fn collect_due<S: TicketStore>(
    store: &S,
    now: DateTime<Utc>,
    limit: u32,
) -> Vec<DueTicket> {
    let mut all = Vec::new();
    for shard in 0..store.shards() {
        let mut cursor = None;
        let mut previous: Option<DateTime<Utc>> = None;
        for _page in 0..10_000 {
            let page = store
                .query_due(shard, now, limit, cursor)
                .await
                .expect("query_due");
            assert!(
                page.tickets.len() <= limit as usize,
                "page larger than limit {limit}"
            );
            for ticket in &page.tickets {
                assert!(
                    ticket.due_at <= now,
                    "{} due at {} is after now",
                    ticket.key,
                    ticket.due_at
                );
                assert!(
                    previous.is_none_or(|p| p <= ticket.due_at),
                    "shard {shard} not oldest first"
                );
                assert_eq!(
                    shard_of(&ticket.key, store.shards()),
                    shard,
                    "{} in the wrong shard",
                    ticket.key
                );
                previous = Some(ticket.due_at);
            }
            all.extend(page.tickets);
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    all
}

/// `query_due` returns exactly the tickets with `due_at <= now`, with their stored `due_at`.
pub async fn due_query_returns_only_due_tickets_in_order<S: RawAccess>(store: Arc<S>) {
    let offsets = [-90, -5, 0, 1, 60];
    for (n, minutes) in offsets.iter().enumerate() {
        let mut record = sample_record(&key(n));
        record.due_at = Some(now() + TimeDelta::minutes(*minutes));
        save(&*store, record).await;
    }
    save(&*store, sample_record(&key(99))).await;
    let due = collect_due(&*store, now(), 100).await;
    let mut found: Vec<_> = due
        .iter()
        .map(|t| (t.due_at, t.key.ticket_id.clone()))
        .collect();
    found.sort();
    let expected = vec![
        (now() - TimeDelta::minutes(90), "T-0".to_owned()),
        (now() - TimeDelta::minutes(5), "T-1".to_owned()),
        (now(), "T-2".to_owned()),
    ];
    assert_eq!(
        found, expected,
        "due_at <= now only, with the stored due_at"
    );
}

/// Enough tickets in shard 0 (some sharing a `due_at`) that limit 2 needs several pages.
pub async fn due_query_pages_with_small_limits<S: RawAccess>(store: Arc<S>) {
    let shards = store.shards();
    let in_shard_zero: Vec<TicketKey> = (0..)
        .map(key)
        .filter(|k| shard_of(k, shards) == 0)
        .take(7)
        .collect();
    let elsewhere: Vec<TicketKey> = (1000..1005).map(key).collect();
    let mut expected = BTreeSet::new();
    for (n, ticket) in in_shard_zero.iter().chain(&elsewhere).enumerate() {
        let mut record = sample_record(ticket);
        record.due_at = Some(now() - TimeDelta::minutes((n / 2) as i64));
        save(&*store, record).await;
        expected.insert(ticket.clone());
    }
    let due = collect_due(&*store, now(), 2).await;
    let found: Vec<_> = due.iter().map(|t| t.key.clone()).collect();
    let unique: BTreeSet<_> = found.iter().cloned().collect();
    assert_eq!(
        found.len(),
        unique.len(),
        "no ticket returned twice across pages"
    );
    assert_eq!(unique, expected, "every due ticket found once");
    let first = store.query_due(0, now(), 2, None).await.expect("query_due");
    assert_eq!(first.tickets.len(), 2);
    assert!(
        first.cursor.is_some(),
        "a full page with more behind it has a cursor"
    );
}

/// A ticket whose timer is cleared or moved past `now` leaves the due results.
pub async fn cleared_or_postponed_due_drops_out<S: RawAccess>(store: Arc<S>) {
    let mut cleared = sample_record(&key(1));
    cleared.due_at = Some(now() - TimeDelta::minutes(1));
    let mut postponed = sample_record(&key(2));
    postponed.due_at = Some(now() - TimeDelta::minutes(1));
    let mut cleared = save(&*store, cleared).await;
    let mut postponed = save(&*store, postponed).await;
    assert_eq!(collect_due(&*store, now(), 10).await.len(), 2);
    cleared.due_at = None;
    postponed.due_at = Some(now() + TimeDelta::hours(1));
    save(&*store, cleared).await;
    save(&*store, postponed).await;
    assert!(collect_due(&*store, now(), 10).await.is_empty());
    let later = collect_due(&*store, now() + TimeDelta::hours(2), 10).await;
    assert_eq!(
        later
            .iter()
            .map(|t| t.key.ticket_id.as_str())
            .collect::<Vec<_>>(),
        ["T-2"]
    );
}

/// `expires_at` is stored as the TTL attribute in epoch seconds (rounded up) and removed with it.
pub async fn ttl_attribute_is_written_and_cleared<S: RawAccess>(store: Arc<S>) {
    let expires = now() + TimeDelta::days(30) + TimeDelta::milliseconds(250);
    let mut record = sample_record(&key(1));
    record.expires_at = Some(expires);
    let mut record = save(&*store, record).await;
    let rounded_up = expires.timestamp() + 1;
    assert_eq!(
        store.raw_expires_at(&key(1)).await,
        Some(rounded_up),
        "epoch seconds, rounded up"
    );
    let loaded = store.load(&key(1)).await.expect("load").expect("exists");
    assert_eq!(loaded.expires_at, DateTime::from_timestamp(rounded_up, 0));
    record.expires_at = None;
    save(&*store, record).await;
    assert_eq!(store.raw_expires_at(&key(1)).await, None);
}

/// Outbox entries keep their order and their `claimed_until` lease.
pub async fn outbox_claims_round_trip<S: RawAccess>(store: Arc<S>) {
    let mut record = sample_record(&key(1));
    let claimed = now() + TimeDelta::seconds(30);
    record.outbox.push(OutboxEntry {
        claimed_until: Some(claimed),
        ..OutboxEntry::new(sample_event(&key(1), "pending-2"))
    });
    save(&*store, record).await;
    let loaded = store.load(&key(1)).await.expect("load").expect("exists");
    let claims: Vec<_> = loaded
        .outbox
        .iter()
        .map(|e| (e.event.event_id.as_str(), e.claimed_until))
        .collect();
    assert_eq!(claims, [("pending-1", None), ("pending-2", Some(claimed))]);
}

/// A stored `sla` that is not JSON loads as `Corrupt`, naming the ticket and the field.
pub async fn corrupt_json_is_reported_as_corrupt<S: RawAccess>(store: Arc<S>) {
    save(&*store, sample_record(&key(1))).await;
    store.corrupt_sla(&key(1)).await;
    let err = store
        .load(&key(1))
        .await
        .expect_err("a corrupt record must not load");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("acme/T-1") && message.contains("`sla`"),
        "{message}"
    );
}

/// A record over the item limit is refused with `TooLarge` and nothing is written.
pub async fn oversized_record_is_refused<S: RawAccess>(store: Arc<S>) {
    let mut record = sample_record(&key(1));
    // Distinct, incompressible entries: the stored encoding is compressed.
    let mut noise = 0x9e37_79b9_7f4a_7c15_u64;
    record.outbox = (0..2_000)
        .map(|i| {
            let mut entry = OutboxEntry::new(sample_event(&key(1), &format!("bulk-{i}")));
            let error: String = (0..32)
                .map(|_| {
                    noise ^= noise << 13;
                    noise ^= noise >> 7;
                    noise ^= noise << 17;
                    format!("{noise:016x}")
                })
                .collect();
            entry.last_error = Some(error);
            entry
        })
        .collect();
    let err = store
        .save(&record)
        .await
        .expect_err("an item over 400 KB must be refused");
    assert!(
        matches!(err, StoreError::TooLarge { bytes, limit, .. } if bytes > limit),
        "{err:?}"
    );
    assert!(
        err.is_unsaveable(),
        "a too-large record is typed as unsaveable"
    );
    assert_eq!(
        store.load(&key(1)).await.expect("load"),
        None,
        "nothing was written"
    );
}

/// A dead letter of `key` dead-lettered `minutes_ago` before [`now`].
pub fn sample_dead_letter(key: &TicketKey, event_id: &str, minutes_ago: i64) -> DeadLetter {
    DeadLetter {
        event: sample_event(key, event_id),
        attempts: 20,
        last_error: "AccessDeniedException: not authorized to PutEvents".into(),
        dead_at: now() - TimeDelta::minutes(minutes_ago),
    }
}

/// Every ticket holding dead letters over all shards, paging with `limit`.
pub async fn collect_dead_letters<S: TicketStore>(store: &S, limit: u32) -> Vec<TicketKey> {
    let mut all = Vec::new();
    for shard in 0..store.shards() {
        let mut cursor = None;
        for _page in 0..10_000 {
            let page = store
                .query_dead_letters(shard, limit, cursor)
                .await
                .expect("query_dead_letters");
            assert!(page.tickets.len() <= limit as usize, "page over {limit}");
            for ticket in &page.tickets {
                assert_eq!(
                    shard_of(ticket, store.shards()),
                    shard,
                    "{ticket} misplaced"
                );
            }
            all.extend(page.tickets);
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    all
}

/// Outbox attempts and last errors, and dead letters, round trip; only tickets holding
/// dead letters are found by the dead-letter index, and leave it once they hold none.
pub async fn dead_letters_round_trip_and_are_indexed<S: RawAccess>(store: Arc<S>) {
    let mut with_dead = Vec::new();
    for n in 0..5 {
        let mut record = sample_record(&key(n));
        record.outbox[0].attempts = 3;
        record.outbox[0].last_error = Some("throttled".into());
        if n % 2 == 0 {
            record.dead_letters = vec![
                sample_dead_letter(&key(n), "dead-a", n as i64),
                sample_dead_letter(&key(n), "dead-b", 60),
            ];
            with_dead.push(key(n));
        }
        let stored = save(&*store, record.clone()).await;
        let loaded = store.load(&key(n)).await.expect("load").expect("exists");
        assert_eq!(
            loaded, stored,
            "attempts, errors and dead letters round trip"
        );
    }
    let mut found = collect_dead_letters(&*store, 1).await;
    found.sort();
    assert_eq!(found, with_dead, "exactly the tickets holding dead letters");
    let mut cleared = store.load(&key(0)).await.expect("load").expect("exists");
    cleared.dead_letters.clear();
    save(&*store, cleared).await;
    let mut found = collect_dead_letters(&*store, 10).await;
    found.sort();
    assert_eq!(
        found,
        with_dead[1..],
        "a ticket without dead letters leaves the index"
    );
}

/// A delivery digest is new once per tenant until its memory expires.
pub async fn delivery_digests_are_new_once_per_window<S: RawAccess>(store: Arc<S>) {
    let week = now() + TimeDelta::days(7);
    let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    assert!(!store
        .delivery_seen("acme", digest, now())
        .await
        .expect("seen"));
    assert!(store
        .remember_delivery("acme", digest, now(), week)
        .await
        .expect("first"));
    assert!(store
        .delivery_seen("acme", digest, now())
        .await
        .expect("seen"));
    let later = now() + TimeDelta::days(6);
    assert!(
        !store
            .remember_delivery("acme", digest, later, week)
            .await
            .expect("replay"),
        "a replay within the window is not new"
    );
    assert!(
        store
            .remember_delivery("other", digest, now(), week)
            .await
            .expect("other tenant"),
        "digests are per tenant"
    );
    let after = week + TimeDelta::seconds(1);
    assert!(!store
        .delivery_seen("acme", digest, after)
        .await
        .expect("seen"));
    assert!(
        store
            .remember_delivery("acme", digest, after, after + TimeDelta::days(7))
            .await
            .expect("after expiry"),
        "an expired memory is new again"
    );
    assert_eq!(
        store.load(&key(1)).await.expect("load"),
        None,
        "not a ticket"
    );
}

/// The sweep cursor starts at shard 0 and keeps what was saved.
pub async fn sweep_cursor_round_trips<S: RawAccess>(store: Arc<S>) {
    assert_eq!(store.load_sweep_cursor().await.expect("load"), 0);
    store.save_sweep_cursor(3).await.expect("save");
    store.save_sweep_cursor(5).await.expect("save");
    assert_eq!(store.load_sweep_cursor().await.expect("load"), 5);
    assert!(
        collect_due(&*store, now(), 10).await.is_empty(),
        "not a due ticket"
    );
    assert!(collect_dead_letters(&*store, 10).await.is_empty());
}

/// Stores without a native TTL delete expired records and deliveries at `purge_expired`
/// (not part of the shared suite: DynamoDB's TTL deletes on its own schedule).
pub async fn purge_deletes_only_expired<S: RawAccess>(store: Arc<S>) {
    let mut expired = sample_record(&key(1));
    expired.expires_at = Some(now() - TimeDelta::seconds(1));
    let mut later = sample_record(&key(2));
    later.expires_at = Some(now() + TimeDelta::days(1));
    save(&*store, expired).await;
    save(&*store, later).await;
    save(&*store, sample_record(&key(3))).await;
    let soon = now() + TimeDelta::minutes(1);
    store
        .remember_delivery("acme", "old", now() - TimeDelta::days(8), now())
        .await
        .expect("old");
    store
        .remember_delivery("acme", "new", now(), soon)
        .await
        .expect("new");
    assert_eq!(store.purge_expired(now()).await.expect("purge"), 1);
    assert_eq!(
        store.load(&key(1)).await.expect("load"),
        None,
        "expired: deleted"
    );
    assert!(
        store.load(&key(2)).await.expect("load").is_some(),
        "not yet expired"
    );
    assert!(
        store.load(&key(3)).await.expect("load").is_some(),
        "never expires"
    );
    assert!(store
        .delivery_seen("acme", "new", now())
        .await
        .expect("seen"));
    assert!(
        store
            .remember_delivery("acme", "old", now(), soon)
            .await
            .expect("old again"),
        "the expired digest is gone"
    );
}
