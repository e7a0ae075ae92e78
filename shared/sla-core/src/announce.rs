//! Deterministic SLA event ids and the diff between what the fold produces and what
//! was already announced (new announcements and retractions).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::sla_event::{Metric, SlaEvent, SlaEventType};

/// What makes two announcements "the same": metric, cycle, type and threshold.
type Key<'a> = (Metric, u32, SlaEventType, Option<&'a str>);

fn key(event: &SlaEvent) -> Key<'_> {
    (
        event.metric,
        event.cycle,
        event.kind,
        event.threshold.as_deref(),
    )
}

/// The id of an announcement: a hash of tenant, ticket, metric, cycle, type and
/// threshold; `generation` counts earlier announcements of the same key that were
/// retracted, so an outcome that comes back gets a fresh id.
pub fn event_id(event: &SlaEvent, generation: u32) -> String {
    let mut hasher = Sha256::new();
    for part in [
        event.tenant.as_str(),
        event.ticket_id.as_str(),
        &format!("{:?}", event.metric),
        &event.cycle.to_string(),
        &format!("{:?}", event.kind),
        event.threshold.as_deref().unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    if generation > 0 {
        hasher.update(generation.to_be_bytes());
    }
    hex::encode(&hasher.finalize()[..16])
}

/// The id of the retraction of `retracted_id`.
pub fn retraction_id(retracted_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"retracted\0");
    hasher.update(retracted_id.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// New announcements given everything the fold produces (`produced`) and what was
/// announced before: retractions of announced events the fold no longer produces
/// (stamped `now`), then produced events not yet announced, with their ids.
pub fn diff(produced: &[SlaEvent], announced: &[SlaEvent], now: DateTime<Utc>) -> Vec<SlaEvent> {
    let retracted: HashSet<&str> = announced
        .iter()
        .filter_map(|e| e.retracts.as_deref())
        .collect();
    let mut generations: HashMap<Key, u32> = HashMap::new();
    let mut active: Vec<&SlaEvent> = Vec::new();
    for event in announced
        .iter()
        .filter(|e| e.kind != SlaEventType::Retracted)
    {
        *generations.entry(key(event)).or_default() += 1;
        if !retracted.contains(event.event_id.as_str()) {
            active.push(event);
        }
    }
    let produced_keys: HashSet<Key> = produced.iter().map(key).collect();
    let active_keys: HashSet<Key> = active.iter().map(|e| key(e)).collect();
    let mut out: Vec<SlaEvent> = active
        .iter()
        .filter(|e| !produced_keys.contains(&key(e)))
        .map(|e| retraction(e, now))
        .collect();
    for event in produced.iter().filter(|e| !active_keys.contains(&key(e))) {
        let generation = generations.get(&key(event)).copied().unwrap_or(0);
        out.push(with_id(event, generation));
    }
    out
}

/// `event` with its id for the given generation.
pub fn with_id(event: &SlaEvent, generation: u32) -> SlaEvent {
    SlaEvent {
        event_id: event_id(event, generation),
        ..event.clone()
    }
}

fn retraction(event: &SlaEvent, now: DateTime<Utc>) -> SlaEvent {
    SlaEvent {
        event_id: retraction_id(&event.event_id),
        kind: SlaEventType::Retracted,
        at: now,
        retracts: Some(event.event_id.clone()),
        ..event.clone()
    }
}
