//! A ticket's SLA record: its ordered, de-duplicated event history and what has been
//! announced, with the operations every entry point uses (`ingest`, `advance`,
//! `evaluate`, `compact`, `snapshot`).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::announce;
use crate::attributes::TicketAttributes;
use crate::clock::fold::{is_counting_comment, Fold};
use crate::clock::state::TicketState;
use crate::clock::summarize;
use crate::event::{EventKind, Status, TicketEvent};
use crate::policy::PolicySet;
use crate::sla_event::{SlaEvent, SlaEventType};
use crate::snapshot::{self, Snapshot, SnapshotLimits};

/// Everything the engine needs to know about one ticket, persisted by the stores as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketSla {
    /// Events in `at` order (ties: arrival order), duplicates dropped.
    pub history: Vec<TicketEvent>,
    /// Events already announced (kept for de-duplication and retractions); those of
    /// cycles folded away by a snapshot are dropped.
    pub announced: Vec<SlaEvent>,
    /// Sorted 64-bit hashes (FNV-1a) of the ids of events removed by `compact`, or
    /// folded into the snapshot at its point, so their redelivery is still recognised
    /// as a duplicate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compacted_ids: Vec<u64>,
    /// The latest instant of an event whose id hash is in `compacted_ids` (None for
    /// records stored before it was tracked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compacted_through: Option<DateTime<Utc>>,
    /// The settled past folded away by [`TicketSla::snapshot`]; `history` continues it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
}

/// A `TicketSla` plus an in-memory fold of its history, for callers that advance the
/// same ticket many times (`sla replay`): events appended in order and timers are
/// folded incrementally instead of re-folding the whole history at each call.
/// Results are identical to `TicketSla`'s.
#[derive(Debug, Clone, Default)]
pub struct CachedTicket {
    sla: TicketSla,
    runtime: Runtime,
}

#[derive(Debug, Clone, Default)]
struct Runtime {
    fold: Option<Box<Fold>>,
    ids: Option<HashSet<u64>>,
    /// `announced.len()` right after the cached fold's last diff, when every produced
    /// event was announced and nothing was ever retracted.
    clean_announced: Option<usize>,
}

/// Outcome of offering an event to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// New to the ticket.
    Inserted,
    /// Already seen (same `event_id`), ignored.
    Duplicate,
}

/// Result of evaluating a ticket at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Advance {
    /// Newly due announcements (including retractions), now recorded as announced.
    pub new_events: Vec<SlaEvent>,
    /// The next instant at which something will become due, if any.
    pub next_due: Option<DateTime<Utc>>,
}

/// FNV-1a: a stable 64-bit hash of an event id (stable across processes and versions).
fn id_hash(event_id: &str) -> u64 {
    event_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl TicketSla {
    /// Inserts `event` in order, ignoring an `event_id` seen before.
    pub fn ingest(&mut self, event: TicketEvent) -> Ingested {
        ingest(self, &mut Runtime::default(), event)
    }

    /// Folds the history under `policies`, announces what is due at `now`: new
    /// warnings, breaches, met and cancelled events, and retractions of announced
    /// events the fold no longer produces. Records them in `announced`. Events stamped
    /// after `now` wait; `next_due` is then at most the first of them.
    pub fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        advance(self, &mut Runtime::default(), policies, now)
    }

    /// The ticket's clocks as of `now` (pure: nothing is recorded).
    pub fn evaluate(&self, policies: &PolicySet, now: DateTime<Utc>) -> TicketState {
        evaluate(self, None, policies, now)
    }

    /// Keeps the record small without changing any fold result: when the history holds
    /// more than `max_events` events, drops (oldest first, until `max_events` remain or
    /// none qualifies) events that change nothing the engine reads: not the first event,
    /// not a public agent or customer comment, and no change to status, priority,
    /// channel, group, segment, tags or vendor. Their id hashes go to `compacted_ids`.
    ///
    /// A late event later inserted before a dropped update is folded as if that update
    /// never existed; that differs only if the late event changed an attribute which
    /// the dropped update would have set back (helpdesks send full snapshots, so the
    /// next kept event normally carries it too).
    pub fn compact(&mut self, max_events: usize) {
        if self.history.len() <= max_events {
            return;
        }
        let mut excess = self.history.len() - max_events;
        let mut attributes = TicketAttributes::default();
        let mut keep = Vec::with_capacity(self.history.len());
        for (index, event) in std::mem::take(&mut self.history).into_iter().enumerate() {
            let inert = index > 0
                && event.kind != EventKind::Created
                && !is_counting_comment(&event)
                && attributes.change_from(&event).is_none();
            if inert && excess > 0 {
                excess -= 1;
                self.compacted_ids.push(id_hash(&event.event_id));
                self.compacted_through = self.compacted_through.max(Some(event.at));
            } else {
                attributes.apply(&event);
                keep.push(event);
            }
        }
        self.history = keep;
        self.compacted_ids.sort_unstable();
        self.compacted_ids.dedup();
    }

    /// Bounds the record by the ticket's open cycles: when the history holds more than
    /// `limits.above` events and everything due at `now` is announced (call it right
    /// after [`TicketSla::advance`] at the same `now`), folds all but the newest
    /// `limits.keep` events (none after `now`) into `snapshot`, dropping finished cycles
    /// and their entries in `announced`. Later folds give the same results, except that
    /// an event stamped before the snapshot point is then ignored as a `Duplicate`
    /// (see [`crate::snapshot`]). Returns whether a snapshot was taken.
    pub fn snapshot(
        &mut self,
        policies: &PolicySet,
        now: DateTime<Utc>,
        limits: &SnapshotLimits,
    ) -> bool {
        if self.history.len() <= limits.above {
            return false;
        }
        let Some(cut) = snapshot::cut(&self.history, now, limits.keep) else {
            return false;
        };
        let mut fold = snapshot::start(self.snapshot.as_ref(), policies);
        for event in &self.history[..cut] {
            fold.apply(policies, event);
        }
        let mut prefix = fold.clone();
        for event in self.history[cut..].iter().take_while(|e| e.at <= now) {
            fold.apply(policies, event);
        }
        fold.fire(policies, now, true);
        if !announce::diff(&fold.produced, &self.announced, now).is_empty() {
            return false;
        }
        let point = self.history[cut - 1].at;
        let dropped = prefix.prune_to_snapshot();
        self.announced
            .retain(|e| !dropped.contains(&(e.metric, e.cycle)));
        self.keep_ids_at(point, cut);
        self.history.drain(..cut);
        self.snapshot = Some(Snapshot {
            at: point,
            fold: prefix,
        });
        true
    }

    /// The ticket's latest known status (from the history, else the snapshot).
    pub fn current_status(&self) -> Option<Status> {
        self.history
            .iter()
            .rev()
            .find_map(|e| e.ticket.status)
            .or_else(|| self.snapshot.as_ref()?.fold.attrs.status)
    }

    /// The instant of the ticket's latest event (from the history, else the snapshot).
    pub fn last_event_at(&self) -> Option<DateTime<Utc>> {
        self.history
            .last()
            .map(|e| e.at)
            .or_else(|| self.snapshot.as_ref().map(|s| s.at))
    }

    /// The ticket's attributes after its latest event (the snapshot's, then the history's).
    pub fn attributes(&self) -> TicketAttributes {
        let mut attributes = self
            .snapshot
            .as_ref()
            .map(|s| s.fold.attrs.clone())
            .unwrap_or_default();
        for event in &self.history {
            attributes.apply(event);
        }
        attributes
    }

    /// Before folding `history[..cut]` up to `point`: keeps only the id hashes a later
    /// duplicate check still needs, those of events stamped at `point` or later.
    fn keep_ids_at(&mut self, point: DateTime<Utc>, cut: usize) {
        if self.compacted_through.is_some_and(|t| t < point) {
            self.compacted_ids.clear();
        }
        let at_point = self.history[..cut].iter().filter(|e| e.at == point);
        self.compacted_ids
            .extend(at_point.map(|e| id_hash(&e.event_id)));
        self.compacted_ids.sort_unstable();
        self.compacted_ids.dedup();
        self.compacted_through = self.compacted_through.max(Some(point));
    }
}

impl CachedTicket {
    /// Wraps a record (the cache starts empty).
    pub fn new(sla: TicketSla) -> CachedTicket {
        CachedTicket {
            sla,
            runtime: Runtime::default(),
        }
    }

    /// The record.
    pub fn sla(&self) -> &TicketSla {
        &self.sla
    }

    /// Unwraps the record.
    pub fn into_inner(self) -> TicketSla {
        self.sla
    }

    /// Same as [`TicketSla::ingest`].
    pub fn ingest(&mut self, event: TicketEvent) -> Ingested {
        let history = &self.sla.history;
        self.runtime
            .ids
            .get_or_insert_with(|| history.iter().map(|e| id_hash(&e.event_id)).collect());
        ingest(&mut self.sla, &mut self.runtime, event)
    }

    /// Same as [`TicketSla::advance`].
    pub fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        advance(&mut self.sla, &mut self.runtime, policies, now)
    }

    /// Same as [`TicketSla::evaluate`].
    pub fn evaluate(&self, policies: &PolicySet, now: DateTime<Utc>) -> TicketState {
        evaluate(&self.sla, self.runtime.fold.as_deref(), policies, now)
    }
}

fn ingest(sla: &mut TicketSla, runtime: &mut Runtime, event: TicketEvent) -> Ingested {
    let before_snapshot = sla.snapshot.as_ref().is_some_and(|s| event.at < s.at);
    if before_snapshot || has_seen(sla, runtime, &event.event_id) {
        return Ingested::Duplicate;
    }
    let position = sla.history.partition_point(|e| e.at <= event.at);
    let fold_still_valid = position == sla.history.len()
        && runtime
            .fold
            .as_ref()
            .is_none_or(|fold| fold.fired_through.is_none_or(|t| event.at > t));
    if !fold_still_valid {
        runtime.fold = None;
    }
    if let Some(ids) = &mut runtime.ids {
        ids.insert(id_hash(&event.event_id));
    }
    sla.history.insert(position, event);
    Ingested::Inserted
}

fn has_seen(sla: &TicketSla, runtime: &mut Runtime, event_id: &str) -> bool {
    let hash = id_hash(event_id);
    if sla.compacted_ids.binary_search(&hash).is_ok() {
        return true;
    }
    let in_history = || sla.history.iter().any(|e| e.event_id == event_id);
    match &runtime.ids {
        Some(ids) => ids.contains(&hash) && in_history(),
        None => in_history(),
    }
}

fn advance(
    sla: &mut TicketSla,
    runtime: &mut Runtime,
    policies: &PolicySet,
    now: DateTime<Utc>,
) -> Advance {
    let (mut fold, continued) = take_fold(sla, runtime, policies, now);
    let produced_before = fold.produced.len();
    for event in sla.history[fold.applied..]
        .iter()
        .take_while(|e| e.at <= now)
    {
        fold.apply(policies, event);
    }
    fold.fire(policies, now, true);
    let incremental = continued && runtime.clean_announced == Some(sla.announced.len());
    let new_events = if incremental {
        fold.produced[produced_before..]
            .iter()
            .map(|e| announce::with_id(e, 0))
            .collect()
    } else {
        announce::diff(&fold.produced, &sla.announced, now)
    };
    sla.announced.extend(new_events.iter().cloned());
    let never_retracted = incremental
        || !sla
            .announced
            .iter()
            .any(|e| e.kind == SlaEventType::Retracted);
    runtime.clean_announced = never_retracted.then_some(sla.announced.len());
    // An event stamped after `now` (clock skew) is folded once `now` reaches it.
    let future_event = sla.history.get(fold.applied).map(|e| e.at);
    let next_due = match (fold.next_due(), future_event) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    runtime.fold = Some(fold);
    Advance {
        new_events,
        next_due,
    }
}

/// The cached fold when it is a valid prefix for `now`, else a fresh one.
fn take_fold(
    sla: &TicketSla,
    runtime: &mut Runtime,
    policies: &PolicySet,
    now: DateTime<Utc>,
) -> (Box<Fold>, bool) {
    let history = &sla.history;
    let cached = runtime.fold.take().filter(|fold| {
        fold.fingerprint == policies.fingerprint()
            && fold.applied <= history.len()
            && fold.fired_through.is_none_or(|t| t <= now)
            && (fold.applied == 0
                || fold.last_event_id.as_deref()
                    == Some(history[fold.applied - 1].event_id.as_str()))
            && history
                .get(fold.applied)
                .is_none_or(|next| fold.fired_through.is_none_or(|t| next.at > t))
    });
    match cached {
        Some(fold) => (fold, true),
        None => (
            Box::new(snapshot::start(sla.snapshot.as_ref(), policies)),
            false,
        ),
    }
}

fn evaluate(
    sla: &TicketSla,
    cached: Option<&Fold>,
    policies: &PolicySet,
    now: DateTime<Utc>,
) -> TicketState {
    let applied = sla.history.partition_point(|e| e.at <= now);
    let cached = cached.filter(|fold| {
        fold.fingerprint == policies.fingerprint()
            && fold.fired_through == Some(now)
            && fold.applied == applied
            && (applied == 0
                || fold.last_event_id.as_deref()
                    == Some(sla.history[applied - 1].event_id.as_str()))
    });
    let fresh;
    let fold = match cached {
        Some(fold) => fold,
        None => {
            fresh = fold_at(sla, policies, now);
            &fresh
        }
    };
    let mut state = summarize(fold, policies, now);
    state.announcements = state
        .announcements
        .iter()
        .map(|e| announce::with_id(e, 0))
        .collect();
    state
}

fn fold_at(sla: &TicketSla, policies: &PolicySet, now: DateTime<Utc>) -> Fold {
    let mut fold = snapshot::start(sla.snapshot.as_ref(), policies);
    for event in sla.history.iter().take_while(|e| e.at <= now) {
        fold.apply(policies, event);
    }
    fold.fire(policies, now, true);
    fold
}
