//! `sweep`: find tickets whose timer or outbox is due, announce what is due, publish.
//!
//! Order of work per ticket, chosen so that a crash at any point loses nothing:
//! 1. **Record and claim** (one conditional write): the engine's new announcements go
//!    into the record's outbox, and every outbox entry not claimed by a live lease is
//!    claimed by this sweep until `now + lease`. `due_at` becomes the lease end.
//! 2. **Publish** the claimed entries.
//! 3. **Settle** (conditional write, retried on conflict): published entries leave the
//!    outbox; failed ones count an attempt and back off exponentially (`due_at` becomes
//!    the next attempt), and after `publish.max_attempts` move to the record's dead
//!    letters, where they block neither the other entries nor the record's expiry.
//!
//! Fairness: shards are served a page at a time in turn, starting at the shard the
//! previous run stopped at (a cursor kept in the store), so under a backlog no shard
//! waits more than a run or two. The lag reported is that of the oldest due timer of
//! every shard (one `Limit 1` index query per shard), not only of the tickets visited.
//!
//! A crash after 1 leaves claimed entries whose lease expires: a later sweep claims and
//! publishes them (at-least-once). Two sweeps racing on one ticket: only one wins the
//! claim write; the loser reloads, finds the entries claimed, and publishes nothing.
//!
//! On time: [`sweep_window`] runs this sweep, then visits each ticket falling due before
//! the next run at its instant (see the `window` module), so an announcement is not late
//! by up to one sweep interval.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use sla_core::{PolicySet, SlaEvent};
use sla_events::EventSink;
use sla_store::{DueTicket, StoreError, TicketKey, TicketRecord, TicketStore};

use crate::policies::TenantPolicies;
use crate::record;
use crate::retry::{Attempts, ConflictRetry, PublishRetry};

mod window;

pub use window::{sweep_window, Lookahead, Pause, Sleep, Window};

/// Tuning of `sweep`.
#[derive(Debug, Clone, Copy)]
pub struct SweepSettings {
    /// Due tickets fetched per index query.
    pub page_size: u32,
    /// How long a claim protects entries being published from other sweeps.
    pub lease: Duration,
    /// Conflict retries per ticket.
    pub retry: ConflictRetry,
    /// How long a closed ticket's record is kept after its last event.
    pub closed_ttl: Duration,
    /// Tickets of a page processed at once (their round trips overlap).
    pub concurrency: usize,
    /// Backoff between failed publishes of an entry, and when to dead-letter it.
    pub publish: PublishRetry,
}

impl Default for SweepSettings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            page_size: 100,
            lease: Duration::minutes(2),
            retry: ConflictRetry::default(),
            closed_ttl: Duration::days(90),
            publish: PublishRetry::default(),
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
    /// SLA events the sink refused; they back off and are retried by a later sweep.
    pub failed: u64,
    /// SLA events given up on after too many failed attempts (moved to dead letters).
    pub dead_lettered: u64,
    /// Expired records the store deleted (stores without a native TTL).
    pub expired_deleted: u64,
    /// Version conflicts met (and retried).
    pub conflicts: u64,
    /// Index entries that were stale (ticket no longer due).
    pub stale: u64,
    /// Seconds the oldest due timer of any shard had waited when the sweep started.
    pub oldest_lag_seconds: Option<f64>,
    /// The shard the next sweep starts at.
    pub next_shard: u32,
    /// False when the time budget ran out first; the next sweep resumes.
    pub complete: bool,
    /// Tickets that could not be processed, with the reason.
    pub errors: Vec<String>,
}

/// Why a sweep stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The store failed while listing due tickets or the cursor.
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
        expired_deleted: store.purge_expired(now).await?,
        oldest_lag_seconds: oldest_lag(store, now).await?,
        ..SweepReport::default()
    };
    let shards = store.shards().max(1);
    let start = store.load_sweep_cursor().await? % shards;
    let mut turns: VecDeque<(u32, Option<String>)> = (0..shards)
        .map(|i| (shard_after(start, i, shards), None))
        .collect();
    report.next_shard = shard_after(start, 1, shards);
    while let Some((shard, cursor)) = turns.pop_front() {
        if !keep_going() {
            report.complete = false;
            report.next_shard = shard;
            break;
        }
        let page = store
            .query_due(shard, now, settings.page_size, cursor)
            .await?;
        report.next_shard = shard_after(shard, 1, shards);
        let work = Work {
            store,
            sink,
            policies,
            now,
            settings,
        };
        if !work.page(&page.tickets, keep_going, &mut report).await {
            report.complete = false;
            break;
        }
        if let Some(cursor) = page.cursor {
            turns.push_back((shard, Some(cursor)));
        }
    }
    if shards > 1 {
        if let Err(err) = store.save_sweep_cursor(report.next_shard).await {
            tracing::warn!(error = %err, "could not save the sweep cursor");
            report
                .errors
                .push(format!("saving the sweep cursor: {err}"));
        }
    }
    Ok(report)
}

/// The shard `step` places after `shard`, wrapping around `shards` (without overflow).
fn shard_after(shard: u32, step: u32, shards: u32) -> u32 {
    let next = (u64::from(shard) + u64::from(step)) % u64::from(shards.max(1));
    u32::try_from(next).unwrap_or(0)
}

/// Seconds the oldest due timer over every shard has waited at `now`: one query of
/// one item per shard on the due index.
pub async fn oldest_lag<S: TicketStore>(
    store: &S,
    now: DateTime<Utc>,
) -> Result<Option<f64>, StoreError> {
    let mut oldest: Option<DateTime<Utc>> = None;
    for shard in 0..store.shards().max(1) {
        let page = store.query_due(shard, now, 1, None).await?;
        if let Some(first) = page.tickets.first() {
            oldest = Some(oldest.map_or(first.due_at, |o| o.min(first.due_at)));
        }
    }
    Ok(oldest.map(|due| now.signed_duration_since(due).num_milliseconds() as f64 / 1000.0))
}

/// What visiting tickets needs.
struct Work<'a, S, K> {
    store: &'a S,
    sink: &'a K,
    policies: &'a TenantPolicies,
    now: DateTime<Utc>,
    settings: &'a SweepSettings,
}

impl<S: TicketStore, K: EventSink> Work<'_, S, K> {
    /// Visits one page of due tickets a chunk at a time; false when time ran out first.
    async fn page(
        &self,
        tickets: &[DueTicket],
        keep_going: &(dyn Fn() -> bool + Sync),
        report: &mut SweepReport,
    ) -> bool {
        for chunk in tickets.chunks(self.settings.concurrency.max(1)) {
            if !keep_going() {
                return false;
            }
            let visits = chunk.iter().map(|due| {
                visit(
                    self.store,
                    self.sink,
                    self.policies,
                    due,
                    self.now,
                    self.settings,
                )
            });
            for tally in futures_util::future::join_all(visits).await {
                report.merge(tally);
            }
        }
        true
    }
}

impl SweepReport {
    /// Adds another report's counts to this one.
    fn merge(&mut self, other: SweepReport) {
        self.examined += other.examined;
        self.published += other.published;
        self.failed += other.failed;
        self.dead_lettered += other.dead_lettered;
        self.conflicts += other.conflicts;
        self.stale += other.stale;
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
    let mut report = SweepReport {
        examined: 1,
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
    for (id, error) in &outcome.failed {
        tracing::warn!(tenant = %key.tenant, ticket = %key.ticket_id, event_id = %id, error = %error, "publish failed");
    }
    let failed: BTreeMap<String, String> = outcome.failed.into_iter().collect();
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

/// What publishing did to the claimed entries: ids published, and failed with the error.
struct Settlement<'a> {
    published: &'a [String],
    failed: &'a BTreeMap<String, String>,
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
    let mut attempts = Attempts::new(&settings.retry, key);
    while attempts.next().await.is_some() {
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
        crate::read_index::refresh(&mut rec, policy, now);
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
    Err(TicketError::TooManyConflicts(attempts.used()))
}

/// Claims every outbox entry without a live lease; returns the claimed events.
fn claim(rec: &mut TicketRecord, now: DateTime<Utc>, lease: Duration) -> Vec<SlaEvent> {
    let until = record::later(now, lease);
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
    let mut attempts = Attempts::new(&settings.retry, &key);
    while attempts.next().await.is_some() {
        let (mut rec, next_timer) = match known.take() {
            Some(known) => known,
            None => {
                let Some(mut rec) = store.load(&key).await? else {
                    return Ok(());
                };
                // Another writer changed it: fold again (normally nothing new at the same
                // `now`; anything new is queued for the next sweep).
                let advance = rec.sla.advance(claim.policy, now);
                record::enqueue(&mut rec, advance.new_events);
                crate::read_index::refresh(&mut rec, claim.policy, now);
                (rec, advance.next_due)
            }
        };
        let Some(dead_lettered) = apply_settlement(&mut rec, &outcome, now, &settings.publish)
        else {
            return Ok(());
        };
        rec.due_at = record::due_at(&rec, next_timer, now);
        rec.expires_at = record::expires_at(&rec, settings.closed_ttl);
        match store.save(&rec).await {
            Ok(_) => {
                report.dead_lettered += dead_lettered;
                for dead in rec.dead_letters.iter().filter(|d| d.dead_at == now) {
                    tracing::error!(tenant = %key.tenant, ticket = %key.ticket_id, event_id = %dead.event.event_id, attempts = dead.attempts, error = %dead.last_error, "event dead-lettered");
                }
                return Ok(());
            }
            Err(StoreError::Conflict { .. }) => report.conflicts += 1,
            Err(err) => return Err(err.into()),
        }
    }
    Err(TicketError::TooManyConflicts(attempts.used()))
}

/// Removes published entries; failed ones count an attempt and back off, or move to the
/// dead letters. Returns the entries dead-lettered, or `None` when nothing changed.
fn apply_settlement(
    rec: &mut TicketRecord,
    outcome: &Settlement<'_>,
    now: DateTime<Utc>,
    retry: &PublishRetry,
) -> Option<u64> {
    let before = rec.outbox.len();
    rec.outbox
        .retain(|entry| !outcome.published.contains(&entry.event.event_id));
    let mut changed = rec.outbox.len() != before;
    let mut dead_lettered = 0;
    let mut kept = Vec::with_capacity(rec.outbox.len());
    for entry in std::mem::take(&mut rec.outbox) {
        let failure = outcome.failed.get(&entry.event.event_id);
        match failure.filter(|_| entry.claimed_until.is_some()) {
            None => kept.push(entry),
            Some(error) => {
                changed = true;
                match record::fail_publish(entry, error, now, retry) {
                    record::AfterFailure::Retry(entry) => kept.push(entry),
                    record::AfterFailure::Dead(dead) => {
                        dead_lettered += 1;
                        rec.dead_letters.push(dead);
                    }
                }
            }
        }
    }
    rec.outbox = kept;
    changed.then_some(dead_lettered)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_wrap_around_without_overflow() {
        assert_eq!(shard_after(3, 1, 4), 0);
        assert_eq!(shard_after(1, 2, 4), 3);
        assert_eq!(shard_after(u32::MAX - 1, 5, u32::MAX), 4);
        assert_eq!(shard_after(7, 1, 0), 0, "zero shards is one shard");
    }
}
