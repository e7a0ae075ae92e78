//! `ingest`: fold new webhook events into a ticket's record with one read and one
//! conditional write, retrying on a version conflict.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sla_core::{Ingested, PolicySet, TicketEvent};
use sla_store::{StoreError, TicketKey, TicketStore};

use crate::record;
use crate::retry::{self, RetryPolicy};

/// Tuning of `ingest`.
#[derive(Debug, Clone, Copy)]
pub struct IngestSettings {
    /// Conflict retries.
    pub retry: RetryPolicy,
    /// History length past which the record is compacted.
    pub max_history: usize,
    /// How long a closed ticket's record is kept after its last event.
    pub closed_ttl: Duration,
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            max_history: 400,
            closed_ttl: Duration::days(90),
        }
    }
}

/// What `ingest` did to one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketIngested {
    pub key: TicketKey,
    /// Events new to the ticket.
    pub inserted: usize,
    /// Events already seen (same `event_id`), ignored.
    pub duplicates: usize,
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
    #[error("ticket {tenant}/{ticket_id}: still conflicting after {attempts} attempts")]
    TooManyConflicts {
        tenant: String,
        ticket_id: String,
        attempts: u32,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
    let mut conflicts = 0;
    for attempt in 1..=settings.retry.max_attempts {
        tokio::time::sleep(settings.retry.backoff(attempt, retry::seed(&key, attempt))).await;
        let mut rec = match store.load(&key).await? {
            Some(rec) => rec,
            None => record::new_record(key.clone()),
        };
        let mut result = TicketIngested {
            key: key.clone(),
            inserted: 0,
            duplicates: 0,
            queued: 0,
            conflicts,
            written: false,
        };
        for event in events {
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
        rec.sla.compact(settings.max_history);
        rec.due_at = record::due_at(&rec, advance.next_due, now);
        rec.expires_at = record::expires_at(&rec, settings.closed_ttl);
        match store.save(&rec).await {
            Ok(_) => {
                result.written = true;
                return Ok(result);
            }
            Err(StoreError::Conflict { .. }) => {
                conflicts += 1;
                tracing::info!(tenant = %key.tenant, ticket = %key.ticket_id, attempt, "version conflict, retrying");
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(IngestError::TooManyConflicts {
        tenant: key.tenant,
        ticket_id: key.ticket_id,
        attempts: settings.retry.max_attempts,
    })
}
