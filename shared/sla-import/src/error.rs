//! Why an import failed as a whole.

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

use crate::report::Skipped;

/// Where in the input a record is: file, record number (1-based) and field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or `<stdin>`, or the name a test gave).
    pub file: String,
    /// The record's number in the file (1-based): a JSON line, a CSV row, or an item of
    /// the document's list.
    pub record: usize,
    /// The field path inside the record (`events[2].value`), empty for the whole record.
    pub field: String,
}

impl Location {
    /// The same record, at a field path below this one.
    pub fn within(&self, field: impl fmt::Display) -> Location {
        Location {
            file: self.file.clone(),
            record: self.record,
            field: if self.field.is_empty() {
                field.to_string()
            } else {
                format!("{}.{field}", self.field)
            },
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: record {}", self.file, self.record)?;
        if !self.field.is_empty() {
            write!(f, ": field {}", self.field)?;
        }
        Ok(())
    }
}

/// A failed import.
#[derive(Debug, Error)]
pub enum ImportError {
    /// A file or directory could not be read.
    #[error("{path}: cannot read: {reason}")]
    Read {
        /// The file or directory, as given.
        path: String,
        /// Why (shown in the message, so not chained as a source).
        reason: std::io::Error,
    },
    /// A file is not JSON, JSON lines or CSV of the expected shape.
    #[error("{at}: {reason}")]
    Malformed {
        /// Where: file, record and, when known, line and column.
        at: Location,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// `--strict`: some records could not be used (counts by reason).
    #[error("--strict: {} record(s) could not be used: {}", total(.0), list(.0))]
    Strict(BTreeMap<String, Skipped>),
}

fn total(skipped: &BTreeMap<String, Skipped>) -> u64 {
    skipped.values().map(|s| s.count).sum()
}

fn list(skipped: &BTreeMap<String, Skipped>) -> String {
    skipped
        .iter()
        .map(|(reason, s)| format!("{} × {reason} (first: {})", s.count, s.first))
        .collect::<Vec<_>>()
        .join("; ")
}
