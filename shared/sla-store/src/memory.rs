//! An in-memory store (for `sla replay` and tests) with the same semantics as the others:
//! records go through the same encoding, so what does not survive JSON fails here too.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::codec::StoredRow;
use crate::cursor::DueCursor;
use crate::{DuePage, DueTicket, StoreError, TicketKey, TicketRecord, TicketStore};

/// Records kept in a map keyed by partition key; one shard.
#[derive(Debug, Default)]
pub struct MemoryStore {
    rows: Mutex<BTreeMap<String, StoredRow>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
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

    #[cfg(feature = "testkit")]
    pub(crate) fn with_row<T>(
        &self,
        key: &TicketKey,
        f: impl FnOnce(Option<&mut StoredRow>) -> T,
    ) -> T {
        f(self.lock().get_mut(&key.partition_key()))
    }

    fn save_now(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        let new_version = record.version + 1;
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

    fn due_now(&self, now: DateTime<Utc>, limit: u32, cursor: Option<DueCursor>) -> DuePage {
        let now_ms = now.timestamp_millis();
        let rows = self.lock();
        let mut due: Vec<(i64, &String, &StoredRow)> = rows
            .iter()
            .filter_map(|(pk, row)| row.due_at_ms.map(|due| (due, pk, row)))
            .filter(|(due, pk, _)| {
                *due <= now_ms && cursor.as_ref().is_none_or(|c| c.is_before(*due, pk))
            })
            .collect();
        due.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        page_of(due, limit)
    }
}

/// The first `limit` of `sorted` due rows, with a cursor when more remain.
fn page_of(sorted: Vec<(i64, &String, &StoredRow)>, limit: u32) -> DuePage {
    let limit = limit.max(1) as usize;
    let more = sorted.len() > limit;
    let tickets: Vec<DueTicket> = sorted
        .iter()
        .take(limit)
        .filter_map(|(due, _, row)| {
            DateTime::from_timestamp_millis(*due).map(|due_at| DueTicket {
                key: row.key.clone(),
                due_at,
            })
        })
        .collect();
    let cursor = more
        .then(|| sorted.get(limit - 1))
        .flatten()
        .map(|(due, pk, _)| {
            DueCursor {
                due_at_ms: *due,
                pk: (*pk).clone(),
            }
            .encode()
        });
    DuePage { tickets, cursor }
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
        1
    }

    async fn query_due(
        &self,
        _shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        Ok(self.due_now(now, limit, cursor))
    }
}
