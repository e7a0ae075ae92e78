//! The in-process ledger (tests, replays).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{
    is_due, ActionKey, ActionLedger, ActionRecord, ActionState, ActionUpdate, Claim, NewAction,
};
use crate::StoreError;

/// Actions in a map, each with its enqueue sequence number; clones share the map.
#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    actions: Arc<Mutex<HashMap<ActionKey, (u64, ActionRecord)>>>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ActionKey, (u64, ActionRecord)>> {
        self.actions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The records passing `keep`, in enqueue order.
    fn select(&self, keep: impl Fn(&ActionRecord) -> bool) -> Vec<(u64, ActionRecord)> {
        let mut found: Vec<_> = self
            .lock()
            .values()
            .filter(|(_, record)| keep(record))
            .cloned()
            .collect();
        found.sort_by_key(|(seq, _)| *seq);
        found
    }
}

impl ActionLedger for MemoryLedger {
    async fn enqueue(
        &self,
        actions: &[NewAction],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut map = self.lock();
        let mut added = 0;
        for action in actions {
            if map.contains_key(&action.key) {
                continue;
            }
            let seq = map.len() as u64;
            let record = ActionRecord {
                key: action.key.clone(),
                payload: action.payload.clone(),
                state: ActionState::Pending,
                attempts: 0,
                last_error: None,
                next_attempt_at: Some(now),
                lease_until: None,
                updated_at: now,
            };
            map.insert(action.key.clone(), (seq, record));
            added += 1;
        }
        Ok(added)
    }

    async fn claim(
        &self,
        key: &ActionKey,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let mut map = self.lock();
        let Some((_, record)) = map.get_mut(key) else {
            return Ok(Claim::Unknown);
        };
        Ok(record
            .claim_at(now, lease)
            .unwrap_or_else(|| Claim::Acquired(record.clone())))
    }

    async fn record(
        &self,
        key: &ActionKey,
        update: &ActionUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut map = self.lock();
        let Some((_, record)) = map.get_mut(key) else {
            return Err(StoreError::Backend(format!(
                "recording unknown action {}",
                key.action_id
            )));
        };
        record.apply(update, now);
        Ok(())
    }

    async fn ticket_actions(
        &self,
        tenant: &str,
        ticket_id: &str,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let found = self.select(|r| r.key.tenant == tenant && r.key.ticket_id == ticket_id);
        Ok(found.into_iter().map(|(_, record)| record).collect())
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ActionRecord>, StoreError> {
        let found = self.select(|r| is_due(r, now));
        Ok(found.into_iter().take(limit).map(|(_, r)| r).collect())
    }

    async fn dead(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let mut found = self
            .select(|r| r.state == ActionState::Dead && tenant.is_none_or(|t| t == r.key.tenant));
        found.sort_by_key(|(seq, record)| (record.updated_at, *seq));
        Ok(found.into_iter().take(limit).map(|(_, r)| r).collect())
    }

    async fn redrive(&self, key: &ActionKey, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut map = self.lock();
        Ok(map
            .get_mut(key)
            .is_some_and(|(_, record)| record.redrive_at(now)))
    }
}
