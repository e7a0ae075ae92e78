//! The DynamoDB table and item layout, and the round trips per operation, on moto
//! (run via `scripts/moto.sh run cargo test -p sla-store`).

use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, KeyType, ProjectionType, TimeToLiveStatus,
};
use chrono::TimeDelta;
use sla_core::sla_event::METRICS;
use sla_core::Metric;
use sla_store::dynamodb::{
    queue_index, slot_attributes, ACTION_INDEX, DEAD_LETTER_INDEX, DONE_INDEX, DUE_INDEX,
    TICKET_ACTIONS_INDEX,
};
use sla_store::testkit::contract::open_cycle;
use sla_store::testkit::contract::{now, sample_record};
use sla_store::testkit::moto::{self, CallCounter};
use sla_store::{shard_of, StoreError, TicketKey, TicketStore, DEFAULT_SHARDS};
use sla_store::{QueueFilter, QueueQuery, QueueStore, QueueWindow, ReadIndex};

fn keys(schema: &[aws_sdk_dynamodb::types::KeySchemaElement]) -> Vec<(String, KeyType)> {
    schema
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect()
}

/// The queue GSIs (one per metric slot) and the completion GSI, with their projections.
fn assert_read_indexes(indexes: &[aws_sdk_dynamodb::types::GlobalSecondaryIndexDescription]) {
    let find = |name: &str| {
        indexes
            .iter()
            .find(|i| i.index_name() == Some(name))
            .expect("index exists")
    };
    for metric in METRICS {
        let (pk, sk, row) = slot_attributes(metric);
        let index = find(&queue_index(metric));
        assert_eq!(
            keys(index.key_schema()),
            [(pk, KeyType::Hash), (sk, KeyType::Range)]
        );
        let projection = index.projection().expect("projection");
        assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
        assert_eq!(
            projection.non_key_attributes(),
            ["ticket_id".to_string(), row]
        );
    }
    let done = find(DONE_INDEX);
    assert_eq!(
        keys(done.key_schema()),
        [
            ("done_pk".to_owned(), KeyType::Hash),
            ("done_sk".to_owned(), KeyType::Range)
        ]
    );
}

#[tokio::test]
async fn table_has_the_fixed_layout() {
    let store = moto::fresh_store(moto::dynamodb_client(), DEFAULT_SHARDS).await;
    let client = store.client();
    let described = client
        .describe_table()
        .table_name(store.table_name())
        .send()
        .await
        .unwrap();
    let table = described.table().expect("table description");
    assert_eq!(keys(table.key_schema()), [("pk".to_owned(), KeyType::Hash)]);
    let billing = table.billing_mode_summary().and_then(|b| b.billing_mode());
    assert_eq!(billing, Some(&BillingMode::PayPerRequest));
    let mut indexes = table.global_secondary_indexes().to_vec();
    indexes.sort_by(|a, b| a.index_name().cmp(&b.index_name()));
    let names: Vec<&str> = indexes.iter().filter_map(|i| i.index_name()).collect();
    assert_eq!(
        names,
        [
            ACTION_INDEX,
            DEAD_LETTER_INDEX,
            DONE_INDEX,
            DUE_INDEX,
            "queue-0",
            "queue-1",
            "queue-2",
            "queue-3",
            "queue-4",
            TICKET_ACTIONS_INDEX,
        ]
    );
    assert_read_indexes(&indexes);
    let [dead, due] = [&indexes[1], &indexes[3]];
    for (index, name, shard, at) in [
        (due, DUE_INDEX, "due_shard", "due_at"),
        (dead, DEAD_LETTER_INDEX, "dead_shard", "dead_at"),
    ] {
        assert_eq!(index.index_name(), Some(name));
        assert_eq!(
            keys(index.key_schema()),
            [
                (shard.to_owned(), KeyType::Hash),
                (at.to_owned(), KeyType::Range)
            ]
        );
        let projection = index.projection().expect("projection");
        assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
        assert_eq!(projection.non_key_attributes(), ["tenant", "ticket_id"]);
    }
    let ttl = client
        .describe_time_to_live()
        .table_name(store.table_name())
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().expect("TTL description");
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn item_attributes_follow_the_layout() {
    let store = moto::fresh_store(moto::dynamodb_client(), DEFAULT_SHARDS).await;
    let key = TicketKey::new("acme", "42");
    let mut record = sample_record(&key);
    record.due_at = Some(now());
    store.save(&record).await.unwrap();
    let item = store
        .client()
        .get_item()
        .table_name(store.table_name())
        .key("pk", AttributeValue::S("TENANT#acme#TICKET#42".into()))
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
        .expect("item stored under the documented pk");
    let n = |v: String| AttributeValue::N(v);
    assert_eq!(item["tenant"], AttributeValue::S("acme".into()));
    assert_eq!(item["ticket_id"], AttributeValue::S("42".into()));
    assert_eq!(item["version"], n("1".into()));
    assert_eq!(item["due_at"], n(now().timestamp_millis().to_string()));
    assert_eq!(
        item["due_shard"],
        n(shard_of(&key, DEFAULT_SHARDS).to_string())
    );
    let sla = decoded(&item["sla"]);
    assert!(sla.contains("\"history\":"), "sla holds a TicketSla: {sla}");
    let outbox = decoded(&item["outbox"]);
    assert!(
        outbox.contains("pending-1"),
        "outbox holds the pending event: {outbox}"
    );
    assert!(
        !item.contains_key("expires_at"),
        "no TTL attribute without expires_at"
    );
    for sparse in ["dead_letters", "dead_at", "dead_shard"] {
        assert!(
            !item.contains_key(sparse),
            "no {sparse} without dead letters"
        );
    }
}

#[tokio::test]
async fn dead_letters_set_the_sparse_index_attributes() {
    use sla_store::testkit::contract::sample_dead_letter;
    let store = moto::fresh_store(moto::dynamodb_client(), DEFAULT_SHARDS).await;
    let key = TicketKey::new("acme", "43");
    let mut record = sample_record(&key);
    record.dead_letters = vec![sample_dead_letter(&key, "dead-1", 5)];
    store.save(&record).await.unwrap();
    let item = store
        .client()
        .get_item()
        .table_name(store.table_name())
        .key("pk", AttributeValue::S("TENANT#acme#TICKET#43".into()))
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
        .expect("item stored");
    let dead_at = (now() - TimeDelta::minutes(5))
        .timestamp_millis()
        .to_string();
    assert_eq!(item["dead_at"], AttributeValue::N(dead_at));
    assert_eq!(
        item["dead_shard"],
        AttributeValue::N(shard_of(&key, DEFAULT_SHARDS).to_string())
    );
    assert!(decoded(&item["dead_letters"]).contains("dead-1"));
}

/// A state attribute: binary, in the compact encoding; its JSON text.
fn decoded(attribute: &AttributeValue) -> String {
    let bytes = attribute.as_b().expect("state attributes are binary");
    assert_eq!(bytes.as_ref()[0], sla_store::compact::VERSION_DEFLATE_V1);
    sla_store::compact::to_json(bytes.as_ref())
        .expect("compact encoding")
        .to_string()
}

/// One request per load, per save (conflicting or not), per due page: no hidden reads and
/// no SDK retries of a failed condition.
#[tokio::test]
async fn round_trips_per_operation() {
    let counter = CallCounter::new();
    let store = moto::fresh_store(moto::counted_dynamodb_client(&counter), DEFAULT_SHARDS).await;
    let key = TicketKey::new("acme", "7");
    let mut record = sample_record(&key);
    record.due_at = Some(now() - TimeDelta::minutes(1));

    counter.reset();
    assert!(store.load(&key).await.unwrap().is_none());
    record.version = store.save(&record).await.unwrap();
    let first_webhook = counter.snapshot();
    println!("new ticket (load miss + create): {first_webhook:?}");
    assert_eq!(
        (
            counter.count("GetItem"),
            counter.count("PutItem"),
            counter.total()
        ),
        (1, 1, 2)
    );

    counter.reset();
    let loaded = store.load(&key).await.unwrap().unwrap();
    store.save(&loaded).await.unwrap();
    println!(
        "existing ticket (load + conditional save): {:?}",
        counter.snapshot()
    );
    assert_eq!(
        (
            counter.count("GetItem"),
            counter.count("PutItem"),
            counter.total()
        ),
        (1, 1, 2)
    );

    counter.reset();
    let conflict = store.save(&loaded).await.unwrap_err();
    assert!(
        matches!(conflict, StoreError::Conflict { .. }),
        "{conflict:?}"
    );
    println!("conflicting save: {:?}", counter.snapshot());
    assert_eq!(
        counter.total(),
        1,
        "a failed condition is not retried by the SDK"
    );

    counter.reset();
    let shard = shard_of(&key, DEFAULT_SHARDS);
    let page = store.query_due(shard, now(), 25, None).await.unwrap();
    assert_eq!(page.tickets.len(), 1);
    println!("due page: {:?}", counter.snapshot());
    assert_eq!(counter.count("Query"), 1);
}

/// The queue reads the queue GSIs with Query (one per metric slot without a metric
/// filter, one with), never a Scan; a save writes the slot attributes.
#[tokio::test]
async fn the_queue_queries_its_indexes_and_never_scans() {
    let counter = CallCounter::new();
    let store = moto::fresh_store(moto::counted_dynamodb_client(&counter), DEFAULT_SHARDS).await;
    for n in 0..4 {
        let mut record = sample_record(&TicketKey::new("acme", format!("T{n}")));
        record.read = ReadIndex {
            open: vec![
                open_cycle(Metric::FirstResponse, Some(10 * n), 600),
                open_cycle(Metric::Resolution, Some(100 * n), 6000),
            ],
            completions: Vec::new(),
        };
        store.save(&record).await.unwrap();
    }
    let item = store
        .client()
        .get_item()
        .table_name(store.table_name())
        .key("pk", AttributeValue::S("TENANT#acme#TICKET#T1".into()))
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
        .expect("item stored");
    assert_eq!(item["q1_pk"], AttributeValue::S("QUEUE#acme".into()));
    assert!(item["q1_sk"].as_s().unwrap().starts_with('D'));
    assert!(
        !item.contains_key("q0_pk"),
        "sparse: no acknowledgement cycle"
    );

    counter.reset();
    let query = |metric| QueueQuery {
        tenant: "acme".into(),
        window: QueueWindow::all(),
        filter: QueueFilter {
            metric,
            ..QueueFilter::default()
        },
        limit: 3,
    };
    let page = store.query_queue(&query(None)).await.unwrap();
    let rows: Vec<String> = page
        .items
        .iter()
        .map(|i| format!("{}/{}", i.ticket_id, i.cycle.metric.as_str()))
        .collect();
    assert_eq!(
        rows,
        ["T0/first_response", "T0/resolution", "T1/first_response"]
    );
    println!("queue page, no metric filter: {:?}", counter.snapshot());
    assert_eq!((counter.count("Query"), counter.count("Scan")), (5, 0));

    counter.reset();
    store
        .query_queue(&query(Some(Metric::Resolution)))
        .await
        .unwrap();
    assert_eq!(
        (
            counter.count("Query"),
            counter.count("Scan"),
            counter.total()
        ),
        (1, 0, 1)
    );

    counter.reset();
    store.query_completions("acme", now()).await.unwrap();
    assert_eq!((counter.count("Query"), counter.count("Scan")), (1, 0));
}
