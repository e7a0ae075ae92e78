//! `sweep`: find tickets whose timer or outbox is due, announce what is due, publish.
//!
//! Order of work per ticket, chosen so that a crash at any point loses nothing:
//! 1. **Record and claim** (one conditional write): the engine's new announcements go
//!    into the record's outbox, and every outbox entry not claimed by a live lease is
//!    claimed by this sweep until `now + lease`. `due_at` becomes the lease end.
//! 2. **Publish** the claimed entries.
//! 3. **Settle** (conditional write, retried on conflict): published entries leave the
//!    outbox; failed ones are released for the next sweep.
//!
//! A crash after 1 leaves claimed entries whose lease expires: a later sweep claims and
//! publishes them (at-least-once). Two sweeps racing on one ticket: only one wins the
//! claim write; the loser reloads, finds the entries claimed, and publishes nothing.

use chrono::{DateTime, Duration, Utc};
use sla_core::{PolicySet, SlaEvent};
use sla_events::EventSink;
use sla_store::{DueTicket, StoreError, TicketKey, TicketRecord, TicketStore};

use crate::policies::TenantPolicies;
use crate::record;
use crate::retry::{self, RetryPolicy};

/// Tuning of `sweep`.
#[derive(Debug, Clone, Copy)]
pub struct SweepSettings {
    /// Due tickets fetched per index query.
    pub page_size: u32,
    /// How long a claim protects entries being published from other sweeps.
    pub lease: Duration,
    /// Conflict retries per ticket.
    pub retry: RetryPolicy,
    /// How long a closed ticket's record is kept after its last event.
    pub closed_ttl: Duration,
    /// Tickets of a page processed at once (their round trips overlap).
    pub concurrency: usize,
}

impl Default for SweepSettings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            page_size: 100,
            lease: Duration::minutes(2),
            retry: RetryPolicy::default(),
            closed_ttl: Duration::days(90),
        }
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SweepReport {
    /// Due index entries looked at.
    pub examined: u64,
    /// SLA events the sink accepted.
    pub published: u64,
    /// SLA events the sink refused; they stay queued for the next sweep.
    pub failed: u64,
    /// Version conflicts met (and retried).
    pub conflicts: u64,
    /// Index entries that were stale (ticket no longer due).
    pub stale: u64,
    /// Seconds between the oldest due instant seen and now.
    pub oldest_lag_seconds: Option<f64>,
    /// False when the time budget ran out first; the next sweep resumes.
    pub complete: bool,
    /// Tickets that could not be processed, with the reason.
    pub errors: Vec<String>,
}

/// Why a sweep stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sweeps every shard for tickets due at `now`, while `keep_going()` says there is time.
pub async fn sweep<S: TicketStore, K: EventSink>(
    store: &S,
    sink: &K,
    policies: &TenantPolicies,
    now: DateTime<Utc>,
    keep_going: &(dyn Fn() -> bool + Sync),
    settings: &SweepSettings,
) -> Result<SweepReport, SweepError> {
    let mut report = SweepReport {
        complete: true,
        ..SweepReport::default()
    };
    for shard in 0..store.shards() {
        let mut cursor = None;
        loop {
            if !keep_going() {
                report.complete = false;
                return Ok(report);
            }
            let page = store
                .query_due(shard, now, settings.page_size, cursor)
                .await?;
            for chunk in page.tickets.chunks(settings.concurrency.max(1)) {
                if !keep_going() {
                    report.complete = false;
                    return Ok(report);
                }
                let visits = chunk
                    .iter()
                    .map(|due| visit(store, sink, policies, due, now, settings));
                for tally in futures_util::future::join_all(visits).await {
                    report.merge(tally);
                }
            }
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    Ok(report)
}

impl SweepReport {
    /// Adds another report's counts to this one.
    fn merge(&mut self, other: SweepReport) {
        self.examined += other.examined;
        self.published += other.published;
        self.failed += other.failed;
        self.conflicts += other.conflicts;
        self.stale += other.stale;
        self.oldest_lag_seconds = match (self.oldest_lag_seconds, other.oldest_lag_seconds) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.errors.extend(other.errors);
    }
}

/// Processes one due ticket; returns its counts.
async fn visit<S: TicketStore, K: EventSink>(
    store: &S,
    sink: &K,
    policies: &TenantPolicies,
    due: &DueTicket,
    now: DateTime<Utc>,
    settings: &SweepSettings,
) -> SweepReport {
    let lag = (now - due.due_at).num_milliseconds() as f64 / 1000.0;
    let mut report = SweepReport {
        examined: 1,
        oldest_lag_seconds: Some(lag),
        ..SweepReport::default()
    };
    match process_ticket(store, sink, policies, &due.key, now, settings, &mut report).await {
        Ok(()) => {}
        Err(err) => {
            tracing::error!(tenant = %due.key.tenant, ticket = %due.key.ticket_id, error = %err, "sweep failed for ticket");
            report
                .errors
                .push(format!("{}/{}: {err}", due.key.tenant, due.key.ticket_id));
        }
    }
    report
}

/// Records, claims, publishes and settles one ticket.
async fn process_ticket<S: TicketStore, K: EventSink>(
    store: &S,
    sink: &K,
    policies: &TenantPolicies,
    key: &TicketKey,
    now: DateTime<Utc>,
    settings: &SweepSettings,
    report: &mut SweepReport,
) -> Result<(), TicketError> {
    let Some(claim) = record_and_claim(store, policies, key, now, settings, report).await? else {
        return Ok(());
    };
    if claim.events.is_empty() {
        return Ok(());
    }
    let outcome = match sink.publish(&claim.events).await {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::warn!(tenant = %key.tenant, ticket = %key.ticket_id, error = %err, "publish failed; will retry");
            sla_events::PublishReport {
                published: Vec::new(),
                failed: claim
                    .events
                    .iter()
                    .map(|e| (e.event_id.clone(), err.to_string()))
                    .collect(),
            }
        }
    };
    report.published += outcome.published.len() as u64;
    report.failed += outcome.failed.len() as u64;
    let failed: Vec<String> = outcome.failed.into_iter().map(|(id, _)| id).collect();
    let outcome = Settlement {
        published: &outcome.published,
        failed: &failed,
    };
    settle(store, claim, outcome, now, settings, report).await
}

/// What step 1 saved and took, carried to step 3 so that settling needs no re-read and
/// no second fold when nothing else wrote the record meanwhile.
struct Claim<'p> {
    /// The record as saved (its new version).
    record: TicketRecord,
    /// The events claimed for publishing.
    events: Vec<SlaEvent>,
    /// The engine's next timer as of the claim.
    next_timer: Option<DateTime<Utc>>,
    policy: &'p PolicySet,
}

/// What publishing did to the claimed entries.
struct Settlement<'a> {
    published: &'a [String],
    failed: &'a [String],
}

/// Step 1: fold at `now`, queue new announcements, claim what is unclaimed. Returns the
/// claim, or `None` when the index entry was stale.
async fn record_and_claim<'p, S: TicketStore>(
    store: &S,
    policies: &'p TenantPolicies,
    key: &TicketKey,
    now: DateTime<Utc>,
    settings: &SweepSettings,
    report: &mut SweepReport,
) -> Result<Option<Claim<'p>>, TicketError> {
    for attempt in 1..=settings.retry.max_attempts {
        tokio::time::sleep(settings.retry.backoff(attempt, retry::seed(key, attempt))).await;
        let Some(mut rec) = store.load(key).await? else {
            report.stale += 1;
            return Ok(None);
        };
        if rec.due_at.is_none_or(|due| due > now) {
            report.stale += 1;
            return Ok(None);
        }
        let policy = policies
            .for_tenant(&key.tenant)
            .ok_or_else(|| TicketError::NoPolicy(key.tenant.clone()))?;
        let advance = rec.sla.advance(policy, now);
        record::enqueue(&mut rec, advance.new_events);
        let events = claim(&mut rec, now, settings.lease);
        rec.due_at = record::due_at(&rec, advance.next_due, now);
        rec.expires_at = record::expires_at(&rec, settings.closed_ttl);
        match store.save(&rec).await {
            Ok(version) => {
                rec.version = version;
                return Ok(Some(Claim {
                    record: rec,
                    events,
                    next_timer: advance.next_due,
                    policy,
                }));
            }
            Err(StoreError::Conflict { .. }) => report.conflicts += 1,
            Err(err) => return Err(err.into()),
        }
    }
    Err(TicketError::TooManyConflicts(settings.retry.max_attempts))
}

/// Claims every outbox entry without a live lease; returns the claimed events.
fn claim(rec: &mut TicketRecord, now: DateTime<Utc>, lease: Duration) -> Vec<SlaEvent> {
    let until = now + lease;
    rec.outbox
        .iter_mut()
        .filter(|entry| entry.claimed_until.is_none_or(|t| t <= now))
        .map(|entry| {
            entry.claimed_until = Some(until);
            entry.event.clone()
        })
        .collect()
}

/// Step 3: drop published entries, release failed ones. The first attempt writes over
/// the record as the claim saved it, with the claim's next timer (no read, no fold); a
/// conflict reloads, folds again and retries.
async fn settle<S: TicketStore>(
    store: &S,
    claim: Claim<'_>,
    outcome: Settlement<'_>,
    now: DateTime<Utc>,
    settings: &SweepSettings,
    report: &mut SweepReport,
) -> Result<(), TicketError> {
    let key = claim.record.key.clone();
    let mut known = Some((claim.record, claim.next_timer));
    for attempt in 1..=settings.retry.max_attempts {
        let (mut rec, next_timer) = match known.take() {
            Some(known) => known,
            None => {
                let pause = settings.retry.backoff(attempt, retry::seed(&key, attempt));
                tokio::time::sleep(pause).await;
                let Some(mut rec) = store.load(&key).await? else {
                    return Ok(());
                };
                // Another writer changed it: fold again (normally nothing new at the same
                // `now`; anything new is queued for the next sweep).
                let advance = rec.sla.advance(claim.policy, now);
                record::enqueue(&mut rec, advance.new_events);
                (rec, advance.next_due)
            }
        };
        if !apply_settlement(&mut rec, &outcome) {
            return Ok(());
        }
        rec.due_at = record::due_at(&rec, next_timer, now);
        rec.expires_at = record::expires_at(&rec, settings.closed_ttl);
        match store.save(&rec).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict { .. }) => report.conflicts += 1,
            Err(err) => return Err(err.into()),
        }
    }
    Err(TicketError::TooManyConflicts(settings.retry.max_attempts))
}

/// Removes published entries and releases failed ones; false when nothing changed.
fn apply_settlement(rec: &mut TicketRecord, outcome: &Settlement<'_>) -> bool {
    let before = rec.outbox.len();
    rec.outbox
        .retain(|entry| !outcome.published.contains(&entry.event.event_id));
    let mut changed = rec.outbox.len() != before;
    for entry in &mut rec.outbox {
        if outcome.failed.contains(&entry.event.event_id) && entry.claimed_until.is_some() {
            entry.claimed_until = None;
            changed = true;
        }
    }
    changed
}

/// Why one ticket could not be swept (the sweep goes on with the others).
#[derive(Debug, thiserror::Error)]
enum TicketError {
    #[error("no policy configured for tenant {0:?}")]
    NoPolicy(String),
    #[error("still conflicting after {0} attempts")]
    TooManyConflicts(u32),
    #[error(transparent)]
    Store(#[from] StoreError),
}
