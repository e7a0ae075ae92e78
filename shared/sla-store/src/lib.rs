//! Ticket storage: load a ticket record, save it conditionally on the version read, and
//! find tickets whose timer is due. Implementations: [`MemoryStore`], [`SqliteStore`]
//! (feature `sqlite`) and [`DynamoStore`] (feature `dynamodb`); `testkit` (feature
//! `testkit`, for tests only) holds the contract suite every implementation passes and
//! the test doubles built on it.

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::future::Future;

mod codec;
pub mod compact;
mod cursor;
pub mod ledger;
mod memory;
pub mod queue;
mod shard;
#[cfg(feature = "testkit")]
// Test support: a failed expectation there is a test failure, never a production path.
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod testkit;

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_cache;
#[cfg(feature = "sqlite")]
mod sqlite_index;
#[cfg(feature = "sqlite")]
mod sqlite_writer;

pub use codec::MAX_ITEM_BYTES;
#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoStore;
#[cfg(feature = "dynamodb")]
pub use ledger::DynamoLedger;
#[cfg(feature = "sqlite")]
pub use ledger::SqliteLedger;
pub use ledger::{
    ActionKey, ActionLedger, ActionRecord, ActionState, ActionUpdate, Claim, MemoryLedger,
    NewAction, DONE_RETENTION,
};
pub use memory::MemoryStore;
pub use queue::{
    Completion, OpenCycle, OpenState, Outcome, QueueFilter, QueueItem, QueuePage, QueueQuery,
    QueueStore, QueueWindow, ReadIndex, TicketCompletion,
};
pub use shard::{shard_of, DEFAULT_SHARDS};

/// Partition key of a remembered delivery digest (`TENANT#<tenant>#DELIVERY#<digest>`).
pub fn delivery_key(tenant: &str, digest: &str) -> String {
    format!("TENANT#{tenant}#DELIVERY#{digest}")
}
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sla_core::{SlaEvent, TicketSla};

/// Identifies one ticket of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TicketKey {
    /// The tenant.
    pub tenant: String,
    /// The ticket's id within the tenant.
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
    /// The announcement.
    pub event: SlaEvent,
    /// While in the future, nobody publishes the entry: the publisher that claimed it is
    /// still sending it, or a failed publish is backing off until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_until: Option<DateTime<Utc>>,
    /// Publish attempts that failed so far (absent in records of the first format: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempts: u32,
    /// The error of the last failed attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl OutboxEntry {
    /// An unclaimed entry never attempted.
    pub fn new(event: SlaEvent) -> Self {
        Self {
            event,
            claimed_until: None,
            attempts: 0,
            last_error: None,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An announcement that failed to publish too many times, kept in its ticket's record
/// (out of the outbox, so it blocks neither the other events nor the record's expiry)
/// until an operator redrives it (`sla dead-letters redrive`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The announcement given up on.
    pub event: SlaEvent,
    /// Publish attempts made.
    pub attempts: u32,
    /// The error of the last attempt.
    pub last_error: String,
    /// When the entry was dead-lettered.
    pub dead_at: DateTime<Utc>,
}

/// One stored ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    /// The ticket.
    pub key: TicketKey,
    /// 0 for a ticket never stored; each save increments it.
    pub version: u64,
    /// The ticket's SLA state: its events and clocks.
    pub sla: TicketSla,
    /// Announcements recorded but not yet published.
    pub outbox: Vec<OutboxEntry>,
    /// The earliest instant the sweep must look at this ticket; `None` drops it from the due index.
    pub due_at: Option<DateTime<Utc>>,
    /// When the store may delete the record (solved and closed tickets).
    pub expires_at: Option<DateTime<Utc>>,
    /// Announcements given up on after too many failed publishes (empty in records of
    /// the first format).
    #[serde(default)]
    pub dead_letters: Vec<DeadLetter>,
    /// The read projection (open cycles, recent completions) the read index is kept
    /// from; empty in records of older formats.
    #[serde(default)]
    pub read: ReadIndex,
}

/// A due ticket found by `query_due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTicket {
    /// The ticket.
    pub key: TicketKey,
    /// When it became due.
    pub due_at: DateTime<Utc>,
}

/// One page of due tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuePage {
    /// Due tickets, earliest first.
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
            dead_letters: Vec::new(),
            read: ReadIndex::default(),
        }
    }

    /// When the oldest dead letter was dead-lettered (the dead-letter index key).
    pub fn oldest_dead_letter(&self) -> Option<DateTime<Utc>> {
        self.dead_letters.iter().map(|d| d.dead_at).min()
    }

    /// The item size every store charges for this record as encoded (DynamoDB's rules);
    /// fails as `save` would on a record it cannot encode or over [`MAX_ITEM_BYTES`].
    pub fn stored_bytes(&self) -> Result<usize, StoreError> {
        codec::StoredRow::encode(self, self.version).map(|row| row.item_bytes())
    }
}

/// One page of tickets holding dead letters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadLetterPage {
    /// Tickets holding dead letters.
    pub tickets: Vec<TicketKey>,
    /// Pass back to fetch the next page; `None` when the shard is exhausted.
    pub cursor: Option<String>,
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stored version is not the one the caller read: reload and retry.
    #[error("version conflict on {tenant}/{ticket_id}: expected version {expected}")]
    Conflict {
        /// The ticket's tenant.
        tenant: String,
        /// The ticket's id.
        ticket_id: String,
        /// The version the caller read.
        expected: u64,
    },
    /// The stored record cannot be decoded.
    #[error("stored record for {tenant}/{ticket_id} is corrupt: {reason}")]
    Corrupt {
        /// The ticket's tenant.
        tenant: String,
        /// The ticket's id.
        ticket_id: String,
        /// What could not be decoded.
        reason: String,
    },
    /// The encoded record would exceed [`MAX_ITEM_BYTES`] (DynamoDB's item limit): the
    /// record cannot be saved, and retrying will not help (a webhook answers 422).
    #[error("record for {tenant}/{ticket_id} is {bytes} bytes encoded, over the {limit}-byte item limit")]
    TooLarge {
        /// The ticket's tenant.
        tenant: String,
        /// The ticket's id.
        ticket_id: String,
        /// The encoded size.
        bytes: usize,
        /// The item limit.
        limit: usize,
    },
    /// The backend failed (network, SQLite, AWS); may be transient.
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

    /// Whether retrying the same write can never succeed (the record is unsaveable).
    pub fn is_unsaveable(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
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
    /// The stored record of `key`, or `None` when it has none.
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
    /// Tickets in `shard` holding dead letters, oldest dead letter first, a page at a
    /// time (an index query, never a scan).
    fn query_dead_letters(
        &self,
        shard: u32,
        limit: u32,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<DeadLetterPage, StoreError>> + Send;
    /// Remembers that `tenant` received a delivery with `digest` until `expires_at`;
    /// true when it was not already remembered (or its memory had expired at `now`).
    fn remember_delivery(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Whether `tenant` received a delivery with `digest` remembered past `now`.
    fn delivery_seen(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes records and delivery digests whose expiry is at or before `now`; returns
    /// the records deleted. DynamoDB's TTL does this itself (0).
    fn purge_expired(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The shard the next sweep starts at (0 when never saved).
    fn load_sweep_cursor(&self) -> impl Future<Output = Result<u32, StoreError>> + Send;
    /// Stores the shard the next sweep starts at.
    fn save_sweep_cursor(&self, shard: u32) -> impl Future<Output = Result<(), StoreError>> + Send;
}
