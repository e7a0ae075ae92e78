//! The action ledger contract: every `ActionLedger` implementation must pass each case.
//! Cases take a fresh, empty ledger; run them with
//! [`ledger_contract_tests!`](crate::ledger_contract_tests).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::contract::now;
use crate::ledger::{ActionKey, ActionLedger, ActionState, ActionUpdate, Claim, NewAction};

const LEASE: Duration = Duration::from_secs(60);

fn key(ticket: &str, action: &str) -> ActionKey {
    ActionKey::new("acme", ticket, action)
}

fn new_action(key: &ActionKey) -> NewAction {
    NewAction {
        key: key.clone(),
        payload: format!("{{\"id\":\"{}\"}}", key.action_id),
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    now() + TimeDelta::seconds(seconds)
}

async fn acquire<L: ActionLedger>(ledger: &L, key: &ActionKey, when: DateTime<Utc>) {
    match ledger.claim(key, when, LEASE).await.expect("claim") {
        Claim::Acquired(record) => assert_eq!(record.state, ActionState::Claimed),
        other => panic!("expected to acquire {}, got {other:?}", key.action_id),
    }
}

fn ids(records: &[crate::ledger::ActionRecord]) -> Vec<&str> {
    records.iter().map(|r| r.key.action_id.as_str()).collect()
}

/// Enqueueing a known id again changes nothing; a ticket's actions list in enqueue order.
pub async fn enqueue_is_idempotent<L: ActionLedger>(ledger: Arc<L>) {
    let (a, b, c) = (
        key("T-1", "ev1:0.0"),
        key("T-1", "ev1:0.1"),
        key("T-1", "ev2:0.0"),
    );
    let first = [new_action(&a), new_action(&b)];
    assert_eq!(ledger.enqueue(&first, now()).await.expect("enqueue"), 2);
    acquire(&*ledger, &a, now()).await;
    ledger
        .record(&a, &ActionUpdate::Done { attempts: 1 }, now())
        .await
        .expect("record");
    let again = [new_action(&a), new_action(&b), new_action(&c)];
    assert_eq!(ledger.enqueue(&again, at(5)).await.expect("again"), 1);
    let listed = ledger.ticket_actions("acme", "T-1").await.expect("list");
    assert_eq!(ids(&listed), ["ev1:0.0", "ev1:0.1", "ev2:0.0"]);
    assert_eq!(
        listed[0].state,
        ActionState::Done,
        "a redelivery re-opens nothing"
    );
    assert_eq!(listed[2].payload, "{\"id\":\"ev2:0.0\"}");
    assert!(ledger
        .ticket_actions("acme", "T-2")
        .await
        .expect("other")
        .is_empty());
}

/// `due` lists in enqueue order (batch order within a call, across tickets), whatever
/// each action's due time, and stops at `limit`; so does a ticket's list.
pub async fn due_lists_in_enqueue_order<L: ActionLedger>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:10.0");
    let first = [new_action(&a), new_action(&key("T-1", "ev1:2.0"))];
    ledger.enqueue(&first, now()).await.expect("enqueue");
    let later: Vec<_> = (2..6)
        .map(|n| new_action(&key(&format!("T-{n}"), &format!("ev{n}:0.0"))))
        .collect();
    ledger.enqueue(&later, at(1)).await.expect("enqueue");
    acquire(&*ledger, &a, at(2)).await;
    let retry = ActionUpdate::Retry {
        attempts: 1,
        error: "500".into(),
        next_attempt_at: at(10),
    };
    ledger.record(&a, &retry, at(3)).await.expect("retry");
    let expected = [
        "ev1:10.0", "ev1:2.0", "ev2:0.0", "ev3:0.0", "ev4:0.0", "ev5:0.0",
    ];
    let due = ledger.due(at(10), 10).await.expect("due");
    assert_eq!(ids(&due), expected, "due again last, still listed first");
    let due = ledger.due(at(10), 3).await.expect("due");
    assert_eq!(ids(&due), expected[..3]);
    let due = ledger.due(at(5), 10).await.expect("due");
    assert_eq!(ids(&due), expected[1..]);
    let listed = ledger.ticket_actions("acme", "T-1").await.expect("list");
    assert_eq!(ids(&listed), expected[..2]);
}

/// A claimed action is busy until recorded; once done it is never acquired again.
pub async fn an_action_is_acquired_once<L: ActionLedger>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:0.0");
    ledger
        .enqueue(&[new_action(&a)], now())
        .await
        .expect("enqueue");
    assert_eq!(ids(&ledger.due(now(), 10).await.expect("due")), ["ev1:0.0"]);
    acquire(&*ledger, &a, now()).await;
    let busy = ledger.claim(&a, at(1), LEASE).await.expect("claim");
    assert_eq!(busy, Claim::Busy { until: at(60) });
    assert!(ledger.due(at(1), 10).await.expect("due").is_empty());
    let done = ActionUpdate::Done { attempts: 1 };
    ledger.record(&a, &done, at(2)).await.expect("record");
    assert_eq!(
        ledger.claim(&a, at(500), LEASE).await.expect("claim"),
        Claim::Done
    );
    assert!(ledger.due(at(500), 10).await.expect("due").is_empty());
    let unknown = key("T-1", "nope:0.0");
    assert_eq!(
        ledger.claim(&unknown, now(), LEASE).await.expect("claim"),
        Claim::Unknown
    );
    assert!(ledger.record(&unknown, &done, now()).await.is_err());
}

/// A claim whose holder never recorded (a crash) is due again once its lease lapses,
/// keeping its attempts.
pub async fn a_lapsed_lease_is_due_again<L: ActionLedger>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:0.0");
    ledger
        .enqueue(&[new_action(&a)], now())
        .await
        .expect("enqueue");
    acquire(&*ledger, &a, now()).await;
    assert!(ledger.due(at(59), 10).await.expect("due").is_empty());
    assert_eq!(
        ids(&ledger.due(at(60), 10).await.expect("due")),
        ["ev1:0.0"]
    );
    acquire(&*ledger, &a, at(61)).await;
}

/// A retry is pending until its next attempt, with its attempts and last error visible.
pub async fn a_retry_waits_for_its_next_attempt<L: ActionLedger>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:0.0");
    ledger
        .enqueue(&[new_action(&a)], now())
        .await
        .expect("enqueue");
    acquire(&*ledger, &a, now()).await;
    let retry = ActionUpdate::Retry {
        attempts: 2,
        error: "PUT /tags answered 429".into(),
        next_attempt_at: at(30),
    };
    ledger.record(&a, &retry, at(1)).await.expect("record");
    let claim = ledger.claim(&a, at(10), LEASE).await.expect("claim");
    assert_eq!(claim, Claim::Busy { until: at(30) });
    assert!(ledger.due(at(29), 10).await.expect("due").is_empty());
    let due = ledger.due(at(30), 10).await.expect("due");
    assert_eq!(ids(&due), ["ev1:0.0"]);
    assert_eq!(
        (due[0].state, due[0].attempts, due[0].last_error.as_deref()),
        (ActionState::Pending, 2, Some("PUT /tags answered 429"))
    );
    acquire(&*ledger, &a, at(30)).await;
    ledger
        .record(&a, &ActionUpdate::Done { attempts: 3 }, at(31))
        .await
        .expect("record");
    let listed = ledger.ticket_actions("acme", "T-1").await.expect("list");
    assert_eq!(
        (listed[0].state, listed[0].attempts),
        (ActionState::Done, 3)
    );
    assert_eq!(
        listed[0].last_error.as_deref(),
        Some("PUT /tags answered 429")
    );
}

/// Dead actions are listed (per tenant or all, in the order they died) and a redrive
/// makes them pending with their attempts reset.
pub async fn dead_actions_are_listed_and_redriven<L: ActionLedger>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:0.0");
    let b = ActionKey::new("globex", "T-9", "ev7:1.0");
    let c = key("T-2", "ev8:0.0");
    let all = [new_action(&a), new_action(&b), new_action(&c)];
    ledger.enqueue(&all, now()).await.expect("enqueue");
    for (index, key) in [&b, &a].into_iter().enumerate() {
        acquire(&*ledger, key, now()).await;
        let dead = ActionUpdate::Dead {
            attempts: 5,
            error: format!("refused {index}"),
        };
        ledger
            .record(key, &dead, at(index as i64))
            .await
            .expect("dead");
    }
    let dead = ledger.dead(None, 10).await.expect("dead");
    assert_eq!(ids(&dead), ["ev7:1.0", "ev1:0.0"]);
    assert_eq!(ids(&ledger.dead(None, 1).await.expect("dead")), ["ev7:1.0"]);
    assert_eq!(
        ids(&ledger.dead(Some("acme"), 10).await.expect("dead")),
        ["ev1:0.0"]
    );
    assert_eq!(
        ledger.claim(&a, at(10), LEASE).await.expect("claim"),
        Claim::Dead
    );
    assert!(ledger.redrive(&a, at(20)).await.expect("redrive"));
    assert!(!ledger.redrive(&a, at(20)).await.expect("again"));
    assert!(!ledger.redrive(&c, at(20)).await.expect("not dead"));
    let listed = ledger.ticket_actions("acme", "T-1").await.expect("list");
    assert_eq!(
        (listed[0].state, listed[0].attempts),
        (ActionState::Pending, 0)
    );
    assert_eq!(
        ids(&ledger.dead(None, 10).await.expect("dead")),
        ["ev7:1.0"]
    );
    let early = ledger.due(at(-3600), 10).await.expect("due");
    assert_eq!(ids(&early), ["ev1:0.0"], "a redriven action is due at once");
    acquire(&*ledger, &a, at(-3600)).await;
}

/// Concurrent claims of one action: exactly one acquires it.
pub async fn concurrent_claims_acquire_once<L: ActionLedger + 'static>(ledger: Arc<L>) {
    let a = key("T-1", "ev1:0.0");
    ledger
        .enqueue(&[new_action(&a)], now())
        .await
        .expect("enqueue");
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let (ledger, a) = (Arc::clone(&ledger), a.clone());
            tokio::spawn(async move { ledger.claim(&a, now(), LEASE).await.expect("claim") })
        })
        .collect();
    let mut acquired = 0;
    for claim in claims {
        if matches!(claim.await.expect("task"), Claim::Acquired(_)) {
            acquired += 1;
        }
    }
    assert_eq!(acquired, 1);
}
