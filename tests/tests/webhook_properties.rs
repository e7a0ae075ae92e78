//! Property test (issue 10): the whole `WebhookService` on the memory store, fed arbitrary
//! signed canonical requests (extreme instants, huge strings, many tickets, big arrays),
//! never panics and always answers 2xx, 4xx or 5xx with a JSON object body.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};
use sla_app::{ManualClock, WebhookService};
use sla_store::MemoryStore;
use sla_tests::fixtures::{self, route, signed_request, t0, TENANT};
use std::sync::Arc;

/// An `at` value: ordinary, at the edges of the accepted range, far outside it (the
/// `+262142` year that crashed `sla serve`), or not a time at all.
fn instant() -> impl Strategy<Value = Value> {
    let seconds = prop_oneof![
        // Around the test clock.
        (-100_000_i64..100_000).prop_map(|d| t0().timestamp() + d),
        // Anywhere chrono can represent.
        (-8_210_266_876_800_i64..8_210_266_876_799),
        // Near the accepted range's ends (1900-01-01 and 2200-01-01).
        (-2_208_988_810_i64..-2_208_988_790),
        (7_258_118_390_i64..7_258_118_410),
    ];
    prop_oneof![
        4 => seconds.prop_map(|s| {
            let at = DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_else(t0);
            json!(at.to_rfc3339())
        }),
        1 => Just(json!("+262142-12-01T00:00:00Z")),
        1 => Just(json!("-262143-01-01T00:00:00Z")),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => ".{0,12}".prop_map(|s| json!(s)),
    ]
}

/// Short ids (so events meet on few tickets) or huge strings.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-c0-2]{1,3}",
        1 => "\\PC{200,300}",
        1 => (1_usize..70_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        4 => prop::collection::vec("[a-z]{1,8}", 0..5),
        1 => prop::collection::vec("[a-z]{1,8}", 95..130),
        1 => prop::collection::vec("\\PC{120,140}", 1..3),
    ]
}

fn event() -> impl Strategy<Value = Value> {
    let kind = prop::sample::select(vec!["created", "updated", "comment", "bogus"]);
    let status = prop::sample::select(vec![
        "new", "open", "pending", "on_hold", "solved", "closed",
    ]);
    let priority = prop::sample::select(vec!["low", "normal", "high", "urgent"]);
    let author = prop::sample::select(vec!["agent", "customer", "system"]);
    (
        (text(), text(), instant(), kind),
        (status, priority, tags(), prop::option::of(text())),
        (author, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (ticket, id, at, kind),
                (status, priority, tags, assignee),
                (author, public, with_comment),
            )| {
                let mut event = json!({
                    "tenant": TENANT,
                    "ticket_id": ticket,
                    "event_id": id,
                    "at": at,
                    "kind": kind,
                    "ticket": {"status": status, "priority": priority, "tags": tags},
                });
                if let Some(assignee) = assignee {
                    event["ticket"]["assignee"] = json!(assignee);
                }
                if with_comment {
                    event["comment"] = json!({"author": author, "public": public});
                }
                event
            },
        )
}

/// One request body: an event, or an array of up to 1,100 events (the cap is 1,000).
fn body() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => event(),
        3 => prop::collection::vec(event(), 0..20).prop_map(Value::from),
        1 => (990_usize..1_100, "[a-c]{1,2}").prop_map(|(n, ticket)| {
            let events = (0..n)
                .map(|i| fixtures::event(&ticket, &format!("e{i}"), t0(), "updated"))
                .collect::<Vec<_>>();
            Value::from(events)
        }),
    ]
}

fn check_every_answer(bodies: Vec<Value>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let clock = Arc::new(ManualClock::new(t0()));
        let service = WebhookService::new(MemoryStore::new(), fixtures::tenants(), clock);
        for body in bodies {
            let reply = service
                .handle(&route(false), &signed_request(&body, t0()))
                .await;
            let class = reply.status / 100;
            assert!(
                matches!(class, 2 | 4 | 5),
                "status {} for {body:.200}",
                reply.status
            );
            assert!(
                reply.body.is_object(),
                "body {} is not a JSON object",
                reply.body
            );
            if class != 2 {
                assert!(reply.body["error"].is_string(), "{}", reply.body);
            }
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_canonical_requests_never_panic_and_always_answer_json(
        bodies in prop::collection::vec(body(), 1..8)
    ) {
        check_every_answer(bodies);
    }
}

/// The request of issue 10 that aborted `sla serve`: now a 422 naming `at`, nothing stored.
#[test]
fn the_year_262142_event_is_refused_and_nothing_is_stored() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let clock = Arc::new(ManualClock::new(t0()));
        let service = WebhookService::new(MemoryStore::new(), fixtures::tenants(), clock);
        let mut body = fixtures::event("T-1", "e-1", t0(), "created");
        body["at"] = json!("+262142-12-01T00:00:00Z");
        let reply = service
            .handle(&route(true), &signed_request(&body, t0()))
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert!(
            reply.body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("at"),
            "{}",
            reply.body
        );
        assert!(service.store().is_empty());
    });
}
