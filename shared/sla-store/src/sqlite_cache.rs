//! The decoded records [`SqliteStore`](crate::SqliteStore) saved last, so the next load
//! of the same version skips decompressing and parsing the row: a helpdesk's burst of
//! webhooks for one ticket, and the sweep publishing the outbox a webhook just recorded,
//! load what was saved a moment before. The row's version is still read on every load
//! (another process may write the file), and only an equal version is served from here.
//!
//! Bounded by count in two generations: entries go to the current one; when it is full it
//! becomes the previous one and the older is dropped, so between `capacity` and
//! `2 × capacity` of the most recently used records stay (a hit in the previous
//! generation moves to the current one).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::TicketRecord;

/// Records per generation of `sla serve`'s cache (so at most twice as many are held).
pub const DEFAULT_CAPACITY: usize = 4096;

/// Recently saved records by partition key.
#[derive(Debug)]
pub(crate) struct RecordCache {
    capacity: usize,
    generations: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<String, TicketRecord>,
    previous: HashMap<String, TicketRecord>,
}

impl RecordCache {
    /// A cache of up to `2 × capacity` records (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            generations: Mutex::new(Generations::default()),
        }
    }

    /// The version held for `pk`, if any (to ask the row for its blobs only when it
    /// differs).
    pub fn version(&self, pk: &str) -> Option<u64> {
        let generations = self.lock();
        generations
            .current
            .get(pk)
            .or_else(|| generations.previous.get(pk))
            .map(|record| record.version)
    }

    /// A copy of the record held for `pk` at `version`.
    pub fn get(&self, pk: &str, version: u64) -> Option<TicketRecord> {
        let mut generations = self.lock();
        if let Some(record) = generations.current.get(pk) {
            return (record.version == version).then(|| record.clone());
        }
        let record = generations.previous.remove(pk)?;
        let copy = (record.version == version).then(|| record.clone());
        if copy.is_some() {
            self.insert(&mut generations, pk.to_owned(), record);
        }
        copy
    }

    /// Holds `record` (as a load of its version would return it) for `pk`.
    pub fn put(&self, pk: String, record: TicketRecord) {
        if self.capacity == 0 {
            return;
        }
        let mut generations = self.lock();
        generations.previous.remove(&pk);
        self.insert(&mut generations, pk, record);
    }

    /// Drops what is held for `pk` (its row changed in a way the cache cannot follow).
    pub fn forget(&self, pk: &str) {
        let mut generations = self.lock();
        generations.current.remove(pk);
        generations.previous.remove(pk);
    }

    fn insert(&self, generations: &mut Generations, pk: String, record: TicketRecord) {
        if generations.current.len() >= self.capacity && !generations.current.contains_key(&pk) {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations.current.insert(pk, record);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The maps stay consistent if a holder panicked (each operation is one insert or
        // remove), so a poisoned lock is used as is.
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

    #[test]
    fn serves_only_the_version_held() {
        let cache = RecordCache::new(4);
        cache.put("a".into(), record("a", 3));
        assert_eq!(cache.version("a"), Some(3));
        assert_eq!(cache.get("a", 3), Some(record("a", 3)));
        assert_eq!(
            cache.get("a", 4),
            None,
            "another writer's version is not served"
        );
        cache.forget("a");
        assert_eq!(cache.version("a"), None);
    }

    #[test]
    fn keeps_between_one_and_two_generations_of_the_most_recent() {
        let cache = RecordCache::new(2);
        for (i, id) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            cache.put(id.into(), record(id, i as u64));
        }
        // current {e}, previous {c, d}: a and b were dropped with the oldest generation.
        assert_eq!(cache.version("a"), None);
        assert_eq!(cache.version("b"), None);
        assert_eq!(cache.get("c", 2), Some(record("c", 2)), "moved to current");
        cache.put("f".into(), record("f", 5));
        // c and e filled current, so f started a new one: previous {c, e}, current {f}.
        assert_eq!(cache.version("d"), None);
        assert_eq!(cache.version("c"), Some(2));
        assert_eq!(cache.version("e"), Some(4));
    }

    #[test]
    fn a_capacity_of_zero_holds_nothing() {
        let cache = RecordCache::new(0);
        cache.put("a".into(), record("a", 1));
        assert_eq!(cache.version("a"), None);
    }
}
