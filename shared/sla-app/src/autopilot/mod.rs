//! The autopilot: the actions published SLA events trigger (the tenant's policy file,
//! `sla-actions`), carried out once each through an [`ActionLedger`] and an
//! [`ActionExecutor`].
//!
//! 1. [`Autopilot::enqueue`] plans each event's actions and enqueues them, pending, under
//!    their deterministic ids: a redelivered SLA event enqueues nothing new. Hosts call
//!    it once the events are published and before the outbox forgets them, so an action
//!    is never lost.
//! 2. [`Autopilot::run_due`] claims each due action under a lease, carries it out (the
//!    executor retries 429, 409 and 5xx in process, honouring `Retry-After`) and records
//!    the outcome: done; a retry at a later instant; or dead (a refusal, an unsupported
//!    step, or out of attempts), listed by [`Autopilot::dead`] and redriven by
//!    [`Autopilot::redrive`]. A failed action never holds up the others.
//! 3. A crash after the call and before the record leaves the claim to lapse: the action
//!    runs again once. Tags, untags and priority raises are idempotent; an assignment is
//!    repeated harmlessly; a note or a chat message may appear twice.

mod executor;
mod view;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sla_actions::{PlannedAction, Planner};
use sla_actions_http::{Counters, Outcome, Report};
use sla_core::SlaEvent;
use sla_helpdesk::TenantActionsConfig;
use sla_store::{
    ActionKey, ActionLedger, ActionRecord, ActionUpdate, Claim, NewAction, StoreError,
};

pub use executor::{ActionExecutor, HttpExecutor};
pub use view::{ActionView, TicketActions};

use crate::{Clock, Tenants};

/// Most pages of due actions one [`Autopilot::run_due`] reads.
pub const MAX_PAGES: usize = 100;

/// Limits of the autopilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutopilotSettings {
    /// How long a claim holds an action: longer than the executor's retries can take.
    pub lease: Duration,
    /// Attempts (calls) in all before an action is dead.
    pub max_attempts: u32,
    /// Wait before a re-queued retry that named no delay; doubled per attempt, capped at
    /// [`Self::max_backoff`].
    pub backoff: Duration,
    /// Longest wait between re-queued retries.
    pub max_backoff: Duration,
    /// Actions read from the ledger per page.
    pub page: usize,
}

impl Default for AutopilotSettings {
    /// A 10-minute lease, 10 attempts, re-queued retries 30 s apart doubling up to 15 min.
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(600),
            max_attempts: 10,
            backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(900),
            page: 100,
        }
    }
}

/// What one [`Autopilot::run_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutopilotReport {
    /// Actions carried out.
    pub done: u64,
    /// Actions re-queued for a later attempt.
    pub retrying: u64,
    /// Actions given up on (refused, unsupported, out of attempts).
    pub dead: u64,
    /// Due actions another runner held.
    pub skipped: u64,
}

impl std::ops::AddAssign for AutopilotReport {
    fn add_assign(&mut self, other: Self) {
        self.done += other.done;
        self.retrying += other.retrying;
        self.dead += other.dead;
        self.skipped += other.skipped;
    }
}

/// The autopilot's failures: the ledger's.
#[derive(Debug, thiserror::Error)]
pub enum AutopilotError {
    /// The ledger could not be read or written.
    #[error("action ledger: {0}")]
    Ledger(#[from] StoreError),
}

/// Plans, carries out and records actions.
pub struct Autopilot<L, E> {
    ledger: L,
    executor: E,
    tenants: Arc<Tenants>,
    clock: Arc<dyn Clock>,
    settings: AutopilotSettings,
    counters: Mutex<Counters>,
}

impl<L: ActionLedger, E: ActionExecutor> Autopilot<L, E> {
    /// An autopilot over `ledger` and `executor` for `tenants`.
    pub fn new(ledger: L, executor: E, tenants: Arc<Tenants>, clock: Arc<dyn Clock>) -> Self {
        Self {
            ledger,
            executor,
            tenants,
            clock,
            settings: AutopilotSettings::default(),
            counters: Mutex::default(),
        }
    }

    /// Replaces the settings.
    pub fn with_settings(mut self, settings: AutopilotSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The ledger.
    pub fn ledger(&self) -> &L {
        &self.ledger
    }

    /// Counts of executed actions per (target, step, outcome).
    pub fn counters(&self) -> Counters {
        self.lock_counters().clone()
    }

    /// The counts since the last call, reset (a Lambda invocation reports its own).
    pub fn take_counters(&self) -> Counters {
        std::mem::take(&mut *self.lock_counters())
    }

    /// The actions `events` trigger, per their tenants' policy files.
    pub fn plan(&self, events: &[SlaEvent]) -> Vec<PlannedAction> {
        events
            .iter()
            .flat_map(|event| self.plan_one(event))
            .collect()
    }

    fn plan_one(&self, event: &SlaEvent) -> Vec<PlannedAction> {
        let Some(policies) = self.tenants.policies(&event.tenant) else {
            return Vec::new();
        };
        let ticket_url = self
            .tenants
            .read_access(&event.tenant)
            .and_then(|access| access.ticket_url.as_deref());
        Planner {
            policies,
            ticket_url,
        }
        .plan(event)
    }

    /// Plans `events` and enqueues their actions; returns how many were new.
    pub async fn enqueue(&self, events: &[SlaEvent]) -> Result<usize, AutopilotError> {
        let new = self.new_actions(events);
        if new.is_empty() {
            return Ok(0);
        }
        Ok(self.ledger.enqueue(&new, self.clock.now()).await?)
    }

    /// The ledger entries of the actions `events` trigger.
    fn new_actions(&self, events: &[SlaEvent]) -> Vec<NewAction> {
        self.plan(events).iter().filter_map(new_action).collect()
    }

    /// Plans `events`, enqueues their actions and carries out each one that is due: what a
    /// host fed event by event (the Lambda `actions` function, one SQS message each) calls.
    /// A redelivered event enqueues nothing and runs nothing already done; an action left
    /// for a later attempt waits in the ledger for [`Self::run_due`].
    pub async fn run_events(&self, events: &[SlaEvent]) -> Result<AutopilotReport, AutopilotError> {
        let new = self.new_actions(events);
        if new.is_empty() {
            return Ok(AutopilotReport::default());
        }
        self.ledger.enqueue(&new, self.clock.now()).await?;
        let mut report = AutopilotReport::default();
        for action in &new {
            self.run_one(&action.key, &mut report).await?;
        }
        Ok(report)
    }

    /// Carries out every action due now, a page at a time, in the order enqueued (at most
    /// [`MAX_PAGES`] pages a run: the rest wait for the next).
    pub async fn run_due(&self) -> Result<AutopilotReport, AutopilotError> {
        self.run_due_while(&|| true).await
    }

    /// [`Self::run_due`], starting no action once `keep_going` turns false (a Lambda
    /// invocation near its deadline); the rest wait for the next run.
    pub async fn run_due_while(
        &self,
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> Result<AutopilotReport, AutopilotError> {
        let mut report = AutopilotReport::default();
        for _ in 0..MAX_PAGES {
            let due = self
                .ledger
                .due(self.clock.now(), self.settings.page)
                .await?;
            let full = due.len() >= self.settings.page;
            for record in due {
                if !keep_going() {
                    return Ok(report);
                }
                self.run_one(&record.key, &mut report).await?;
            }
            if !full {
                break;
            }
        }
        Ok(report)
    }

    /// Claims `key` and, when acquired, carries it out and records the outcome.
    async fn run_one(
        &self,
        key: &ActionKey,
        report: &mut AutopilotReport,
    ) -> Result<(), AutopilotError> {
        let claim = self
            .ledger
            .claim(key, self.clock.now(), self.settings.lease)
            .await?;
        let Claim::Acquired(record) = claim else {
            report.skipped += 1;
            return Ok(());
        };
        let update = self.attempt(&record).await;
        match &update {
            ActionUpdate::Done { .. } => report.done += 1,
            ActionUpdate::Retry { .. } => report.retrying += 1,
            ActionUpdate::Dead { .. } => report.dead += 1,
        }
        log_update(key, &update);
        self.ledger.record(key, &update, self.clock.now()).await?;
        Ok(())
    }

    /// Runs a claimed action and says what to record.
    async fn attempt(&self, record: &ActionRecord) -> ActionUpdate {
        let action: PlannedAction = match serde_json::from_str(&record.payload) {
            Ok(action) => action,
            Err(err) => {
                return ActionUpdate::Dead {
                    attempts: record.attempts,
                    error: format!("unreadable action in the ledger: {err}"),
                }
            }
        };
        let none = TenantActionsConfig::default();
        let config = self.tenants.actions(&action.tenant).unwrap_or(&none);
        let ran = self.executor.run(&action, config).await;
        self.lock_counters().record(&ran.metric);
        self.update_for(record.attempts, ran)
    }

    fn update_for(&self, before: u32, ran: Report) -> ActionUpdate {
        let attempts = before.saturating_add(ran.attempts);
        match ran.outcome {
            Outcome::Done => ActionUpdate::Done { attempts },
            Outcome::Failed { message, .. } => ActionUpdate::Dead {
                attempts,
                error: message,
            },
            Outcome::Unsupported { reason } => ActionUpdate::Dead {
                attempts,
                error: format!("unsupported: {reason}"),
            },
            Outcome::Retry { reason, .. } if attempts >= self.settings.max_attempts => {
                ActionUpdate::Dead {
                    attempts,
                    error: format!("gave up after {attempts} attempts: {reason}"),
                }
            }
            Outcome::Retry { after, reason } => ActionUpdate::Retry {
                attempts,
                error: reason,
                next_attempt_at: self.next_attempt(attempts, after),
            },
        }
    }

    /// When a re-queued retry runs: the delay the service asked for, else the backoff.
    fn next_attempt(&self, attempts: u32, after: Option<Duration>) -> DateTime<Utc> {
        let doublings = attempts.saturating_sub(1).min(16);
        let backoff = self
            .settings
            .backoff
            .saturating_mul(1 << doublings)
            .min(self.settings.max_backoff);
        let wait = TimeDelta::from_std(after.unwrap_or(backoff)).unwrap_or(TimeDelta::MAX);
        let now = self.clock.now();
        now.checked_add_signed(wait).unwrap_or(now)
    }

    /// Up to `limit` dead actions of `tenant` (or of every tenant).
    pub async fn dead(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ActionRecord>, AutopilotError> {
        Ok(self.ledger.dead(tenant, limit).await?)
    }

    /// Makes a dead action pending again (attempts reset); false when it is not dead.
    pub async fn redrive(&self, key: &ActionKey) -> Result<bool, AutopilotError> {
        Ok(self.ledger.redrive(key, self.clock.now()).await?)
    }

    fn lock_counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The ledger entry of a planned action.
fn new_action(action: &PlannedAction) -> Option<NewAction> {
    let payload = serde_json::to_string(action).ok()?;
    Some(NewAction {
        key: ActionKey::new(&action.tenant, &action.ticket_id, &action.id),
        payload,
    })
}

fn log_update(key: &ActionKey, update: &ActionUpdate) {
    let id = key.action_id.as_str();
    let tenant = key.tenant.as_str();
    match update {
        ActionUpdate::Done { attempts } => tracing::info!(tenant, id, attempts, "action done"),
        ActionUpdate::Retry {
            attempts, error, ..
        } => tracing::warn!(tenant, id, attempts, %error, "action will be retried"),
        ActionUpdate::Dead { attempts, error } => {
            tracing::error!(tenant, id, attempts, %error, "action dead")
        }
    }
}

#[cfg(test)]
mod tests;
