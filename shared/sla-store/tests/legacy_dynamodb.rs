//! A record written before the compact encoding (string attributes of JSON text) still
//! loads from a saved DynamoDB item of that format, and saving it again writes binary
//! attributes in the compact encoding (on moto: `scripts/moto.sh run cargo test -p sla-store`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use sla_store::compact::VERSION_DEFLATE_V1;
use sla_store::testkit::moto;
use sla_store::{TicketRecord, TicketStore};

/// The record the saved item holds (ticket 1049 of the example week).
const RECORD: &str = include_str!("fixtures/legacy/record.json");
/// The item as the previous encoding stored it (DynamoDB JSON).
const ITEM: &str = include_str!("fixtures/legacy/dynamodb_item.json");

/// An item from DynamoDB JSON (`{"name": {"S": "..."} | {"N": "..."}}`).
fn item(text: &str) -> HashMap<String, AttributeValue> {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let object = value.as_object().unwrap();
    object
        .iter()
        .map(|(name, typed)| {
            let (kind, inner) = typed.as_object().unwrap().iter().next().unwrap();
            let inner = inner.as_str().unwrap().to_owned();
            let attribute = match kind.as_str() {
                "S" => AttributeValue::S(inner),
                "N" => AttributeValue::N(inner),
                other => panic!("unexpected attribute type {other}"),
            };
            (name.clone(), attribute)
        })
        .collect()
}

#[tokio::test]
async fn loads_an_item_of_the_json_format_and_saves_it_compact() {
    let store = moto::fresh_store(moto::dynamodb_client(), 1).await;
    store
        .client()
        .put_item()
        .table_name(store.table_name())
        .set_item(Some(item(ITEM)))
        .send()
        .await
        .unwrap();
    let expected: TicketRecord = serde_json::from_str(RECORD).unwrap();

    let loaded = store.load(&expected.key).await.unwrap().expect("stored");
    assert_eq!(loaded, expected);

    let version = store.save(&loaded).await.unwrap();
    let again = store.load(&expected.key).await.unwrap().expect("stored");
    assert_eq!(
        again,
        TicketRecord {
            version,
            ..expected
        }
    );
    let raw = store
        .client()
        .get_item()
        .table_name(store.table_name())
        .key("pk", AttributeValue::S(again.key.partition_key()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let raw = raw.item().unwrap();
    for name in ["sla", "outbox", "dead_letters"] {
        match &raw[name] {
            AttributeValue::B(blob) => assert_eq!(blob.as_ref()[0], VERSION_DEFLATE_V1, "{name}"),
            other => panic!("{name} is not binary: {other:?}"),
        }
    }
}
