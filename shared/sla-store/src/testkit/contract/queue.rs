//! Contract cases of the read index: every backend lists the same open cycles in the
//! same order, pages them the same way, and drops closed cycles.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sla_core::{Metric, Priority, TicketSla};

use super::{now, save};
use crate::testkit::RawAccess;
use crate::{
    Completion, OpenCycle, OpenState, Outcome, QueueFilter, QueueQuery, QueueStore, QueueWindow,
    ReadIndex, TicketKey, TicketRecord,
};

/// An open cycle due `minutes` from now (paused with `left` seconds when `None`).
pub fn open_cycle(metric: Metric, minutes: Option<i64>, left: i64) -> OpenCycle {
    OpenCycle {
        metric,
        cycle: 1,
        state: if minutes.is_some() {
            OpenState::Running
        } else {
            OpenState::Paused
        },
        at_risk: false,
        deadline: minutes.map(|m| now() + TimeDelta::minutes(m)),
        business_seconds_left: left,
        target_seconds: 3600,
        calendar: None,
        priority: Priority::High,
        policy: "standard".into(),
        group: Some("tier1".into()),
        assignee: None,
        organization: None,
    }
}

fn completion(metric: Metric, minutes_ago: i64, outcome: Outcome) -> Completion {
    Completion {
        metric,
        cycle: 1,
        priority: Priority::High,
        completed_at: now() - TimeDelta::minutes(minutes_ago),
        outcome,
    }
}

async fn save_index<S: RawAccess>(store: &S, tenant: &str, id: &str, read: ReadIndex) {
    let mut record = TicketRecord::new(TicketKey::new(tenant, id), TicketSla::default());
    record.read = read;
    save(store, record).await;
}

fn open_only(open: Vec<OpenCycle>) -> ReadIndex {
    ReadIndex {
        open,
        completions: Vec::new(),
    }
}

fn query(window: QueueWindow, filter: QueueFilter, limit: u32) -> QueueQuery {
    QueueQuery {
        tenant: "acme".into(),
        window,
        filter,
        limit,
    }
}

/// `ticket/metric` of every row of `query`, following the cursor.
pub async fn collect_queue<S: QueueStore>(store: &S, mut query: QueueQuery) -> Vec<String> {
    let mut rows = Vec::new();
    let window = query.window.clone();
    for _ in 0..100 {
        let page = store.query_queue(&query).await.expect("query_queue");
        assert!(
            page.items.len() <= query.limit as usize,
            "page over the limit"
        );
        rows.extend(
            page.items
                .iter()
                .map(|i| format!("{}/{}", i.ticket_id, i.cycle.metric.as_str())),
        );
        match page.cursor {
            Some(cursor) => query.window = window.clone().resume(Some(&cursor)),
            None => return rows,
        }
    }
    panic!("the queue never ended");
}

/// Five tickets of `acme` (and one of another tenant due first).
async fn seed<S: RawAccess>(store: &S) {
    use Metric::{FirstResponse as Fr, Resolution as Res};
    let mut at_risk = open_cycle(Fr, Some(10), 600);
    at_risk.at_risk = true;
    at_risk.assignee = Some("ana".into());
    save_index(
        store,
        "acme",
        "A",
        open_only(vec![at_risk, open_cycle(Res, Some(300), 18_000)]),
    )
    .await;
    save_index(
        store,
        "acme",
        "B",
        open_only(vec![open_cycle(Fr, Some(-5), -300)]),
    )
    .await;
    save_index(
        store,
        "acme",
        "C",
        open_only(vec![open_cycle(Res, None, 600)]),
    )
    .await;
    let mut elsewhere = open_cycle(Fr, None, 60);
    elsewhere.group = Some("tier2".into());
    elsewhere.organization = Some("globex".into());
    save_index(store, "acme", "D", open_only(vec![elsewhere])).await;
    save_index(
        store,
        "acme",
        "E",
        open_only(vec![open_cycle(Res, Some(60), 3000)]),
    )
    .await;
    save_index(
        store,
        "other",
        "Z",
        open_only(vec![open_cycle(Fr, Some(-60), -3600)]),
    )
    .await;
}

/// Open cycles come in deadline order (passed deadlines first), paused ones last by
/// business seconds left; other tenants' never.
pub async fn queue_orders_by_deadline_then_paused<S: RawAccess + QueueStore>(store: Arc<S>) {
    seed(&*store).await;
    let all = query(QueueWindow::all(), QueueFilter::default(), 100);
    assert_eq!(
        collect_queue(&*store, all).await,
        [
            "B/first_response",
            "A/first_response",
            "E/resolution",
            "A/resolution",
            "D/first_response",
            "C/resolution"
        ]
    );
}

/// Small pages cover the whole queue once, in order, and the last page has no cursor.
pub async fn queue_pages_with_a_cursor<S: RawAccess + QueueStore>(store: Arc<S>) {
    seed(&*store).await;
    let whole = collect_queue(
        &*store,
        query(QueueWindow::all(), QueueFilter::default(), 100),
    )
    .await;
    for limit in [1, 2, 4] {
        let paged = collect_queue(
            &*store,
            query(QueueWindow::all(), QueueFilter::default(), limit),
        )
        .await;
        assert_eq!(paged, whole, "limit {limit}");
    }
    let page = store
        .query_queue(&query(QueueWindow::all(), QueueFilter::default(), 6))
        .await
        .expect("query_queue");
    assert_eq!((page.items.len(), page.cursor), (6, None));
}

/// Windows (breached, running, within, paused) and filters (metric, group, assignee,
/// organization, at risk) narrow the queue.
pub async fn queue_windows_and_filters<S: RawAccess + QueueStore>(store: Arc<S>) {
    seed(&*store).await;
    let at = |m: i64| Some(now() + TimeDelta::minutes(m));
    let none = QueueFilter::default;
    let cases: Vec<(QueueWindow, QueueFilter, Vec<&str>)> = vec![
        (
            QueueWindow::deadlines(None, Some(now())),
            none(),
            vec!["B/first_response"],
        ),
        (
            QueueWindow::deadlines(Some(now()), None),
            none(),
            vec!["A/first_response", "E/resolution", "A/resolution"],
        ),
        (
            QueueWindow::deadlines(None, at(60)),
            none(),
            vec!["B/first_response", "A/first_response", "E/resolution"],
        ),
        (
            QueueWindow::paused(),
            none(),
            vec!["D/first_response", "C/resolution"],
        ),
        (
            QueueWindow::all(),
            QueueFilter {
                metric: Some(Metric::Resolution),
                ..none()
            },
            vec!["E/resolution", "A/resolution", "C/resolution"],
        ),
        (
            QueueWindow::all(),
            QueueFilter {
                group: Some("tier2".into()),
                ..none()
            },
            vec!["D/first_response"],
        ),
        (
            QueueWindow::all(),
            QueueFilter {
                organization: Some("globex".into()),
                ..none()
            },
            vec!["D/first_response"],
        ),
        (
            QueueWindow::all(),
            QueueFilter {
                assignee: Some("ana".into()),
                ..none()
            },
            vec!["A/first_response"],
        ),
        (
            QueueWindow::all(),
            QueueFilter {
                at_risk: true,
                ..none()
            },
            vec!["A/first_response"],
        ),
    ];
    for (window, filter, expected) in cases {
        let label = format!("{window:?} {filter:?}");
        assert_eq!(
            collect_queue(&*store, query(window, filter, 2)).await,
            expected,
            "{label}"
        );
    }
}

/// A ticket whose cycles close leaves the queue; its completions stay findable.
pub async fn closed_cycles_leave_the_queue<S: RawAccess + QueueStore>(store: Arc<S>) {
    let key = TicketKey::new("acme", "A");
    let mut record = TicketRecord::new(key.clone(), TicketSla::default());
    record.read = open_only(vec![open_cycle(Metric::FirstResponse, Some(10), 600)]);
    let mut record = save(&*store, record).await;
    record.read = ReadIndex {
        open: Vec::new(),
        completions: vec![completion(Metric::FirstResponse, 1, Outcome::Met)],
    };
    save(&*store, record.clone()).await;
    let all = query(QueueWindow::all(), QueueFilter::default(), 10);
    assert!(collect_queue(&*store, all).await.is_empty());
    let loaded = store.load(&key).await.expect("load").expect("exists");
    assert_eq!(loaded.read, record.read, "the projection round-trips");
    let done = store
        .query_completions("acme", now() - TimeDelta::hours(1))
        .await
        .expect("query_completions");
    assert_eq!(done.len(), 1);
}

/// A record saved without a projection (older formats) loads and is not listed.
pub async fn records_without_a_projection_are_not_listed<S: RawAccess + QueueStore>(store: Arc<S>) {
    save_index(&*store, "acme", "old", ReadIndex::default()).await;
    let loaded = store
        .load(&TicketKey::new("acme", "old"))
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.read, ReadIndex::default());
    let all = query(QueueWindow::all(), QueueFilter::default(), 10);
    assert!(collect_queue(&*store, all).await.is_empty());
    let since: DateTime<Utc> = now() - TimeDelta::days(30);
    assert!(store
        .query_completions("acme", since)
        .await
        .expect("completions")
        .is_empty());
}

/// Completions at or after an instant, of one tenant only.
pub async fn completions_since_an_instant<S: RawAccess + QueueStore>(store: Arc<S>) {
    let read = |completions| ReadIndex {
        open: Vec::new(),
        completions,
    };
    use Metric::{FirstResponse as Fr, Resolution as Res};
    save_index(
        &*store,
        "acme",
        "A",
        read(vec![
            completion(Fr, 600, Outcome::Met),
            completion(Res, 30, Outcome::Breached),
        ]),
    )
    .await;
    save_index(
        &*store,
        "acme",
        "B",
        read(vec![completion(Fr, 2000, Outcome::Met)]),
    )
    .await;
    save_index(
        &*store,
        "other",
        "C",
        read(vec![completion(Fr, 1, Outcome::Met)]),
    )
    .await;
    let since = |minutes: i64| now() - TimeDelta::minutes(minutes);
    let found = |list: Vec<crate::TicketCompletion>| {
        let mut ids: Vec<String> = list
            .iter()
            .map(|c| format!("{}/{}", c.ticket_id, c.completion.metric.as_str()))
            .collect();
        ids.sort();
        ids
    };
    let recent = store
        .query_completions("acme", since(60))
        .await
        .expect("completions");
    assert_eq!(found(recent), ["A/resolution"]);
    let day = store
        .query_completions("acme", since(1440))
        .await
        .expect("completions");
    assert_eq!(found(day), ["A/first_response", "A/resolution"]);
    let all = store
        .query_completions("acme", since(10_000))
        .await
        .expect("completions");
    assert_eq!(
        found(all),
        ["A/first_response", "A/resolution", "B/first_response"]
    );
}
