//! Store wrappers for tests: one that counts round trips.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sla_store::{DuePage, StoreError, TicketKey, TicketRecord, TicketStore};

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
}
