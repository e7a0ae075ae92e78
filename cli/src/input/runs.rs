//! Sorted runs of keyed lines on disk, merged into one ordered stream: how `sla replay`
//! orders the SLA events of every ticket by instant without holding them all.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// Bytes of a sort key.
const KEY: usize = 24;
/// Runs merged at once (open files); more are merged in rounds.
const MAX_FAN_IN: usize = 128;
/// Read buffer per run while merging.
const READ_BUFFER: usize = 64 << 10;

/// A key whose byte order is the order of (instant, ticket position, index).
pub(crate) type SortKey = [u8; KEY];

/// The key of the `index`th SLA event a ticket first seen at input position `ticket`
/// announced at `at`.
pub(crate) fn sort_key(at: DateTime<Utc>, ticket: u64, index: u32) -> SortKey {
    let mut key = [0; KEY];
    let seconds = (at.timestamp() as u64) ^ (1 << 63);
    key[..8].copy_from_slice(&seconds.to_be_bytes());
    key[8..12].copy_from_slice(&at.timestamp_subsec_nanos().to_be_bytes());
    key[12..20].copy_from_slice(&ticket.to_be_bytes());
    key[20..].copy_from_slice(&index.to_be_bytes());
    key
}

/// Keyed lines gathered in memory, then sorted and written as one run.
#[derive(Default)]
pub(crate) struct RunBuffer {
    text: Vec<u8>,
    entries: Vec<(SortKey, usize, usize)>,
}

impl RunBuffer {
    /// Appends a line written by `write` (without its newline).
    pub(crate) fn push<E>(
        &mut self,
        key: SortKey,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.text.len();
        write(&mut self.text)?;
        self.entries.push((key, start, self.text.len()));
        Ok(())
    }

    /// Sorts the lines by key and writes them to `path`.
    pub(crate) fn write(mut self, path: &Path) -> std::io::Result<()> {
        self.entries.sort_unstable_by_key(|(key, _, _)| *key);
        let mut out = BufWriter::new(File::create(path)?);
        for (key, start, end) in self.entries {
            write_record(&mut out, &key, &self.text[start..end])?;
        }
        out.flush()
    }
}

fn write_record(out: &mut impl Write, key: &SortKey, text: &[u8]) -> std::io::Result<()> {
    out.write_all(key)?;
    out.write_all(&(text.len() as u32).to_le_bytes())?;
    out.write_all(text)
}

/// One run being merged, with its current record.
struct Run {
    reader: BufReader<File>,
    key: SortKey,
    text: Vec<u8>,
}

impl Run {
    fn open(path: &Path) -> std::io::Result<Option<Run>> {
        let reader = BufReader::with_capacity(READ_BUFFER, File::open(path)?);
        let mut run = Run {
            reader,
            key: [0; KEY],
            text: Vec::new(),
        };
        Ok(run.advance()?.then_some(run))
    }

    /// Reads the next record; false at the end.
    fn advance(&mut self) -> std::io::Result<bool> {
        match self.reader.read_exact(&mut self.key) {
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            other => other?,
        }
        let mut len = [0; 4];
        self.reader.read_exact(&mut len)?;
        self.text.resize(u32::from_le_bytes(len) as usize, 0);
        self.reader.read_exact(&mut self.text)?;
        Ok(true)
    }
}

/// Merges sorted runs and hands each line to `emit` in key order (equal keys: run
/// order). More than [`MAX_FAN_IN`] runs are first merged in rounds into files named
/// by `new_file`.
pub(crate) fn merge(
    paths: &[PathBuf],
    new_file: &dyn Fn() -> PathBuf,
    mut emit: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut paths = paths.to_vec();
    while paths.len() > MAX_FAN_IN {
        let mut merged = Vec::new();
        for group in paths.chunks(MAX_FAN_IN) {
            let path = new_file();
            let mut out = BufWriter::new(File::create(&path)?);
            merge_records(group, |key, text| write_record(&mut out, key, text))?;
            out.flush()?;
            merged.push(path);
        }
        paths = merged;
    }
    merge_records(&paths, |_, text| emit(text))
}

fn merge_records(
    paths: &[PathBuf],
    mut emit: impl FnMut(&SortKey, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut runs = Vec::new();
    for path in paths {
        runs.extend(Run::open(path)?);
    }
    let mut heap: BinaryHeap<Reverse<(SortKey, usize)>> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| Reverse((r.key, i)))
        .collect();
    while let Some(Reverse((_, i))) = heap.pop() {
        let run = &mut runs[i];
        emit(&run.key, &run.text)?;
        if run.advance()? {
            heap.push(Reverse((run.key, i)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_runs_merge_in_key_order_in_rounds() {
        let dir = tempfile::tempdir().unwrap();
        let at = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let runs: Vec<PathBuf> = (0..MAX_FAN_IN as u64 + 5)
            .map(|run| {
                let mut buffer = RunBuffer::default();
                for i in 0..3u64 {
                    // Keys interleave across runs; within a run they come unsorted.
                    let ticket = (3 - i) * 1000 + run;
                    let at = at - chrono::Duration::seconds(ticket as i64 % 7);
                    buffer
                        .push(sort_key(at, ticket, 0), |out| write!(out, "{}", ticket))
                        .unwrap();
                }
                let path = dir.path().join(format!("run-{run}"));
                buffer.write(&path).unwrap();
                path
            })
            .collect();
        let count = std::cell::Cell::new(0);
        let new_file = || {
            count.set(count.get() + 1);
            dir.path().join(format!("merged-{}", count.get()))
        };
        let mut merged = Vec::new();
        merge(&runs, &new_file, |line| {
            merged.push(
                String::from_utf8(line.to_vec())
                    .unwrap()
                    .parse::<i64>()
                    .unwrap(),
            );
            Ok(())
        })
        .unwrap();
        let mut expected = merged.clone();
        expected.sort_by_key(|ticket| (-(ticket % 7), *ticket));
        assert_eq!(merged.len(), 3 * runs.len());
        assert_eq!(merged, expected);
        assert_eq!(count.get(), 2, "one round of two merges first");
    }

    #[test]
    fn keys_sort_as_instant_ticket_index() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let keys = [
            sort_key(t("1969-12-31T23:59:59.5Z"), 9, 9),
            sort_key(t("2026-03-02T09:00:00Z"), 2, 1),
            sort_key(t("2026-03-02T09:00:00Z"), 10, 0),
            sort_key(t("2026-03-02T09:00:00.000000001Z"), 0, 0),
        ];
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
