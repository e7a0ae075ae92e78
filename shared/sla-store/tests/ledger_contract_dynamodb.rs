//! The action ledger contract against DynamoDB on moto, in the ticket table (run via
//! `scripts/moto.sh run cargo test -p sla-store --test ledger_contract_dynamodb`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use sla_store::dynamodb::{attr, ACTION_INDEX};
use sla_store::ledger::dynamodb::attr as action;
use sla_store::testkit::contract::{now, sample_record};
use sla_store::testkit::moto;
use sla_store::{
    ActionKey, ActionLedger, ActionUpdate, DynamoLedger, NewAction, TicketKey, TicketStore,
    DEFAULT_SHARDS,
};

type Item = HashMap<String, AttributeValue>;

/// A ledger in a fresh ticket table, beside a store over the same table.
async fn ledger_and_store(shards: u32) -> (DynamoLedger, sla_store::DynamoStore) {
    let store = moto::fresh_store(moto::dynamodb_client(), shards).await;
    let ledger = DynamoLedger::new(store.client().clone(), store.table_name(), shards);
    (ledger, store)
}

async fn ledger(shards: u32) -> DynamoLedger {
    ledger_and_store(shards).await.0
}

sla_store::ledger_contract_tests!(ledger(DEFAULT_SHARDS));

mod one_shard {
    sla_store::ledger_contract_tests!(super::ledger(1));
}

/// The attributes of `key`'s action item.
async fn item_of(store: &sla_store::DynamoStore, key: &ActionKey) -> Item {
    let output = store
        .client()
        .query()
        .table_name(store.table_name())
        .index_name(sla_store::dynamodb::TICKET_ACTIONS_INDEX)
        .key_condition_expression("#t = :t")
        .expression_attribute_names("#t", action::TICKET)
        .expression_attribute_values(
            ":t",
            AttributeValue::S(format!(
                "{}:{}#{}:{}",
                key.tenant.len(),
                key.tenant,
                key.ticket_id.len(),
                key.ticket_id
            )),
        )
        .send()
        .await
        .expect("query");
    output.items()[0].clone()
}

/// Actions live beside the tickets under their own keys, leave `action-index` once done,
/// and never show in the ticket store's due or dead-letter queries.
#[tokio::test]
async fn actions_share_the_ticket_table_without_touching_tickets() {
    let (ledger, store) = ledger_and_store(1).await;
    let mut ticket = sample_record(&TicketKey::new("acme", "T-1"));
    ticket.due_at = Some(now());
    store.save(&ticket).await.expect("save ticket");
    let key = ActionKey::new("acme", "T-1", "ev1:0.0");
    let new = NewAction {
        key: key.clone(),
        payload: "{}".into(),
    };
    assert_eq!(ledger.enqueue(&[new], now()).await.expect("enqueue"), 1);
    let item = item_of(&store, &key).await;
    assert_eq!(
        item[attr::PK],
        AttributeValue::S("ACTION#4:acme#3:T-1#ev1:0.0".into())
    );
    assert_eq!(item[action::SLOT], AttributeValue::S("due#0".into()));
    let page = store.query_due(0, now(), 10, None).await.expect("due");
    let due: Vec<_> = page.tickets.iter().map(|t| t.key.clone()).collect();
    assert_eq!(due, [TicketKey::new("acme", "T-1")]);
    assert!(store
        .load(&TicketKey::new("acme", "T-1"))
        .await
        .expect("load")
        .is_some());
    ledger
        .claim(&key, now(), std::time::Duration::from_secs(5))
        .await
        .expect("claim");
    let done = ActionUpdate::Done { attempts: 1 };
    ledger.record(&key, &done, now()).await.expect("record");
    let item = item_of(&store, &key).await;
    for sparse in [action::SLOT, action::SORT, action::DUE] {
        assert!(!item.contains_key(sparse), "{sparse} left on a done action");
    }
    let retention = sla_store::DONE_RETENTION.as_secs() as i64;
    let expires = (now().timestamp() + retention).to_string();
    assert_eq!(
        item[attr::EXPIRES_AT],
        AttributeValue::N(expires),
        "a done action expires with the ticket retention (the table's TTL)"
    );
    let indexed = store
        .client()
        .query()
        .table_name(store.table_name())
        .index_name(ACTION_INDEX)
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", action::SLOT)
        .expression_attribute_values(":s", AttributeValue::S("due#0".into()))
        .send()
        .await
        .expect("query");
    assert_eq!(indexed.count(), 0);
}

/// Every ledger operation is a keyed write, a consistent read or an index Query: never a
/// Scan; a claim is one read and one write.
#[tokio::test]
async fn the_ledger_queries_its_indexes_and_never_scans() {
    let counter = moto::CallCounter::new();
    let store = moto::fresh_store(moto::counted_dynamodb_client(&counter), 2).await;
    let ledger = DynamoLedger::new(store.client().clone(), store.table_name(), 2);
    counter.reset();
    let key = ActionKey::new("acme", "T-1", "ev1:0.0");
    let new = NewAction {
        key: key.clone(),
        payload: "{}".into(),
    };
    ledger.enqueue(&[new], now()).await.expect("enqueue");
    ledger
        .claim(&key, now(), std::time::Duration::from_secs(5))
        .await
        .expect("claim");
    assert_eq!((counter.count("GetItem"), counter.count("PutItem")), (1, 2));
    let dead = ActionUpdate::Dead {
        attempts: 1,
        error: "403".into(),
    };
    ledger.record(&key, &dead, now()).await.expect("record");
    ledger.due(now(), 10).await.expect("due");
    ledger.dead(Some("acme"), 10).await.expect("dead");
    ledger.ticket_actions("acme", "T-1").await.expect("list");
    let calls = counter.snapshot();
    assert_eq!(
        calls.get("Query"),
        Some(&5),
        "2 shards twice, 1 ticket: {calls:?}"
    );
    let kinds: Vec<_> = calls.keys().map(String::as_str).collect();
    assert_eq!(kinds, ["GetItem", "PutItem", "Query", "UpdateItem"]);
}

/// `create_table` makes the ledger's two GSIs, each keyed by strings and projecting all.
#[tokio::test]
async fn the_table_has_the_ledger_indexes() {
    use aws_sdk_dynamodb::types::{KeyType, ProjectionType};
    use sla_store::dynamodb::TICKET_ACTIONS_INDEX;
    let store = moto::fresh_store(moto::dynamodb_client(), 1).await;
    let described = store
        .client()
        .describe_table()
        .table_name(store.table_name())
        .send()
        .await
        .expect("describe");
    let table = described.table().expect("table");
    for (name, hash, range) in [
        (ACTION_INDEX, action::SLOT, action::SORT),
        (TICKET_ACTIONS_INDEX, action::TICKET, action::SEQ),
    ] {
        let index = table
            .global_secondary_indexes()
            .iter()
            .find(|i| i.index_name() == Some(name))
            .expect("index exists");
        let keys: Vec<_> = index
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().clone()))
            .collect();
        assert_eq!(keys, [(hash, KeyType::Hash), (range, KeyType::Range)]);
        let projection = index.projection().and_then(|p| p.projection_type());
        assert_eq!(projection, Some(&ProjectionType::All), "{name}");
        let defined = table
            .attribute_definitions()
            .iter()
            .filter(|d| [hash, range].contains(&d.attribute_name()))
            .filter(|d| d.attribute_type().as_str() == "S")
            .count();
        assert_eq!(defined, 2, "{name}: string keys");
    }
}
