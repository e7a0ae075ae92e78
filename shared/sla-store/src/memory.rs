//! An in-memory store (for `sla replay` and tests) with the same semantics as the others:
//! records go through the same encoding, so what does not survive JSON fails here too.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::codec::StoredRow;
use crate::cursor::DueCursor;
use crate::queue::{completions_of, decode_read, rows_of};
use crate::{
    delivery_key, shard_of, DeadLetterPage, DuePage, DueTicket, QueueItem, QueuePage, QueueQuery,
    QueueStore, ReadIndex, StoreError, TicketCompletion, TicketKey, TicketRecord, TicketStore,
};

/// Records kept in a map keyed by partition key; one shard unless built with
/// [`MemoryStore::with_shards`].
#[derive(Debug)]
pub struct MemoryStore {
    rows: Mutex<BTreeMap<String, StoredRow>>,
    /// Remembered delivery digests and when each memory expires (epoch seconds).
    deliveries: Mutex<BTreeMap<String, i64>>,
    shards: u32,
    sweep_cursor: AtomicU32,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_shards(1)
    }
}

/// Due or dead-letter rows of one shard, `(index key ms, pk, row)`, sorted.
type IndexRows<'a> = Vec<(i64, &'a String, &'a StoredRow)>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose due index is spread over `shards` shards (at least 1), like
    /// DynamoDB's: for tests of sweep fairness.
    pub fn with_shards(shards: u32) -> Self {
        Self {
            rows: Mutex::default(),
            deliveries: Mutex::default(),
            shards: shards.max(1),
            sweep_cursor: AtomicU32::new(0),
        }
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no record is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StoredRow>> {
        // A panic while holding the lock cannot leave a half-written row: rows are replaced whole.
        self.rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_deliveries(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, i64>> {
        self.deliveries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(feature = "testkit")]
    pub(crate) fn with_row<T>(
        &self,
        key: &TicketKey,
        f: impl FnOnce(Option<&mut StoredRow>) -> T,
    ) -> T {
        f(self.lock().get_mut(&key.partition_key()))
    }

    fn save_now(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        let new_version = record.version.saturating_add(1);
        let row = StoredRow::encode(record, new_version)?;
        let mut rows = self.lock();
        let stored_version = rows.get(&record.key.partition_key()).map(|r| r.version);
        let expected = (record.version > 0).then_some(record.version);
        if stored_version != expected {
            return Err(StoreError::conflict(&record.key, record.version));
        }
        rows.insert(record.key.partition_key(), row);
        Ok(new_version)
    }

    /// Rows of `shard` whose `index` key is at most `upto` and after `cursor`, sorted.
    fn indexed<'a>(
        &self,
        rows: &'a BTreeMap<String, StoredRow>,
        shard: u32,
        index: fn(&StoredRow) -> Option<i64>,
        upto: i64,
        cursor: Option<&DueCursor>,
    ) -> IndexRows<'a> {
        let mut found: IndexRows<'a> = rows
            .iter()
            .filter(|(_, row)| shard_of(&row.key, self.shards) == shard)
            .filter_map(|(pk, row)| index(row).map(|at| (at, pk, row)))
            .filter(|(at, pk, _)| *at <= upto && cursor.is_none_or(|c| c.is_before(*at, pk)))
            .collect();
        found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        found
    }
}

/// The first `limit` of `sorted` rows, and a cursor when more remain.
fn page_of(sorted: IndexRows<'_>, limit: u32) -> (IndexRows<'_>, Option<String>) {
    let limit = limit.max(1) as usize;
    let cursor = (sorted.len() > limit)
        .then(|| sorted.get(limit - 1))
        .flatten()
        .map(|(at, pk, _)| {
            DueCursor {
                due_at_ms: *at,
                pk: (*pk).clone(),
            }
            .encode()
        });
    (sorted.into_iter().take(limit).collect(), cursor)
}

impl TicketStore for MemoryStore {
    async fn load(&self, key: &TicketKey) -> Result<Option<TicketRecord>, StoreError> {
        let row = self.lock().get(&key.partition_key()).cloned();
        row.map(StoredRow::decode).transpose()
    }

    async fn save(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        self.save_now(record)
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
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        let rows = self.lock();
        let due = self.indexed(
            &rows,
            shard,
            |r| r.due_at_ms,
            now.timestamp_millis(),
            cursor.as_ref(),
        );
        let (page, cursor) = page_of(due, limit);
        let tickets = page
            .into_iter()
            .filter_map(|(due, _, row)| {
                DateTime::from_timestamp_millis(due).map(|due_at| DueTicket {
                    key: row.key.clone(),
                    due_at,
                })
            })
            .collect();
        Ok(DuePage { tickets, cursor })
    }

    async fn query_dead_letters(
        &self,
        shard: u32,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DeadLetterPage, StoreError> {
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        let rows = self.lock();
        let dead = self.indexed(&rows, shard, |r| r.dead_at_ms, i64::MAX, cursor.as_ref());
        let (page, cursor) = page_of(dead, limit);
        let tickets = page
            .into_iter()
            .map(|(_, _, row)| row.key.clone())
            .collect();
        Ok(DeadLetterPage { tickets, cursor })
    }

    async fn remember_delivery(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut deliveries = self.lock_deliveries();
        let key = delivery_key(tenant, digest);
        if deliveries
            .get(&key)
            .is_some_and(|until| *until > now.timestamp())
        {
            return Ok(false);
        }
        deliveries.insert(key, crate::codec::ceil_seconds(expires_at));
        Ok(true)
    }

    async fn delivery_seen(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let deliveries = self.lock_deliveries();
        Ok(deliveries
            .get(&delivery_key(tenant, digest))
            .is_some_and(|until| *until > now.timestamp()))
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now_s = now.timestamp();
        self.lock_deliveries().retain(|_, until| *until > now_s);
        let mut rows = self.lock();
        let before = rows.len();
        rows.retain(|_, row| row.expires_at_s.is_none_or(|at| at > now_s));
        Ok((before - rows.len()) as u64)
    }

    async fn load_sweep_cursor(&self) -> Result<u32, StoreError> {
        Ok(self.sweep_cursor.load(Ordering::Relaxed))
    }

    async fn save_sweep_cursor(&self, shard: u32) -> Result<(), StoreError> {
        self.sweep_cursor.store(shard, Ordering::Relaxed);
        Ok(())
    }
}

impl MemoryStore {
    /// Each stored read index of `tenant`, with its ticket id.
    fn read_indexes(&self, tenant: &str) -> Result<Vec<(String, ReadIndex)>, StoreError> {
        let rows = self.lock();
        rows.values()
            .filter(|row| row.key.tenant == tenant)
            .map(|row| {
                let index = decode_read(&row.key, row.read.as_deref())?;
                Ok((row.key.ticket_id.clone(), index))
            })
            .collect()
    }
}

impl QueueStore for MemoryStore {
    async fn query_queue(&self, query: &QueueQuery) -> Result<QueuePage, StoreError> {
        let mut rows: Vec<(String, QueueItem)> = self
            .read_indexes(&query.tenant)?
            .iter()
            .flat_map(|(ticket, index)| rows_of(ticket, index, query))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(QueuePage::of(rows, query.limit))
    }

    async fn query_completions(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<TicketCompletion>, StoreError> {
        Ok(self
            .read_indexes(tenant)?
            .iter()
            .flat_map(|(ticket, index)| completions_of(ticket, index, since))
            .collect())
    }
}
