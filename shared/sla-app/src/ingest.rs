//! `ingest`: fold new webhook events into a ticket's record with one read and one
//! conditional write, retrying on a version conflict. Events older than the retention
//! window are ignored (their ticket's record may have expired: a replay must not
//! recreate it), and a record the store cannot hold is a typed, permanent error.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sla_core::{Ingested, PolicySet, SnapshotLimits, TicketEvent};
use sla_store::{StoreError, TicketKey, TicketStore};

use crate::record;
use crate::retry::{Attempts, ConflictRetry};

/// Tuning of `ingest`.
#[derive(Debug, Clone, Copy)]
pub struct IngestSettings {
    /// Conflict retries.
    pub retry: ConflictRetry,
    /// History length past which the record is compacted.
    pub max_history: usize,
    /// When a record's settled past is folded into a snapshot (bounds its size).
    pub snapshot: SnapshotLimits,
    /// How long a solved or closed ticket's record is kept after its last event; also
    /// the retention window: events older than this are ignored.
    pub closed_ttl: Duration,
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            retry: ConflictRetry::default(),
            max_history: 400,
            snapshot: SnapshotLimits::default(),
            closed_ttl: Duration::days(90),
        }
    }
}

/// What `ingest` did to one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketIngested {
    /// The ticket.
    pub key: TicketKey,
    /// Events new to the ticket.
    pub inserted: usize,
    /// Events already seen (same `event_id`), ignored.
    pub duplicates: usize,
    /// Events older than the retention window, ignored.
    pub too_old: usize,
    /// SLA events recorded for publishing (met, cancelled, retracted, late breaches).
    pub queued: usize,
    /// Version conflicts met and retried.
    pub conflicts: u32,
    /// Whether a write happened (a delivery of duplicates only changes nothing).
    pub written: bool,
}

/// Why `ingest` failed; nothing was stored for the ticket named.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Other writers kept changing the record; the helpdesk's retry will try again.
    #[error("ticket {tenant}/{ticket_id}: still conflicting after {attempts} attempts")]
    TooManyConflicts {
        /// The ticket's tenant.
        tenant: String,
        /// The ticket's id.
        ticket_id: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The record cannot be saved (too large for the store): retrying cannot help.
    #[error("ticket {tenant}/{ticket_id}: the record cannot be saved: {reason}")]
    Unsaveable {
        /// The ticket's tenant.
        tenant: String,
        /// The ticket's id.
        ticket_id: String,
        /// The store's reason.
        reason: String,
    },
    /// The store failed (transient).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IngestError {
    /// The HTTP status to answer: 422 for a record that cannot be saved (a retry would
    /// fail the same way), 503 for transient failures (the helpdesk retries).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Unsaveable { .. } => 422,
            Self::TooManyConflicts { .. } | Self::Store(_) => 503,
        }
    }
}

/// The reply field naming why events were ignored.
pub const IGNORED_TOO_OLD: &str = "older than retention";

/// Folds `events` (any tickets of one tenant) into their records. Returns one entry per
/// ticket, in ticket order. A ticket never seen is created from its first snapshot.
pub async fn ingest<S: TicketStore>(
    store: &S,
    policies: &PolicySet,
    events: Vec<TicketEvent>,
    now: DateTime<Utc>,
    settings: &IngestSettings,
) -> Result<Vec<TicketIngested>, IngestError> {
    let mut by_ticket: BTreeMap<TicketKey, Vec<TicketEvent>> = BTreeMap::new();
    for event in events {
        let key = TicketKey {
            tenant: event.tenant.clone(),
            ticket_id: event.ticket_id.clone(),
        };
        by_ticket.entry(key).or_default().push(event);
    }
    let mut results = Vec::with_capacity(by_ticket.len());
    for (key, events) in by_ticket {
        results.push(ingest_ticket(store, policies, key, &events, now, settings).await?);
    }
    Ok(results)
}

async fn ingest_ticket<S: TicketStore>(
    store: &S,
    policies: &PolicySet,
    key: TicketKey,
    events: &[TicketEvent],
    now: DateTime<Utc>,
    settings: &IngestSettings,
) -> Result<TicketIngested, IngestError> {
    let cutoff = record::earlier(now, settings.closed_ttl);
    let (too_old, events): (Vec<&TicketEvent>, Vec<&TicketEvent>) =
        events.iter().partition(|e| e.at < cutoff);
    if events.is_empty() {
        tracing::info!(tenant = %key.tenant, ticket = %key.ticket_id, ignored = too_old.len(), "events older than retention ignored");
        return Ok(TicketIngested {
            key,
            inserted: 0,
            duplicates: 0,
            too_old: too_old.len(),
            queued: 0,
            conflicts: 0,
            written: false,
        });
    }
    let mut conflicts = 0;
    let mut attempts = Attempts::new(&settings.retry, &key);
    while let Some(attempt) = attempts.next().await {
        let mut rec = match store.load(&key).await? {
            Some(rec) => rec,
            None => record::new_record(key.clone()),
        };
        let mut result = TicketIngested {
            key: key.clone(),
            inserted: 0,
            duplicates: 0,
            too_old: too_old.len(),
            queued: 0,
            conflicts,
            written: false,
        };
        for &event in &events {
            match rec.sla.ingest(event.clone()) {
                Ingested::Inserted => result.inserted += 1,
                Ingested::Duplicate => result.duplicates += 1,
            }
        }
        if result.inserted == 0 {
            return Ok(result);
        }
        let advance = rec.sla.advance(policies, now);
        result.queued = advance.new_events.len();
        record::enqueue(&mut rec, advance.new_events);
        rec.sla.snapshot(policies, now, &settings.snapshot);
        rec.sla.compact(settings.max_history);
        rec.due_at = record::due_at(&rec, advance.next_due, now);
        rec.expires_at = record::expires_at(&rec, settings.closed_ttl);
        crate::read_index::refresh(&mut rec, policies, now);
        match store.save(&rec).await {
            Ok(_) => {
                result.written = true;
                return Ok(result);
            }
            Err(StoreError::Conflict { .. }) => {
                conflicts += 1;
                tracing::info!(tenant = %key.tenant, ticket = %key.ticket_id, attempt, "version conflict, retrying");
            }
            Err(err) if err.is_unsaveable() => {
                return Err(IngestError::Unsaveable {
                    tenant: key.tenant,
                    ticket_id: key.ticket_id,
                    reason: err.to_string(),
                })
            }
            Err(err) => return Err(err.into()),
        }
    }
    let attempts = attempts.used();
    Err(IngestError::TooManyConflicts {
        tenant: key.tenant,
        ticket_id: key.ticket_id,
        attempts,
    })
}
