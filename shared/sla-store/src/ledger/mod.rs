//! The action ledger: each autopilot action, keyed by its deterministic id, carried out
//! once. An action is enqueued (pending), claimed under a lease by the one executor that
//! runs it, then recorded done, pending again (a retry, with its next attempt) or dead
//! (redrivable). Implementations: [`MemoryLedger`] and [`SqliteLedger`] (feature
//! `sqlite`, in the store's database file) and [`DynamoLedger`] (feature `dynamodb`, in
//! the ticket table); every one passes the contract suite (`testkit::ledger_contract`).

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoLedger;
pub use memory::MemoryLedger;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteLedger;

use crate::StoreError;

/// How long a done action is kept (the ticket retention): an SLA event redelivered
/// within it acts on nothing twice, and one older is refused anyway (events older than
/// the retention are ignored). The DynamoDB ledger sets the table's TTL attribute
/// (`expires_at`) on done actions; the memory and SQLite ledgers keep them (a row of a
/// few hundred bytes each).
pub const DONE_RETENTION: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// Identifies one action: its tenant, ticket and deterministic id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ActionKey {
    /// The tenant.
    pub tenant: String,
    /// The ticket's id within the tenant.
    pub ticket_id: String,
    /// `<sla event id>:<rule>.<step>`.
    pub action_id: String,
}

impl ActionKey {
    /// Builds a key from its parts.
    pub fn new(
        tenant: impl Into<String>,
        ticket_id: impl Into<String>,
        action_id: impl Into<String>,
    ) -> Self {
        Self {
            tenant: tenant.into(),
            ticket_id: ticket_id.into(),
            action_id: action_id.into(),
        }
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Waiting for its (next) attempt, at `next_attempt_at`.
    Pending,
    /// An executor holds it until `lease_until`; a lapsed lease (a crash) makes it due again.
    Claimed,
    /// Carried out; never run again.
    Done,
    /// Given up on (refused, unsupported, or out of attempts) until redriven.
    Dead,
}

impl ActionState {
    /// Lower-case name (`pending`, `claimed`, `done`, `dead`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Claimed => "claimed",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Claimed, Self::Done, Self::Dead]
            .into_iter()
            .find(|state| state.name() == name)
    }
}

/// One action as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// The action.
    pub key: ActionKey,
    /// The planned action, serialized by the caller (replayed on retry and redrive).
    pub payload: String,
    /// Where it stands.
    pub state: ActionState,
    /// Attempts made so far (calls, retries included).
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When a pending action is due (none: at once).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Until when a claimed action is held.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// An action to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    /// The action.
    pub key: ActionKey,
    /// The planned action, serialized.
    pub payload: String,
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the action until the lease ends: carry it out, then record it.
    Acquired(ActionRecord),
    /// Already carried out.
    Done,
    /// Dead: only a redrive runs it again.
    Dead,
    /// Claimed by a live lease, or pending until later.
    Busy {
        /// When it may be claimed.
        until: DateTime<Utc>,
    },
    /// Never enqueued.
    Unknown,
}

/// What an attempt came to, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionUpdate {
    /// Carried out after `attempts` attempts in all.
    Done {
        /// Attempts in all.
        attempts: u32,
    },
    /// Failed for now: pending again at `next_attempt_at`.
    Retry {
        /// Attempts in all.
        attempts: u32,
        /// Why.
        error: String,
        /// When to try again.
        next_attempt_at: DateTime<Utc>,
    },
    /// Given up on until redriven.
    Dead {
        /// Attempts in all.
        attempts: u32,
        /// Why.
        error: String,
    },
}

impl ActionUpdate {
    /// The state it leads to, its attempts, error and next attempt.
    fn parts(&self) -> (ActionState, u32, Option<&str>, Option<DateTime<Utc>>) {
        match self {
            Self::Done { attempts } => (ActionState::Done, *attempts, None, None),
            Self::Retry {
                attempts,
                error,
                next_attempt_at,
            } => (
                ActionState::Pending,
                *attempts,
                Some(error),
                Some(*next_attempt_at),
            ),
            Self::Dead { attempts, error } => (ActionState::Dead, *attempts, Some(error), None),
        }
    }
}

/// Keeps autopilot actions so each is carried out once.
pub trait ActionLedger: Send + Sync {
    /// Enqueues `actions` as pending, due at `now`; an id already known is left as it is
    /// (a redelivered SLA event enqueues nothing). Returns how many were new.
    fn enqueue(
        &self,
        actions: &[NewAction],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Claims `key` until `now + lease` when it is pending and due, or claimed under a
    /// lapsed lease; otherwise says why not.
    fn claim(
        &self,
        key: &ActionKey,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Records what the claimed attempt came to.
    fn record(
        &self,
        key: &ActionKey,
        update: &ActionUpdate,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A ticket's actions, in the order they were enqueued.
    fn ticket_actions(
        &self,
        tenant: &str,
        ticket_id: &str,
    ) -> impl Future<Output = Result<Vec<ActionRecord>, StoreError>> + Send;

    /// Up to `limit` actions to run at `now` (pending and due, or claimed under a lapsed
    /// lease), in the order they were enqueued.
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<ActionRecord>, StoreError>> + Send;

    /// Up to `limit` dead actions (of `tenant`, or of every tenant), in the order they died.
    fn dead(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<ActionRecord>, StoreError>> + Send;

    /// Makes a dead action pending again, due at once (whatever the runner's clock), with
    /// its attempts reset; `now` is its change time. False when `key` is not dead.
    fn redrive(
        &self,
        key: &ActionKey,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The state changes every backend makes the same way.
impl ActionRecord {
    /// Claims it until `now + lease` when it may be claimed at `now` (`None`); otherwise
    /// the answer refusing the claim.
    fn claim_at(&mut self, now: DateTime<Utc>, lease: Duration) -> Option<Claim> {
        if let Some(refused) = decide(self, now) {
            return Some(refused);
        }
        self.state = ActionState::Claimed;
        self.lease_until = Some(lease_end(now, lease));
        self.next_attempt_at = None;
        self.updated_at = now;
        None
    }

    /// Records what an attempt came to, at `now`.
    fn apply(&mut self, update: &ActionUpdate, now: DateTime<Utc>) {
        let (state, attempts, error, next) = update.parts();
        self.state = state;
        self.attempts = attempts;
        if let Some(error) = error {
            self.last_error = Some(error.to_owned());
        }
        self.next_attempt_at = next;
        self.lease_until = None;
        self.updated_at = now;
    }

    /// Makes it pending again, due at once with its attempts reset, when it is dead;
    /// false otherwise.
    fn redrive_at(&mut self, now: DateTime<Utc>) -> bool {
        if self.state != ActionState::Dead {
            return false;
        }
        self.state = ActionState::Pending;
        self.attempts = 0;
        self.next_attempt_at = None;
        self.updated_at = now;
        true
    }
}

/// `now + lease`, saturating.
fn lease_end(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::TimeDelta::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The claim a record allows at `now` (the memory and SQLite backends share it).
fn decide(record: &ActionRecord, now: DateTime<Utc>) -> Option<Claim> {
    let until = match record.state {
        ActionState::Done => return Some(Claim::Done),
        ActionState::Dead => return Some(Claim::Dead),
        ActionState::Pending => record.next_attempt_at,
        ActionState::Claimed => record.lease_until,
    };
    match until {
        Some(until) if until > now => Some(Claim::Busy { until }),
        _ => None,
    }
}

/// Whether `record` is due at `now`.
fn is_due(record: &ActionRecord, now: DateTime<Utc>) -> bool {
    matches!(record.state, ActionState::Pending | ActionState::Claimed)
        && decide(record, now).is_none()
}
