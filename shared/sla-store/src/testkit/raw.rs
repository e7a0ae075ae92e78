//! Reading and damaging stored fields directly, below the `TicketStore` API.

use std::future::Future;

use crate::{MemoryStore, TicketKey, TicketStore};

/// Access to a store's raw fields, for contract cases that check the stored form.
pub trait RawAccess: TicketStore {
    /// The stored TTL attribute (`expires_at`, epoch seconds), if present.
    fn raw_expires_at(&self, key: &TicketKey) -> impl Future<Output = Option<i64>> + Send;
    /// Overwrites the stored `sla` field of an existing record with text that is not JSON.
    fn corrupt_sla(&self, key: &TicketKey) -> impl Future<Output = ()> + Send;
}

const NOT_JSON: &str = "{\"history\": [";

impl RawAccess for MemoryStore {
    async fn raw_expires_at(&self, key: &TicketKey) -> Option<i64> {
        self.with_row(key, |row| row.and_then(|r| r.expires_at_s))
    }

    async fn corrupt_sla(&self, key: &TicketKey) {
        self.with_row(key, |row| {
            row.expect("corrupt_sla: record must exist").sla = NOT_JSON.into()
        });
    }
}

#[cfg(feature = "sqlite")]
impl RawAccess for crate::SqliteStore {
    async fn raw_expires_at(&self, key: &TicketKey) -> Option<i64> {
        let pk = key.partition_key();
        self.with_conn(move |conn| {
            conn.query_row(
                "SELECT expires_at FROM tickets WHERE pk = ?1",
                [pk],
                |row| row.get(0),
            )
            .map_err(|e| crate::StoreError::Backend(e.to_string()))
        })
        .await
        .expect("raw_expires_at: reading the SQLite row")
    }

    async fn corrupt_sla(&self, key: &TicketKey) {
        let pk = key.partition_key();
        let changed = self
            .with_conn(move |conn| {
                conn.execute("UPDATE tickets SET sla = ?1 WHERE pk = ?2", [NOT_JSON, &pk])
                    .map_err(|e| crate::StoreError::Backend(e.to_string()))
            })
            .await
            .expect("corrupt_sla: updating the SQLite row");
        assert_eq!(changed, 1, "corrupt_sla: record must exist");
        // Damage below the store keeps the version, which the record cache trusts.
        self.forget_cached(key);
    }
}

#[cfg(feature = "dynamodb")]
impl RawAccess for crate::DynamoStore {
    async fn raw_expires_at(&self, key: &TicketKey) -> Option<i64> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let item = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .key("pk", AttributeValue::S(key.partition_key()))
            .consistent_read(true)
            .send()
            .await
            .expect("raw_expires_at: GetItem");
        match item.item().and_then(|i| i.get("expires_at")) {
            Some(AttributeValue::N(n)) => Some(n.parse().expect("expires_at is an integer")),
            Some(other) => panic!("expires_at has the wrong type: {other:?}"),
            None => None,
        }
    }

    async fn corrupt_sla(&self, key: &TicketKey) {
        use aws_sdk_dynamodb::types::AttributeValue;
        self.client()
            .update_item()
            .table_name(self.table_name())
            .key("pk", AttributeValue::S(key.partition_key()))
            .update_expression("SET sla = :bad")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":bad", AttributeValue::S(NOT_JSON.into()))
            .send()
            .await
            .expect("corrupt_sla: UpdateItem (record must exist)");
    }
}
