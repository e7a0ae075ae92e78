//! Operator tools over dead letters (`sla dead-letters list|redrive`): find the tickets
//! holding them through the store's dead-letter index (never a scan), and put them back
//! in the outbox with their attempts reset, due at once.

use chrono::{DateTime, Utc};
use sla_store::{DeadLetter, OutboxEntry, StoreError, TicketKey, TicketStore};

use crate::retry::{Attempts, ConflictRetry};

/// Tickets fetched per index query.
const PAGE: u32 = 100;

/// One dead letter and its ticket.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Listed {
    /// The ticket's tenant.
    pub tenant: String,
    /// The ticket's id within its tenant.
    pub ticket_id: String,
    #[serde(flatten)]
    /// The dead letter (flattened into the listing's JSON).
    pub letter: DeadLetter,
}

/// Which dead letters an operation takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this tenant's tickets.
    pub tenant: Option<String>,
    /// Only this ticket (by id).
    pub ticket_id: Option<String>,
    /// Only the dead letter of this SLA event.
    pub event_id: Option<String>,
}

impl Filter {
    fn takes_ticket(&self, key: &TicketKey) -> bool {
        self.tenant.as_ref().is_none_or(|t| *t == key.tenant)
            && self.ticket_id.as_ref().is_none_or(|t| *t == key.ticket_id)
    }

    fn takes(&self, letter: &DeadLetter) -> bool {
        self.event_id
            .as_ref()
            .is_none_or(|id| *id == letter.event.event_id)
    }
}

/// Why a dead-letter operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    /// Other writers kept changing the ticket's record; nothing was redriven for it.
    #[error("ticket {0}: still conflicting after {1} attempts")]
    TooManyConflicts(TicketKey, u32),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every ticket holding dead letters that `filter` takes, over every shard.
pub async fn tickets<S: TicketStore>(
    store: &S,
    filter: &Filter,
) -> Result<Vec<TicketKey>, StoreError> {
    let mut found = Vec::new();
    for shard in 0..store.shards().max(1) {
        let mut cursor = None;
        loop {
            let page = store.query_dead_letters(shard, PAGE, cursor).await?;
            found.extend(page.tickets.into_iter().filter(|k| filter.takes_ticket(k)));
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Every dead letter `filter` takes.
pub async fn list<S: TicketStore>(store: &S, filter: &Filter) -> Result<Vec<Listed>, StoreError> {
    let mut listed = Vec::new();
    for key in tickets(store, filter).await? {
        let Some(record) = store.load(&key).await? else {
            continue;
        };
        listed.extend(
            record
                .dead_letters
                .into_iter()
                .filter(|letter| filter.takes(letter))
                .map(|letter| Listed {
                    tenant: key.tenant.clone(),
                    ticket_id: key.ticket_id.clone(),
                    letter,
                }),
        );
    }
    Ok(listed)
}

/// Moves the dead letters `filter` takes back to their outboxes, attempts reset and due
/// at `now`; returns how many were redriven.
pub async fn redrive<S: TicketStore>(
    store: &S,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<u64, DeadLetterError> {
    let mut redriven = 0;
    for key in tickets(store, filter).await? {
        redriven += redrive_ticket(store, &key, filter, now).await?;
    }
    Ok(redriven)
}

async fn redrive_ticket<S: TicketStore>(
    store: &S,
    key: &TicketKey,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<u64, DeadLetterError> {
    let retry = ConflictRetry::default();
    let mut attempts = Attempts::new(&retry, key);
    while attempts.next().await.is_some() {
        let Some(mut record) = store.load(key).await? else {
            return Ok(0);
        };
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut record.dead_letters)
            .into_iter()
            .partition(|letter| filter.takes(letter));
        if taken.is_empty() {
            return Ok(0);
        }
        record.dead_letters = kept;
        let count = taken.len() as u64;
        record.outbox.extend(
            taken
                .into_iter()
                .map(|letter| OutboxEntry::new(letter.event)),
        );
        record.due_at = Some(record.due_at.map_or(now, |due| due.min(now)));
        // Entries wait for publishing again: the record may not expire meanwhile.
        record.expires_at = None;
        match store.save(&record).await {
            Ok(_) => return Ok(count),
            Err(StoreError::Conflict { .. }) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(DeadLetterError::TooManyConflicts(
        key.clone(),
        attempts.used(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record;
    use sla_core::SlaEvent;
    use sla_store::MemoryStore;

    fn now() -> DateTime<Utc> {
        "2026-11-02T12:00:00Z".parse().unwrap()
    }

    fn event(key: &TicketKey, id: &str) -> SlaEvent {
        serde_json::from_value(serde_json::json!({
            "event_id": id, "type": "breached", "tenant": key.tenant, "ticket_id": key.ticket_id,
            "metric": "first_response", "cycle": 1, "policy": "p", "priority": "high",
            "target_seconds": 60, "deadline": "2026-11-01T00:00:00Z",
            "at": "2026-11-01T00:00:00Z", "elapsed_seconds": 60
        }))
        .unwrap()
    }

    async fn stored_with_dead(store: &MemoryStore, key: &TicketKey, ids: &[&str]) {
        let mut rec = record::new_record(key.clone());
        rec.dead_letters = ids
            .iter()
            .map(|id| DeadLetter {
                event: event(key, id),
                attempts: 20,
                last_error: "AccessDenied".into(),
                dead_at: now(),
            })
            .collect();
        rec.expires_at = Some(now());
        store.save(&rec).await.unwrap();
    }

    #[tokio::test]
    async fn lists_and_redrives_with_attempts_reset_and_due_now() {
        let store = MemoryStore::with_shards(4);
        let (a, b) = (TicketKey::new("acme", "1"), TicketKey::new("beta", "2"));
        stored_with_dead(&store, &a, &["e1", "e2"]).await;
        stored_with_dead(&store, &b, &["e3"]).await;
        store
            .save(&record::new_record(TicketKey::new("acme", "3")))
            .await
            .unwrap();

        let all = list(&store, &Filter::default()).await.unwrap();
        let ids: Vec<_> = all
            .iter()
            .map(|l| l.letter.event.event_id.as_str())
            .collect();
        assert_eq!(ids, ["e1", "e2", "e3"]);
        let json = serde_json::to_value(&all[0]).unwrap();
        assert_eq!(
            (json["tenant"].as_str(), json["attempts"].as_u64()),
            (Some("acme"), Some(20))
        );

        let only_e2 = Filter {
            tenant: Some("acme".into()),
            event_id: Some("e2".into()),
            ..Filter::default()
        };
        assert_eq!(redrive(&store, &only_e2, now()).await.unwrap(), 1);
        let rec = store.load(&a).await.unwrap().unwrap();
        assert_eq!(rec.dead_letters.len(), 1, "e1 stays dead");
        assert_eq!(rec.outbox.len(), 1);
        assert_eq!(
            (
                rec.outbox[0].event.event_id.as_str(),
                rec.outbox[0].attempts
            ),
            ("e2", 0)
        );
        assert_eq!((rec.due_at, rec.expires_at), (Some(now()), None));

        assert_eq!(redrive(&store, &Filter::default(), now()).await.unwrap(), 2);
        assert!(list(&store, &Filter::default()).await.unwrap().is_empty());
    }
}
