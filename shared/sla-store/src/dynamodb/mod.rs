//! The DynamoDB store: one item per ticket, conditional `PutItem` on the version read,
//! a sparse `due-index` GSI on (`due_shard`, `due_at`) for the sweep.

mod item;
mod table;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use crate::codec::StoredRow;
use crate::cursor::DueCursor;
use crate::{DuePage, DueTicket, StoreError, TicketKey, TicketRecord, TicketStore};
pub use item::attr;
use item::{from_item, number, to_item, Item, ItemReader};
pub use table::{create_table, DUE_INDEX};

/// A ticket store in one DynamoDB table (layout in the crate README section).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    shards: u32,
}

impl DynamoStore {
    /// A store over `table_name` whose due index is spread over `shards` shards (at least 1).
    pub fn new(client: Client, table_name: impl Into<String>, shards: u32) -> Self {
        Self {
            client,
            table: table_name.into(),
            shards: shards.max(1),
        }
    }

    /// The table this store reads and writes.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The SDK client (for tests and tools that inspect the table).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// A `Backend` error carrying the SDK's full error chain.
fn sdk_failure<E, R>(operation: &str, table: &str, err: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::Backend(format!(
        "DynamoDB {operation} on table {table}: {}",
        DisplayErrorContext(&err)
    ))
}

impl TicketStore for DynamoStore {
    async fn load(&self, key: &TicketKey) -> Result<Option<TicketRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, AttributeValue::S(key.partition_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_failure("GetItem", &self.table, e))?;
        output
            .item()
            .map(|item| from_item(key, item)?.decode())
            .transpose()
    }

    async fn save(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        let new_version = record.version + 1;
        let row = StoredRow::encode(record, new_version)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&row, self.shards)));
        // Attribute names go through placeholders so no reserved word can break the expression.
        let put = if record.version == 0 {
            put.condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", attr::PK)
        } else {
            put.condition_expression("#version = :expected")
                .expression_attribute_names("#version", attr::VERSION)
                .expression_attribute_values(":expected", number(record.version))
        };
        match put.send().await {
            Ok(_) => Ok(new_version),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::conflict(&record.key, record.version))
            }
            Err(err) => Err(sdk_failure("PutItem", &self.table, err)),
        }
    }

    fn shards(&self) -> u32 {
        self.shards
    }

    async fn query_due(
        &self,
        shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let start = cursor
            .as_deref()
            .map(DueCursor::decode)
            .transpose()?
            .map(|c| start_key(shard, c));
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(DUE_INDEX)
            .key_condition_expression("#shard = :shard AND #due <= :now")
            .expression_attribute_names("#shard", attr::DUE_SHARD)
            .expression_attribute_names("#due", attr::DUE_AT)
            .expression_attribute_values(":shard", number(shard))
            .expression_attribute_values(":now", number(now.timestamp_millis()))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_failure("Query due-index", &self.table, e))?;
        let tickets = output
            .items()
            .iter()
            .map(due_ticket)
            .collect::<Result<_, _>>()?;
        let cursor = output
            .last_evaluated_key()
            .map(cursor_of)
            .transpose()?
            .map(|c| c.encode());
        Ok(DuePage { tickets, cursor })
    }
}

/// The `ExclusiveStartKey` of the due index resuming after `cursor`.
fn start_key(shard: u32, cursor: DueCursor) -> Item {
    Item::from([
        (attr::PK.into(), AttributeValue::S(cursor.pk)),
        (attr::DUE_SHARD.into(), number(shard)),
        (attr::DUE_AT.into(), number(cursor.due_at_ms)),
    ])
}

fn cursor_of(last_key: &Item) -> Result<DueCursor, StoreError> {
    let unknown = TicketKey::new("?", "?");
    let read = ItemReader {
        key: &unknown,
        item: last_key,
    };
    Ok(DueCursor {
        pk: read.string(attr::PK)?,
        due_at_ms: read
            .number(attr::DUE_AT)?
            .ok_or_else(|| read.missing(attr::DUE_AT))?,
    })
}

fn due_ticket(item: &Item) -> Result<DueTicket, StoreError> {
    let pk = match item.get(attr::PK) {
        Some(AttributeValue::S(pk)) => pk.clone(),
        _ => "?".into(),
    };
    let placeholder = TicketKey::new("?", pk);
    let read = ItemReader {
        key: &placeholder,
        item,
    };
    let key = TicketKey::new(read.string(attr::TENANT)?, read.string(attr::TICKET_ID)?);
    let due_ms: i64 = read
        .number(attr::DUE_AT)?
        .ok_or_else(|| read.missing(attr::DUE_AT))?;
    let due_at = DateTime::from_timestamp_millis(due_ms).ok_or_else(|| {
        StoreError::corrupt(
            &key,
            format!("attribute `due_at` = {due_ms} is out of range"),
        )
    })?;
    Ok(DueTicket { key, due_at })
}
