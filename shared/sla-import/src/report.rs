//! What an import could not use (counted by reason) and what it inferred.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Location;

/// Records of one reason that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// How many.
    pub count: u64,
    /// Where the first one is.
    pub first: Location,
}

/// The tally of one import, printed on stderr by `sla import`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Canonical events written.
    pub events: usize,
    /// Records (or fields of records) that could not be used, by reason; `--strict`
    /// makes any of them an error.
    pub skipped: BTreeMap<String, Skipped>,
    /// Records left out on purpose (not about SLAs, duplicates) or values inferred, by
    /// reason: information, never an error.
    pub notes: BTreeMap<String, u64>,
}

impl Report {
    /// Counts a record that could not be used.
    pub(crate) fn skip(&mut self, reason: impl Into<String>, at: &Location) {
        self.skipped
            .entry(reason.into())
            .and_modify(|s| s.count += 1)
            .or_insert_with(|| Skipped {
                count: 1,
                first: at.clone(),
            });
    }

    /// Counts something left out on purpose or inferred.
    pub(crate) fn note(&mut self, reason: impl Into<String>) {
        *self.notes.entry(reason.into()).or_default() += 1;
    }

    /// Total records skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().map(|s| s.count).sum()
    }
}

impl fmt::Display for Report {
    /// One line per reason: `skipped 3 × unknown status "x" (first: f.json: record 1: field ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported {} event(s)", self.events)?;
        for (reason, skipped) in &self.skipped {
            writeln!(
                f,
                "skipped {} × {reason} (first: {})",
                skipped.count, skipped.first
            )?;
        }
        for (reason, count) in &self.notes {
            writeln!(f, "note {count} × {reason}")?;
        }
        Ok(())
    }
}
