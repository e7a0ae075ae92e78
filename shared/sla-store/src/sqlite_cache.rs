//! The decoded records [`SqliteStore`](crate::SqliteStore) saved last, so the next load
//! of the same version skips decompressing and parsing the row: a helpdesk's burst of
//! webhooks for one ticket, and the sweep publishing the outbox a webhook just recorded,
//! load what was saved a moment before. The store still reads the row's version on every
//! load (another process may write the file) and serves the copy only when it is equal.
//!
//! Bounded by the records' stored size in two generations: entries go to the current
//! one; when it would pass [`DEFAULT_BUDGET`] stored bytes it becomes the previous one
//! and the older is dropped, so the most recently used records, up to twice the budget,
//! stay (a hit in the previous generation moves to the current one). A decoded record
//! takes about 3–5 times its stored size in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::TicketRecord;

/// Stored bytes (as DynamoDB counts an item, read index included) per generation of
/// `sla serve`'s cache: about 4,000 typical records (1.6 KB stored, about 5.5 KB decoded),
/// so the two generations hold at most about 12 MB stored, 45–60 MB decoded.
pub const DEFAULT_BUDGET: usize = 6 << 20;

/// Recently saved records by partition key.
#[derive(Debug)]
pub(crate) struct RecordCache {
    budget: usize,
    generations: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: Generation,
    previous: Generation,
}

/// Records with their stored size, and the sum of those sizes.
#[derive(Debug, Default)]
struct Generation {
    records: HashMap<String, (TicketRecord, usize)>,
    bytes: usize,
}

impl Generation {
    fn take(&mut self, pk: &str) -> Option<(TicketRecord, usize)> {
        let entry = self.records.remove(pk)?;
        self.bytes -= entry.1;
        Some(entry)
    }

    fn put(&mut self, pk: String, record: TicketRecord, bytes: usize) {
        self.bytes += bytes;
        if let Some((_, old)) = self.records.insert(pk, (record, bytes)) {
            self.bytes -= old;
        }
    }
}

impl RecordCache {
    /// A cache of the records saved last, up to `budget` stored bytes per generation (0
    /// disables it).
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            generations: Mutex::new(Generations::default()),
        }
    }

    /// A copy of the record held for `pk`, whatever its version (the caller serves it only
    /// if the row still has that version).
    pub fn get(&self, pk: &str) -> Option<TicketRecord> {
        let mut generations = self.lock();
        if let Some((record, _)) = generations.current.records.get(pk) {
            return Some(record.clone());
        }
        let (record, bytes) = generations.previous.take(pk)?;
        let copy = record.clone();
        self.insert(&mut generations, pk.to_owned(), record, bytes);
        Some(copy)
    }

    /// Holds `record` (as a load of its version would return it), stored in `bytes`, for
    /// `pk`. A record larger than the budget is not held.
    pub fn put(&self, pk: String, record: TicketRecord, bytes: usize) {
        let mut generations = self.lock();
        generations.previous.take(&pk);
        generations.current.take(&pk);
        if bytes <= self.budget {
            self.insert(&mut generations, pk, record, bytes);
        }
    }

    /// Drops what is held for `pk` (its row changed in a way the cache cannot follow).
    pub fn forget(&self, pk: &str) {
        let mut generations = self.lock();
        generations.current.take(pk);
        generations.previous.take(pk);
    }

    fn insert(
        &self,
        generations: &mut Generations,
        pk: String,
        record: TicketRecord,
        bytes: usize,
    ) {
        if generations.current.bytes + bytes > self.budget {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations.current.put(pk, record, bytes);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The maps stay consistent if a holder panicked (each change is one insert or
        // remove with its byte count), so a poisoned lock is used as is.
        self.generations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TicketKey;

    fn record(id: &str, version: u64) -> TicketRecord {
        let mut record = TicketRecord::new(TicketKey::new("acme", id), Default::default());
        record.version = version;
        record
    }

    /// The version held for `pk`, looked up without moving it between generations.
    fn version(cache: &RecordCache, pk: &str) -> Option<u64> {
        let generations = cache.lock();
        let current = generations.current.records.get(pk);
        current
            .or_else(|| generations.previous.records.get(pk))
            .map(|(record, _)| record.version)
    }

    /// Serving it only while the row has that version is the store's part
    /// (`sqlite::tests::another_writers_version_is_read_from_the_file`).
    #[test]
    fn holds_the_version_saved_until_forgotten() {
        let cache = RecordCache::new(400);
        cache.put("a".into(), record("a", 3), 100);
        assert_eq!(version(&cache, "a"), Some(3));
        assert_eq!(cache.get("a"), Some(record("a", 3)));
        cache.forget("a");
        assert_eq!(version(&cache, "a"), None);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn keeps_up_to_two_generations_of_the_most_recent() {
        let cache = RecordCache::new(200);
        for (i, id) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            cache.put(id.into(), record(id, i as u64), 100);
        }
        // current {e}, previous {c, d}: a and b were dropped with the oldest generation.
        assert_eq!(version(&cache, "a"), None);
        assert_eq!(version(&cache, "b"), None);
        assert_eq!(cache.get("c"), Some(record("c", 2)), "moved to current");
        cache.put("f".into(), record("f", 5), 100);
        // c and e filled current, so f started a new one: previous {c, e}, current {f}.
        assert_eq!(version(&cache, "d"), None);
        assert_eq!(version(&cache, "c"), Some(2));
        assert_eq!(version(&cache, "e"), Some(4));
    }

    #[test]
    fn a_new_version_replaces_the_old_and_its_size() {
        let cache = RecordCache::new(200);
        cache.put("a".into(), record("a", 1), 150);
        cache.put("a".into(), record("a", 2), 150);
        cache.put("b".into(), record("b", 1), 50);
        // Had the first copy still counted, b would have started a new generation.
        let generations = cache.lock();
        assert_eq!(generations.current.bytes, 200);
        assert!(generations.previous.records.is_empty());
    }

    #[test]
    fn records_over_the_budget_and_a_zero_budget_hold_nothing() {
        let cache = RecordCache::new(100);
        cache.put("big".into(), record("big", 1), 101);
        assert_eq!(version(&cache, "big"), None);
        let disabled = RecordCache::new(0);
        disabled.put("a".into(), record("a", 1), 1);
        assert_eq!(version(&disabled, "a"), None);
    }
}
