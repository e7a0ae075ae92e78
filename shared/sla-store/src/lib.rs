//! Ticket storage. CONTRACT SKELETON: the trait and record shape are fixed.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sla_core::{SlaEvent, TicketSla};

/// Identifies one ticket of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TicketKey {
    pub tenant: String,
    pub ticket_id: String,
}

/// An announcement recorded but not yet confirmed as published (transactional outbox).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub event: SlaEvent,
    /// While in the future, the publisher that claimed it is still sending it; others wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_until: Option<DateTime<Utc>>,
}

/// One stored ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    pub key: TicketKey,
    /// 0 for a ticket never stored; each save increments it.
    pub version: u64,
    pub sla: TicketSla,
    pub outbox: Vec<OutboxEntry>,
    /// The earliest instant the sweep must look at this ticket; `None` drops it from the due index.
    pub due_at: Option<DateTime<Utc>>,
    /// When the store may delete the record (closed tickets).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A due ticket found by `query_due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTicket {
    pub key: TicketKey,
    pub due_at: DateTime<Utc>,
}

/// One page of due tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuePage {
    pub tickets: Vec<DueTicket>,
    /// Pass back to fetch the next page; `None` when the shard is exhausted.
    pub cursor: Option<String>,
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stored version is not the one the caller read: reload and retry.
    #[error("version conflict on {tenant}/{ticket_id}: expected version {expected}")]
    Conflict {
        tenant: String,
        ticket_id: String,
        expected: u64,
    },
    #[error("stored record for {tenant}/{ticket_id} is corrupt: {reason}")]
    Corrupt {
        tenant: String,
        ticket_id: String,
        reason: String,
    },
    #[error("store backend failed: {0}")]
    Backend(String),
}

/// Load, conditionally save and query due tickets.
pub trait TicketStore: Send + Sync {
    fn load(&self, key: &TicketKey)
        -> impl Future<Output = Result<Option<TicketRecord>, StoreError>> + Send;
    /// Saves `record` if the stored version equals `record.version`; stores it as `version + 1`.
    fn save(&self, record: &TicketRecord) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Number of due-index shards.
    fn shards(&self) -> u32;
    /// Tickets in `shard` with `due_at <= now`, oldest first, a page at a time.
    fn query_due(
        &self,
        shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<DuePage, StoreError>> + Send;
}
