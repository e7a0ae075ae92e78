//! The DynamoDB store: one item per ticket, conditional `PutItem` on the version read,
//! a sparse `due-index` GSI on (`due_shard`, `due_at`) for the sweep.

mod item;
mod queue;
mod table;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use crate::codec::{ceil_seconds, StoredRow};
use crate::cursor::DueCursor;
use crate::{
    delivery_key, DeadLetterPage, DuePage, DueTicket, StoreError, TicketKey, TicketRecord,
    TicketStore,
};
pub use item::attr;
use item::{from_item, to_item};
pub(crate) use item::{number, Item, ItemReader};
pub use queue::{queue_index, slot_attributes, DONE_INDEX};
pub use table::{create_table, ACTION_INDEX, DEAD_LETTER_INDEX, DUE_INDEX, TICKET_ACTIONS_INDEX};

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
pub(crate) fn sdk_failure<E, R>(operation: &str, table: &str, err: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::Backend(format!(
        "DynamoDB {operation} on table {table}: {}",
        DisplayErrorContext(&err)
    ))
}

/// Sends a conditional `PutItem` (`operation` names it in errors): true when written,
/// false when its condition failed.
pub(crate) async fn put_if(
    put: aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
    operation: &str,
    table: &str,
) -> Result<bool, StoreError> {
    match put.send().await {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(sdk_failure(operation, table, err)),
    }
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
        let new_version = record.version.saturating_add(1);
        let row = StoredRow::encode(record, new_version)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.item_of(record, &row)?));
        // Attribute names go through placeholders so no reserved word can break the expression.
        let put = if record.version == 0 {
            put.condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", attr::PK)
        } else {
            put.condition_expression("#version = :expected")
                .expression_attribute_names("#version", attr::VERSION)
                .expression_attribute_values(":expected", number(record.version))
        };
        if put_if(put, "PutItem", &self.table).await? {
            Ok(new_version)
        } else {
            Err(StoreError::conflict(&record.key, record.version))
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
        let index = SparseIndex::DUE;
        let (items, cursor) = self
            .query_index(&index, shard, Some(now.timestamp_millis()), limit, cursor)
            .await?;
        let tickets = items.iter().map(due_ticket).collect::<Result<_, _>>()?;
        Ok(DuePage { tickets, cursor })
    }

    async fn query_dead_letters(
        &self,
        shard: u32,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DeadLetterPage, StoreError> {
        let index = SparseIndex::DEAD_LETTERS;
        let (items, cursor) = self.query_index(&index, shard, None, limit, cursor).await?;
        let tickets = items.iter().map(indexed_key).collect::<Result<_, _>>()?;
        Ok(DeadLetterPage { tickets, cursor })
    }

    async fn remember_delivery(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(attr::PK, AttributeValue::S(delivery_key(tenant, digest)))
            .item(attr::EXPIRES_AT, number(ceil_seconds(expires_at)))
            .condition_expression("attribute_not_exists(#pk) OR #expires <= :now")
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_names("#expires", attr::EXPIRES_AT)
            .expression_attribute_values(":now", number(now.timestamp()));
        put_if(put, "PutItem delivery", &self.table).await
    }

    async fn delivery_seen(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let key = TicketKey::new(tenant, digest);
        let item = self
            .get(delivery_key(tenant, digest), "GetItem delivery")
            .await?;
        let until: Option<i64> = match &item {
            Some(item) => ItemReader { key: &key, item }.number(attr::EXPIRES_AT)?,
            None => None,
        };
        // TTL deletes lazily: an item past its expiry is as good as gone.
        Ok(until.is_some_and(|until| until > now.timestamp()))
    }

    async fn purge_expired(&self, _now: DateTime<Utc>) -> Result<u64, StoreError> {
        // The table's TTL on `expires_at` deletes expired records and deliveries.
        Ok(0)
    }

    async fn load_sweep_cursor(&self) -> Result<u32, StoreError> {
        let key = TicketKey::new("?", SWEEP_CURSOR_PK);
        let item = self
            .get(SWEEP_CURSOR_PK.into(), "GetItem sweep cursor")
            .await?;
        Ok(match &item {
            Some(item) => ItemReader { key: &key, item }
                .number(attr::NEXT_SHARD)?
                .unwrap_or(0),
            None => 0,
        })
    }

    async fn save_sweep_cursor(&self, shard: u32) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(attr::PK, AttributeValue::S(SWEEP_CURSOR_PK.into()))
            .item(attr::NEXT_SHARD, number(shard))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_failure("PutItem sweep cursor", &self.table, e))
    }
}

/// Partition key of the item holding the shard the next sweep starts at.
pub const SWEEP_CURSOR_PK: &str = "SWEEP#cursor";

/// A sparse GSI keyed by (shard, instant in ms).
struct SparseIndex {
    name: &'static str,
    shard: &'static str,
    at: &'static str,
}

impl SparseIndex {
    const DUE: Self = Self {
        name: DUE_INDEX,
        shard: attr::DUE_SHARD,
        at: attr::DUE_AT,
    };
    const DEAD_LETTERS: Self = Self {
        name: DEAD_LETTER_INDEX,
        shard: attr::DEAD_SHARD,
        at: attr::DEAD_AT,
    };
}

impl DynamoStore {
    /// The item saved for `record` encoded as `row`, with its read index attributes.
    fn item_of(&self, record: &TicketRecord, row: &StoredRow) -> Result<Item, StoreError> {
        let mut item = to_item(row, self.shards);
        item.extend(queue::index_attributes(&record.key, &record.read)?);
        Ok(item)
    }

    /// A consistent `GetItem` of `pk`.
    async fn get(&self, pk: String, operation: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, AttributeValue::S(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_failure(operation, &self.table, e))?;
        Ok(output.item().cloned())
    }

    /// One page of `index` in `shard`, oldest first, up to `upto` ms when given.
    async fn query_index(
        &self,
        index: &SparseIndex,
        shard: u32,
        upto: Option<i64>,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let start = cursor
            .as_deref()
            .map(DueCursor::decode)
            .transpose()?
            .map(|c| start_key(index, shard, c));
        let condition = match upto {
            Some(_) => "#shard = :shard AND #at <= :upto",
            None => "#shard = :shard",
        };
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression(condition)
            .expression_attribute_names("#shard", index.shard)
            .expression_attribute_values(":shard", number(shard))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        let query = match upto {
            Some(upto) => query
                .expression_attribute_names("#at", index.at)
                .expression_attribute_values(":upto", number(upto)),
            None => query,
        };
        let output = query
            .send()
            .await
            .map_err(|e| sdk_failure(&format!("Query {}", index.name), &self.table, e))?;
        let cursor = output
            .last_evaluated_key()
            .map(|last| cursor_of(index, last))
            .transpose()?
            .map(|c| c.encode());
        Ok((output.items().to_vec(), cursor))
    }
}

/// The `ExclusiveStartKey` of `index` resuming after `cursor`.
fn start_key(index: &SparseIndex, shard: u32, cursor: DueCursor) -> Item {
    Item::from([
        (attr::PK.into(), AttributeValue::S(cursor.pk)),
        (index.shard.into(), number(shard)),
        (index.at.into(), number(cursor.due_at_ms)),
    ])
}

fn cursor_of(index: &SparseIndex, last_key: &Item) -> Result<DueCursor, StoreError> {
    let unknown = TicketKey::new("?", "?");
    let read = ItemReader {
        key: &unknown,
        item: last_key,
    };
    Ok(DueCursor {
        pk: read.string(attr::PK)?,
        due_at_ms: read
            .number(index.at)?
            .ok_or_else(|| read.missing(index.at))?,
    })
}

/// The ticket key an index item belongs to.
fn indexed_key(item: &Item) -> Result<TicketKey, StoreError> {
    let placeholder = match item.get(attr::PK) {
        Some(AttributeValue::S(pk)) => TicketKey::new("?", pk.clone()),
        _ => TicketKey::new("?", "?"),
    };
    let read = ItemReader {
        key: &placeholder,
        item,
    };
    Ok(TicketKey::new(
        read.string(attr::TENANT)?,
        read.string(attr::TICKET_ID)?,
    ))
}

fn due_ticket(item: &Item) -> Result<DueTicket, StoreError> {
    let key = indexed_key(item)?;
    let read = ItemReader { key: &key, item };
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
