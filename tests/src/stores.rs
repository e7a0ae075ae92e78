//! Store wrappers for tests: one that counts round trips (and can refuse saves as too
//! large, like a record over DynamoDB's item limit).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sla_store::{DeadLetterPage, DuePage, StoreError, TicketKey, TicketRecord, TicketStore};

/// Counts loads, saves and due queries made through it.
pub struct CountingStore<S> {
    inner: S,
    counts: Arc<Counts>,
}

/// The counters of a [`CountingStore`].
#[derive(Debug, Default)]
pub struct Counts {
    pub loads: AtomicU64,
    pub saves: AtomicU64,
    pub queries: AtomicU64,
    /// While set, every save fails with `StoreError::TooLarge`.
    pub too_large: std::sync::atomic::AtomicBool,
}

impl Counts {
    /// (loads, saves, queries) so far.
    pub fn get(&self) -> (u64, u64, u64) {
        (
            self.loads.load(Ordering::SeqCst),
            self.saves.load(Ordering::SeqCst),
            self.queries.load(Ordering::SeqCst),
        )
    }
}

impl<S> CountingStore<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> (Self, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        (
            Self {
                inner,
                counts: counts.clone(),
            },
            counts,
        )
    }
}

impl<S: TicketStore> TicketStore for CountingStore<S> {
    async fn load(&self, key: &TicketKey) -> Result<Option<TicketRecord>, StoreError> {
        self.counts.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(key).await
    }

    async fn save(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        self.counts.saves.fetch_add(1, Ordering::SeqCst);
        if self.counts.too_large.load(Ordering::SeqCst) {
            return Err(StoreError::TooLarge {
                tenant: record.key.tenant.clone(),
                ticket_id: record.key.ticket_id.clone(),
                bytes: sla_store::MAX_ITEM_BYTES + 1,
                limit: sla_store::MAX_ITEM_BYTES,
            });
        }
        self.inner.save(record).await
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
        self.counts.queries.fetch_add(1, Ordering::SeqCst);
        self.inner.query_due(shard, now, limit, cursor).await
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
