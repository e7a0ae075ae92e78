//! A store wrapper whose due index is eventually consistent, like a DynamoDB GSI: saves
//! reach the records at once but the index only when the test says so.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::cursor::DueCursor;
use crate::{
    shard_of, DeadLetterPage, DuePage, DueTicket, QueuePage, QueueQuery, QueueStore, StoreError,
    TicketCompletion, TicketKey, TicketRecord, TicketStore,
};

/// Wraps a store; `query_due` answers from an index view that lags behind saves. Until
/// [`catch_up`](Self::catch_up), a ticket newly due is missing (late) and a ticket whose
/// timer moved or was cleared still shows its old `due_at` (stale).
#[derive(Debug)]
pub struct LaggingIndex<S> {
    inner: S,
    state: Mutex<IndexState>,
}

#[derive(Debug, Default)]
struct IndexState {
    /// What the index shows: key -> due_at.
    view: BTreeMap<TicketKey, DateTime<Utc>>,
    /// Saved but not yet indexed, oldest first.
    pending: VecDeque<(TicketKey, Option<DateTime<Utc>>)>,
}

impl<S: TicketStore> LaggingIndex<S> {
    /// Wraps `inner`; its existing due entries are not in the view until saved again.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            state: Mutex::new(IndexState::default()),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Index updates saved but not yet visible.
    pub fn pending_updates(&self) -> usize {
        self.lock().pending.len()
    }

    /// Makes every saved update visible in the index.
    pub fn catch_up(&self) {
        self.catch_up_oldest(usize::MAX);
    }

    /// Makes the `count` oldest pending updates visible.
    pub fn catch_up_oldest(&self, count: usize) {
        let mut state = self.lock();
        for _ in 0..count {
            let Some((key, due)) = state.pending.pop_front() else {
                break;
            };
            match due {
                Some(at) => state.view.insert(key, at),
                None => state.view.remove(&key),
            };
        }
    }

    fn lock(&self) -> MutexGuard<'_, IndexState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn page(
        &self,
        shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<DueCursor>,
    ) -> DuePage {
        let shards = self.inner.shards();
        let state = self.lock();
        let mut due: Vec<(i64, String, DueTicket)> = state
            .view
            .iter()
            .filter(|(key, at)| **at <= now && shard_of(key, shards) == shard)
            .map(|(key, at)| {
                let ticket = DueTicket {
                    key: key.clone(),
                    due_at: *at,
                };
                (at.timestamp_millis(), key.partition_key(), ticket)
            })
            .filter(|(ms, pk, _)| cursor.as_ref().is_none_or(|c| c.is_before(*ms, pk)))
            .collect();
        due.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let limit = limit.max(1) as usize;
        let cursor = (due.len() > limit)
            .then(|| &due[limit - 1])
            .map(|(ms, pk, _)| {
                DueCursor {
                    due_at_ms: *ms,
                    pk: pk.clone(),
                }
                .encode()
            });
        let tickets = due.into_iter().take(limit).map(|(_, _, t)| t).collect();
        DuePage { tickets, cursor }
    }
}

impl<S: TicketStore> TicketStore for LaggingIndex<S> {
    async fn load(&self, key: &TicketKey) -> Result<Option<TicketRecord>, StoreError> {
        self.inner.load(key).await
    }

    async fn save(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        let version = self.inner.save(record).await?;
        self.lock()
            .pending
            .push_back((record.key.clone(), record.due_at));
        Ok(version)
    }

    fn shards(&self) -> u32 {
        self.inner.shards()
    }

    async fn query_due(
        &self,
        shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        Ok(self.page(shard, now, limit, cursor))
    }
    async fn query_dead_letters(
        &self,
        shard: u32,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DeadLetterPage, StoreError> {
        self.inner.query_dead_letters(shard, limit, cursor).await
    }

    async fn remember_delivery(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner
            .remember_delivery(tenant, digest, now, expires_at)
            .await
    }

    async fn delivery_seen(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.delivery_seen(tenant, digest, now).await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.purge_expired(now).await
    }

    async fn load_sweep_cursor(&self) -> Result<u32, StoreError> {
        self.inner.load_sweep_cursor().await
    }

    async fn save_sweep_cursor(&self, shard: u32) -> Result<(), StoreError> {
        self.inner.save_sweep_cursor(shard).await
    }
}

/// The read index is the inner store's (only the due index lags).
impl<S: QueueStore> QueueStore for LaggingIndex<S> {
    async fn query_queue(&self, query: &QueueQuery) -> Result<QueuePage, StoreError> {
        self.inner.query_queue(query).await
    }

    async fn query_completions(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<TicketCompletion>, StoreError> {
        self.inner.query_completions(tenant, since).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 9, minute, 0).unwrap()
    }

    async fn due_keys(
        store: &LaggingIndex<MemoryStore>,
        now: DateTime<Utc>,
    ) -> Vec<(String, DateTime<Utc>)> {
        let page = store.query_due(0, now, 100, None).await.unwrap();
        page.tickets
            .into_iter()
            .map(|t| (t.key.ticket_id, t.due_at))
            .collect()
    }

    #[tokio::test]
    async fn shows_new_entries_late_and_old_entries_stale() {
        let store = LaggingIndex::new(MemoryStore::new());
        let mut record = TicketRecord::new(TicketKey::new("acme", "1"), Default::default());
        record.due_at = Some(at(1));
        record.version = store.save(&record).await.unwrap();
        assert!(
            due_keys(&store, at(30)).await.is_empty(),
            "late: not indexed yet"
        );
        store.catch_up();
        assert_eq!(due_keys(&store, at(30)).await, vec![("1".into(), at(1))]);

        record.due_at = None;
        store.save(&record).await.unwrap();
        assert_eq!(
            due_keys(&store, at(30)).await,
            vec![("1".into(), at(1))],
            "stale"
        );
        assert_eq!(store.pending_updates(), 1);
        store.catch_up_oldest(1);
        assert!(due_keys(&store, at(30)).await.is_empty());
    }

    #[tokio::test]
    async fn pages_through_the_view() {
        let store = LaggingIndex::new(MemoryStore::new());
        for n in 0..5 {
            let mut record =
                TicketRecord::new(TicketKey::new("acme", n.to_string()), Default::default());
            record.due_at = Some(at(n));
            store.save(&record).await.unwrap();
        }
        store.catch_up();
        let first = store.query_due(0, at(59), 3, None).await.unwrap();
        let second = store
            .query_due(0, at(59), 3, first.cursor.clone())
            .await
            .unwrap();
        let ids: Vec<_> = first
            .tickets
            .iter()
            .chain(&second.tickets)
            .map(|t| t.key.ticket_id.clone())
            .collect();
        assert_eq!(ids, ["0", "1", "2", "3", "4"]);
        assert!(second.cursor.is_none());
    }
}
