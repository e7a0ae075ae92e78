//! Ticket storage: load a ticket record, save it conditionally on the version read, and
//! find tickets whose timer is due. Implementations: [`MemoryStore`], [`SqliteStore`]
//! (feature `sqlite`) and [`DynamoStore`] (feature `dynamodb`); `testkit` (feature
//! `testkit`, for tests only) holds the contract suite every implementation passes and
//! the test doubles built on it.

use std::future::Future;

mod codec;
mod cursor;
mod memory;
mod shard;
#[cfg(feature = "testkit")]
pub mod testkit;

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use codec::MAX_ITEM_BYTES;
#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoStore;
pub use memory::MemoryStore;
pub use shard::{shard_of, DEFAULT_SHARDS};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sla_core::{SlaEvent, TicketSla};

/// Identifies one ticket of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TicketKey {
    pub tenant: String,
    pub ticket_id: String,
}

impl TicketKey {
    /// Builds a key from its parts.
    pub fn new(tenant: impl Into<String>, ticket_id: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            ticket_id: ticket_id.into(),
        }
    }

    /// The DynamoDB partition key (and SQLite primary key): `TENANT#<tenant>#TICKET#<id>`.
    pub fn partition_key(&self) -> String {
        format!("TENANT#{}#TICKET#{}", self.tenant, self.ticket_id)
    }
}

impl std::fmt::Display for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.tenant, self.ticket_id)
    }
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

impl TicketRecord {
    /// A ticket never stored: version 0, empty outbox, no timer, no expiry.
    pub fn new(key: TicketKey, sla: TicketSla) -> Self {
        Self {
            key,
            version: 0,
            sla,
            outbox: Vec::new(),
            due_at: None,
            expires_at: None,
        }
    }
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
    /// The encoded record would exceed [`MAX_ITEM_BYTES`] (DynamoDB's item limit); the
    /// engine must compact the history before saving.
    #[error("record for {tenant}/{ticket_id} is {bytes} bytes encoded, over the {limit}-byte item limit")]
    TooLarge {
        tenant: String,
        ticket_id: String,
        bytes: usize,
        limit: usize,
    },
    #[error("store backend failed: {0}")]
    Backend(String),
}

impl StoreError {
    /// A `Conflict` for `key` when the caller expected `expected`.
    pub fn conflict(key: &TicketKey, expected: u64) -> Self {
        Self::Conflict {
            tenant: key.tenant.clone(),
            ticket_id: key.ticket_id.clone(),
            expected,
        }
    }

    /// A `Corrupt` for `key` naming the field and reason.
    pub fn corrupt(key: &TicketKey, reason: impl Into<String>) -> Self {
        Self::Corrupt {
            tenant: key.tenant.clone(),
            ticket_id: key.ticket_id.clone(),
            reason: reason.into(),
        }
    }
}

/// Load, conditionally save and query due tickets.
pub trait TicketStore: Send + Sync {
    fn load(
        &self,
        key: &TicketKey,
    ) -> impl Future<Output = Result<Option<TicketRecord>, StoreError>> + Send;
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
