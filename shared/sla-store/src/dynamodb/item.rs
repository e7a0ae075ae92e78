//! Converting a stored row to and from a DynamoDB item.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec::StoredRow;
use crate::{shard_of, StoreError, TicketKey};

/// Attribute names of the table layout.
pub mod attr {
    /// Partition key (`TENANT#{tenant}#TICKET#{id}`).
    pub const PK: &str = "pk";
    /// The tenant.
    pub const TENANT: &str = "tenant";
    /// The ticket's id.
    pub const TICKET_ID: &str = "ticket_id";
    /// The record's version (conditional writes).
    pub const VERSION: &str = "version";
    /// The encoded SLA state.
    pub const SLA: &str = "sla";
    /// The encoded outbox.
    pub const OUTBOX: &str = "outbox";
    /// When the sweep must look at the ticket (ms; due index sort key).
    pub const DUE_AT: &str = "due_at";
    /// The due index's partition key.
    pub const DUE_SHARD: &str = "due_shard";
    /// DynamoDB TTL attribute (epoch seconds).
    pub const EXPIRES_AT: &str = "expires_at";
    /// The encoded dead letters.
    pub const DEAD_LETTERS: &str = "dead_letters";
    /// Dead-letter index sort key (ms), on records holding dead letters.
    pub const DEAD_AT: &str = "dead_at";
    /// The dead-letter index's partition key.
    pub const DEAD_SHARD: &str = "dead_shard";
    /// The sweep cursor item's shard.
    pub const NEXT_SHARD: &str = "next_shard";
    /// The encoded read index (open cycles, recent completions).
    pub const READ: &str = "read";
    /// The completion index's partition key (`DONE#<tenant>`).
    pub const DONE_PK: &str = "done_pk";
    /// The completion index's sort key (`<last completion ms>#<ticket>`).
    pub const DONE_SK: &str = "done_sk";
}

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The item for `row`; `due_at`/`due_shard` only while a timer is pending (sparse index).
pub(crate) fn to_item(row: &StoredRow, shards: u32) -> Item {
    let mut item = Item::from([
        (attr::PK.into(), AttributeValue::S(row.key.partition_key())),
        (
            attr::TENANT.into(),
            AttributeValue::S(row.key.tenant.clone()),
        ),
        (
            attr::TICKET_ID.into(),
            AttributeValue::S(row.key.ticket_id.clone()),
        ),
        (attr::VERSION.into(), number(row.version)),
        (attr::SLA.into(), binary(&row.sla)),
        (attr::OUTBOX.into(), binary(&row.outbox)),
    ]);
    if let Some(due) = row.due_at_ms {
        item.insert(attr::DUE_AT.into(), number(due));
        item.insert(attr::DUE_SHARD.into(), number(shard_of(&row.key, shards)));
    }
    if let Some(expires) = row.expires_at_s {
        item.insert(attr::EXPIRES_AT.into(), number(expires));
    }
    if let Some(dead) = &row.dead_letters {
        item.insert(attr::DEAD_LETTERS.into(), binary(dead));
    }
    if let Some(dead_at) = row.dead_at_ms {
        item.insert(attr::DEAD_AT.into(), number(dead_at));
        item.insert(attr::DEAD_SHARD.into(), number(shard_of(&row.key, shards)));
    }
    if let Some(read) = &row.read {
        item.insert(attr::READ.into(), AttributeValue::S(read.clone()));
    }
    item
}

/// The stored row of `key` read from `item`, naming the first malformed attribute.
pub(crate) fn from_item(key: &TicketKey, item: &Item) -> Result<StoredRow, StoreError> {
    let read = ItemReader { key, item };
    Ok(StoredRow {
        key: key.clone(),
        version: read
            .number(attr::VERSION)?
            .ok_or_else(|| read.missing(attr::VERSION))?,
        sla: read.bytes(attr::SLA)?,
        outbox: read.bytes(attr::OUTBOX)?,
        due_at_ms: read.number(attr::DUE_AT)?,
        expires_at_s: read.number(attr::EXPIRES_AT)?,
        dead_letters: read.optional_bytes(attr::DEAD_LETTERS)?,
        dead_at_ms: read.number(attr::DEAD_AT)?,
        read: read.optional_string(attr::READ)?,
    })
}

/// A DynamoDB binary attribute (the compact-encoded state fields).
fn binary(bytes: &[u8]) -> AttributeValue {
    AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(bytes))
}

/// A DynamoDB number attribute.
pub(crate) fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Reads typed attributes of one item, reporting `Corrupt` with the attribute name.
pub(crate) struct ItemReader<'a> {
    pub key: &'a TicketKey,
    pub item: &'a Item,
}

impl ItemReader<'_> {
    pub fn string(&self, name: &str) -> Result<String, StoreError> {
        match self.item.get(name) {
            Some(AttributeValue::S(text)) => Ok(text.clone()),
            Some(_) => Err(StoreError::corrupt(
                self.key,
                format!("attribute `{name}` is not a string"),
            )),
            None => Err(self.missing(name)),
        }
    }

    /// A state field: binary (compact encoding) or a string (JSON of older items).
    pub fn bytes(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        match self.item.get(name) {
            Some(AttributeValue::B(blob)) => Ok(blob.as_ref().to_vec()),
            Some(AttributeValue::S(text)) => Ok(text.as_bytes().to_vec()),
            Some(_) => Err(StoreError::corrupt(
                self.key,
                format!("attribute `{name}` is neither binary nor a string"),
            )),
            None => Err(self.missing(name)),
        }
    }

    /// Same as [`ItemReader::bytes`], for an attribute that may be absent.
    pub fn optional_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.item.get(name) {
            None => Ok(None),
            Some(_) => self.bytes(name).map(Some),
        }
    }

    pub fn optional_string(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self.item.get(name) {
            None => Ok(None),
            Some(_) => self.string(name).map(Some),
        }
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        match self.item.get(name) {
            Some(AttributeValue::N(text)) => text.parse().map(Some).map_err(|e| {
                StoreError::corrupt(
                    self.key,
                    format!("attribute `{name}` = {text:?} is not a valid number: {e}"),
                )
            }),
            Some(_) => Err(StoreError::corrupt(
                self.key,
                format!("attribute `{name}` is not a number"),
            )),
            None => Ok(None),
        }
    }

    pub fn missing(&self, name: &str) -> StoreError {
        StoreError::corrupt(self.key, format!("attribute `{name}` is missing"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TicketRecord;

    fn row(due: Option<i64>) -> StoredRow {
        let mut record = TicketRecord::new(TicketKey::new("acme", "7"), Default::default());
        record.due_at = due.and_then(chrono::DateTime::from_timestamp_millis);
        StoredRow::encode(&record, 2).unwrap()
    }

    #[test]
    fn due_attributes_only_while_due() {
        let idle = to_item(&row(None), 16);
        assert!(!idle.contains_key(attr::DUE_AT) && !idle.contains_key(attr::DUE_SHARD));
        let due = to_item(&row(Some(1_700_000_000_123)), 16);
        assert_eq!(due[attr::DUE_AT], AttributeValue::N("1700000000123".into()));
        let shard = shard_of(&TicketKey::new("acme", "7"), 16).to_string();
        assert_eq!(due[attr::DUE_SHARD], AttributeValue::N(shard));
        assert_eq!(
            due[attr::PK],
            AttributeValue::S("TENANT#acme#TICKET#7".into())
        );
    }

    #[test]
    fn round_trips_and_names_bad_attributes() {
        let original = row(Some(5));
        let key = original.key.clone();
        let mut item = to_item(&original, 4);
        assert_eq!(from_item(&key, &item).unwrap(), original);
        item.insert(attr::VERSION.into(), AttributeValue::S("1".into()));
        let err = from_item(&key, &item).unwrap_err().to_string();
        assert!(err.contains("attribute `version` is not a number"), "{err}");
        item.remove(attr::SLA);
        item.insert(attr::VERSION.into(), number(1));
        let err = from_item(&key, &item).unwrap_err().to_string();
        assert!(err.contains("attribute `sla` is missing"), "{err}");
    }
}
