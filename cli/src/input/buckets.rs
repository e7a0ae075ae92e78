//! Bounded-memory reading of a large event history (`sla replay`, `sla report`).
//!
//! One streaming pass reads each line's tenant, ticket and `at` only (borrowed strings),
//! and appends the line to one of several bucket files in a scratch directory, chosen by
//! a hash of its ticket, so a bucket holds whole tickets. Then each bucket is parsed,
//! grouped and handed to the caller on its own, one bucket per core. Memory is bounded
//! by a bucket ([`BUCKET_BYTES`]; a bucket twice that size is split again by another
//! hash), not by the input, which may be a file, `-` (stdin) or gzip.

use std::borrow::Cow;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sla_core::replay::group_numbered;
use sla_core::TicketEvent;

use super::scratch::Scratch;

/// Input bytes per bucket: about 3× that is in memory per busy core while it replays.
pub(crate) const BUCKET_BYTES: u64 = 8 << 20;
/// At most this many buckets (open files) per split.
const MAX_FAN_OUT: u64 = 256;
/// Buckets when the input's size is unknown (stdin, gzip); big ones are split later.
const UNKNOWN_FAN_OUT: u64 = 32;
/// A bucket is split at most this many times (a single huge ticket cannot be split).
const MAX_DEPTH: u32 = 3;
/// Bytes read per block handed to a parsing thread.
const BLOCK: usize = 1 << 20;
/// Bytes gathered per bucket by a parsing thread before one write.
const FLUSH: usize = 64 << 10;
/// Record header: key hash, line number (both u64), text length (u32), little-endian.
const HEADER: usize = 20;

/// The tickets of one bucket: (input position of the ticket's first event, its events
/// sorted by `at`), in first-appearance order.
pub(crate) type Tickets = Vec<(u64, Vec<TicketEvent>)>;

/// An event history split into buckets of whole tickets on disk.
pub(crate) struct Buckets {
    name: String,
    scratch: Scratch,
    buckets: Vec<PathBuf>,
    bucket_bytes: u64,
    /// Events (non-blank lines) read.
    pub(crate) events: usize,
    /// The latest `at` of any event.
    pub(crate) latest: Option<DateTime<Utc>>,
}

/// The fields read in the first pass.
#[derive(Deserialize)]
struct Key<'a> {
    #[serde(borrow)]
    tenant: Cow<'a, str>,
    #[serde(borrow)]
    ticket_id: Cow<'a, str>,
    at: DateTime<Utc>,
}

/// A bad line: its number (from 0) and the full parser's message.
type BadLine = (u64, String);

/// What one parsing thread saw.
#[derive(Default)]
struct Seen {
    events: usize,
    latest: Option<DateTime<Utc>>,
    bad: Option<BadLine>,
}

/// Why a bucket job stopped.
enum Failure {
    Line(BadLine),
    Other(anyhow::Error),
}

impl Buckets {
    /// Reads `path` (`-`: stdin; gzip is recognised) into buckets; errors name the first
    /// line that is not a canonical event.
    pub(crate) fn read(path: &Path) -> anyhow::Result<Buckets> {
        Self::read_with(path, BUCKET_BYTES)
    }

    /// [`Buckets::read`] with a chosen bucket size (smaller: less memory, more files).
    pub(crate) fn read_with(path: &Path, bucket_bytes: u64) -> anyhow::Result<Buckets> {
        super::return_freed_memory();
        let name = path.display().to_string();
        let (reader, size) = open(path)?;
        let fan_out = size.map_or(UNKNOWN_FAN_OUT, |s| s.div_ceil(bucket_bytes));
        let scratch = Scratch::new()?;
        let sink = Sink::create(&scratch, fan_out.clamp(1, MAX_FAN_OUT))?;
        let seen = split_input(reader, &sink, &name)?;
        let buckets = Buckets {
            name,
            scratch,
            buckets: sink.finish(),
            bucket_bytes,
            events: seen.events,
            latest: seen.latest,
        };
        if let Some(bad) = seen.bad {
            // Lines before it that only the full parser rejects are in the buckets.
            let earlier = buckets.fold_inner(true, &|| (), &|_, _| Ok(())).err();
            return Err(buckets.error(earlier, Some(bad)));
        }
        Ok(buckets)
    }

    /// Hands each bucket's tickets to `job`, one bucket per core, with that core's
    /// accumulator (made by `init`): the accumulators, one per core, in no particular
    /// order, so what is kept does not grow with the number of buckets. Errors name the
    /// first line that is not a canonical event.
    pub(crate) fn fold<T: Send>(
        &self,
        init: &(dyn Fn() -> T + Sync),
        job: &(dyn Fn(&mut T, Tickets) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<Vec<T>> {
        self.fold_inner(false, init, job)
            .map_err(|f| self.error(Some(f), None))
    }

    /// A new file in the scratch directory (deleted with it).
    pub(crate) fn scratch_file(&self, what: &str) -> PathBuf {
        self.scratch.file(what)
    }

    fn error(&self, failure: Option<Failure>, bad: Option<BadLine>) -> anyhow::Error {
        let line = match failure {
            Some(Failure::Other(err)) => return err,
            Some(Failure::Line(line)) => Some(line),
            None => None,
        };
        match [line, bad].into_iter().flatten().min_by_key(|(n, _)| *n) {
            Some((number, err)) => anyhow::anyhow!(
                "{}: line {}: not a canonical ticket event: {err}",
                self.name,
                number + 1
            ),
            None => anyhow::anyhow!("{}: unreadable", self.name),
        }
    }

    /// Runs the bucket queue on all cores; `check_only` parses without calling `job`.
    fn fold_inner<T: Send>(
        &self,
        check_only: bool,
        init: &(dyn Fn() -> T + Sync),
        job: &(dyn Fn(&mut T, Tickets) -> anyhow::Result<()> + Sync),
    ) -> Result<Vec<T>, Failure> {
        let queue = Mutex::new(self.buckets.iter().map(|p| (p.clone(), 0)).collect());
        let failed = AtomicBool::new(check_only);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let outcomes: Vec<(T, Vec<Failure>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| scope.spawn(|| self.work(&queue, &failed, init(), job)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut results = Vec::new();
        let mut first: Option<Failure> = None;
        for (done, failures) in outcomes {
            results.push(done);
            for failure in failures {
                first = Some(match (first, failure) {
                    (Some(Failure::Other(e)), _) | (_, Failure::Other(e)) => Failure::Other(e),
                    (Some(Failure::Line(a)), Failure::Line(b)) => Failure::Line(a.min(b)),
                    (None, f) => f,
                });
            }
        }
        match first {
            Some(failure) => Err(failure),
            None => Ok(results),
        }
    }

    /// One worker: takes buckets off the queue until it is empty.
    fn work<T>(
        &self,
        queue: &Mutex<Vec<(PathBuf, u32)>>,
        failed: &AtomicBool,
        mut done: T,
        job: &(dyn Fn(&mut T, Tickets) -> anyhow::Result<()> + Sync),
    ) -> (T, Vec<Failure>) {
        let mut failures = Vec::new();
        loop {
            let next = queue.lock().map(|mut q| q.pop()).ok().flatten();
            let Some((path, depth)) = next else { break };
            match self.bucket(&path, depth, queue) {
                Ok(None) => {}
                Ok(Some(tickets)) if !failed.load(Ordering::Relaxed) => {
                    if let Err(err) = job(&mut done, tickets) {
                        failures.push(Failure::Other(err));
                    }
                }
                Ok(Some(_)) => {}
                Err(failure) => failures.push(failure),
            }
            if !failures.is_empty() {
                failed.store(true, Ordering::Relaxed);
            }
        }
        (done, failures)
    }

    /// Reads one bucket: its tickets, or `None` when it was split into the queue.
    fn bucket(
        &self,
        path: &Path,
        depth: u32,
        queue: &Mutex<Vec<(PathBuf, u32)>>,
    ) -> Result<Option<Tickets>, Failure> {
        let other = |err: std::io::Error| {
            Failure::Other(anyhow::Error::new(err).context(format!(
                "reading the scratch file {} (of {})",
                path.display(),
                self.name
            )))
        };
        let size = std::fs::metadata(path).map_err(other)?.len();
        if size > 2 * self.bucket_bytes && depth < MAX_DEPTH {
            let fan_out = size.div_ceil(self.bucket_bytes).clamp(2, MAX_FAN_OUT);
            let parts = self.split(path, depth + 1, fan_out).map_err(other)?;
            if let Ok(mut queue) = queue.lock() {
                queue.extend(parts.into_iter().map(|p| (p, depth + 1)));
            }
            return Ok(None);
        }
        let bytes = std::fs::read(path).map_err(other)?;
        let _ = std::fs::remove_file(path);
        parse_bucket(&bytes).map(|events| Some(group_numbered(events)))
    }

    /// Splits an oversized bucket by another hash, streaming.
    fn split(&self, path: &Path, depth: u32, fan_out: u64) -> std::io::Result<Vec<PathBuf>> {
        let sink = Sink::create(&self.scratch, fan_out)?;
        let mut reader = BufReader::with_capacity(FLUSH, File::open(path)?);
        let mut record = Vec::new();
        let mut out: Vec<Vec<u8>> = vec![Vec::new(); sink.len()];
        while next_record(&mut reader, &mut record)? {
            let hash = u64::from_le_bytes(header_field(&record, 0));
            let bucket = pick(hash, depth, sink.len());
            out[bucket].extend_from_slice(&record);
            if out[bucket].len() >= FLUSH {
                sink.append(bucket, &mut out[bucket])?;
            }
        }
        for (bucket, buffer) in out.iter_mut().enumerate() {
            sink.append(bucket, buffer)?;
        }
        drop(reader);
        std::fs::remove_file(path)?;
        Ok(sink.finish())
    }
}

/// Opens the input: `-` is stdin; gzip is decompressed. Also its size when known.
fn open(path: &Path) -> anyhow::Result<(Box<dyn Read + Send>, Option<u64>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let mut reader = BufReader::with_capacity(BLOCK, file);
    let head = reader
        .fill_buf()
        .with_context(|| format!("reading {}", path.display()))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::bufread::MultiGzDecoder::new(reader);
        return Ok((Box::new(gz), None));
    }
    Ok((Box::new(reader), size))
}

/// The bucket files being written, shared by the parsing threads.
struct Sink {
    paths: Vec<PathBuf>,
    files: Vec<Mutex<File>>,
}

impl Sink {
    fn create(scratch: &Scratch, fan_out: u64) -> std::io::Result<Sink> {
        let paths: Vec<PathBuf> = (0..fan_out).map(|_| scratch.file("bucket")).collect();
        let files = paths
            .iter()
            .map(|p| File::create(p).map(Mutex::new))
            .collect::<std::io::Result<_>>()?;
        Ok(Sink { paths, files })
    }

    fn len(&self) -> usize {
        self.files.len()
    }

    /// Appends and empties `buffer`.
    fn append(&self, bucket: usize, buffer: &mut Vec<u8>) -> std::io::Result<()> {
        if buffer.is_empty() {
            return Ok(());
        }
        let mut file = self.files[bucket]
            .lock()
            .map_err(|_| std::io::Error::other("a writer panicked"))?;
        file.write_all(buffer)?;
        buffer.clear();
        Ok(())
    }

    fn finish(self) -> Vec<PathBuf> {
        self.paths
    }
}

/// The first pass: blocks of whole lines go to the parsing threads in turn.
fn split_input(mut reader: Box<dyn Read + Send>, sink: &Sink, name: &str) -> anyhow::Result<Seen> {
    let stop = AtomicBool::new(false);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for _ in 0..workers {
            let (send, receive) = mpsc::sync_channel::<(Vec<u8>, u64)>(2);
            senders.push(send);
            let stop = &stop;
            handles.push(scope.spawn(move || split_blocks(receive, sink, stop)));
        }
        let read = read_blocks(&mut *reader, &senders, &stop);
        drop(senders);
        let mut seen = Seen::default();
        for handle in handles {
            let part = handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
                .context("writing scratch files (is the temporary directory full?)")?;
            seen.events += part.events;
            seen.latest = seen.latest.max(part.latest);
            seen.bad = [seen.bad, part.bad]
                .into_iter()
                .flatten()
                .min_by_key(|b| b.0);
        }
        read.with_context(|| format!("reading {name}"))?;
        Ok(seen)
    })
}

/// Reads blocks ending at a line end and deals them out with their first line number.
fn read_blocks(
    reader: &mut dyn Read,
    senders: &[mpsc::SyncSender<(Vec<u8>, u64)>],
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut carry = Vec::new();
    let mut line = 0u64;
    for turn in 0.. {
        let mut block = std::mem::take(&mut carry);
        let read = reader.take(BLOCK as u64).read_to_end(&mut block)?;
        let end = match block.iter().rposition(|b| *b == b'\n') {
            Some(at) if read > 0 => at + 1,
            None if read > 0 => {
                carry = block;
                continue;
            }
            _ => block.len(),
        };
        carry = block.split_off(end);
        let lines = block.iter().filter(|b| **b == b'\n').count() as u64;
        let last = read == 0;
        if !block.is_empty() && senders[turn % senders.len()].send((block, line)).is_err() {
            break;
        }
        line += lines;
        if last || stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(())
}

/// A parsing thread: reads each line's key and appends the line to its bucket.
fn split_blocks(
    blocks: mpsc::Receiver<(Vec<u8>, u64)>,
    sink: &Sink,
    stop: &AtomicBool,
) -> std::io::Result<Seen> {
    let mut seen = Seen::default();
    let mut out: Vec<Vec<u8>> = vec![Vec::new(); sink.len()];
    for (block, first) in blocks {
        for (number, line) in (first..).zip(block.split(|b| *b == b'\n')) {
            match key_of(line) {
                Ok(None) => {}
                Ok(Some((hash, at))) => {
                    seen.events += 1;
                    seen.latest = seen.latest.max(Some(at));
                    let bucket = pick(hash, 0, sink.len());
                    push_record(&mut out[bucket], hash, number, line);
                    if out[bucket].len() >= FLUSH {
                        sink.append(bucket, &mut out[bucket])?;
                    }
                }
                Err(message) => {
                    seen.bad = seen.bad.or(Some((number, message)));
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
    }
    for (bucket, buffer) in out.iter_mut().enumerate() {
        sink.append(bucket, buffer)?;
    }
    Ok(seen)
}

/// A line's ticket hash and `at`; `None` for a blank line; the full parser's message
/// for a bad one.
fn key_of(line: &[u8]) -> Result<Option<(u64, DateTime<Utc>)>, String> {
    let text = std::str::from_utf8(line).map_err(|err| format!("not UTF-8: {err}"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    if let Some(key) = compact_key(text) {
        return Ok(Some(key));
    }
    match serde_json::from_str::<Key>(text) {
        Ok(key) => Ok(Some((ticket_hash(&key.tenant, &key.ticket_id), key.at))),
        Err(err) => Err(match serde_json::from_str::<TicketEvent>(text) {
            Err(full) => full.to_string(),
            Ok(_) => err.to_string(),
        }),
    }
}

/// The key read straight from the text when the line is compact JSON with plain
/// (unescaped) values, as `sla import` and `sla normalize` write it; `None` leaves the line
/// to the JSON parser. Exact for any valid event: a `"tenant":"` can only be its key (a
/// quote inside a string is escaped; nested objects accept no such field); an invalid
/// line fails the full parse later wherever it goes.
fn compact_key(text: &str) -> Option<(u64, DateTime<Utc>)> {
    let tenant = plain_value(text, "\"tenant\":\"")?;
    let ticket_id = plain_value(text, "\"ticket_id\":\"")?;
    let at = plain_value(text, "\"at\":\"")?.parse().ok()?;
    Some((ticket_hash(tenant, ticket_id), at))
}

/// The value of the first `"name":"value"` (`prefix` is `"name":"`) without escapes.
fn plain_value<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    let rest = text.get(start..)?;
    let value = rest.get(..rest.find('"')?)?;
    (!value.contains('\\')).then_some(value)
}

/// The hash that sends a ticket's lines to one bucket.
fn ticket_hash(tenant: &str, ticket_id: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    (tenant, ticket_id).hash(&mut hasher);
    hasher.finish()
}

/// The bucket of `hash` at split `depth` (each depth mixes the hash differently).
fn pick(hash: u64, depth: u32, buckets: usize) -> usize {
    let mut z = hash ^ u64::from(depth).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) % buckets as u64) as usize
}

fn push_record(out: &mut Vec<u8>, hash: u64, line: u64, text: &[u8]) {
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&line.to_le_bytes());
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text);
}

fn header_field(record: &[u8], at: usize) -> [u8; 8] {
    let mut field = [0; 8];
    if let Some(bytes) = record.get(at..at + 8) {
        field.copy_from_slice(bytes);
    }
    field
}

/// Reads one whole record (header included) into `record`; false at the end.
fn next_record(reader: &mut impl Read, record: &mut Vec<u8>) -> std::io::Result<bool> {
    record.resize(HEADER, 0);
    match reader.read_exact(record) {
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        other => other?,
    }
    let mut len = [0; 4];
    len.copy_from_slice(&record[16..HEADER]);
    let len = u32::from_le_bytes(len) as usize;
    record.resize(HEADER + len, 0);
    reader.read_exact(&mut record[HEADER..])?;
    Ok(true)
}

/// The records of a bucket read whole: (line number, text).
fn records(mut bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    std::iter::from_fn(move || {
        let header = bytes.get(..HEADER)?;
        let number = u64::from_le_bytes(header_field(header, 8));
        let mut len = [0; 4];
        len.copy_from_slice(&header[16..HEADER]);
        let end = HEADER + u32::from_le_bytes(len) as usize;
        let text = bytes.get(HEADER..end)?;
        bytes = &bytes[end..];
        Some((number, text))
    })
}

/// Parses a bucket's records into (line number, event); the first bad line on failure.
fn parse_bucket(bytes: &[u8]) -> Result<Vec<(u64, TicketEvent)>, Failure> {
    let mut events = Vec::new();
    let mut bad: Option<BadLine> = None;
    for (number, text) in records(bytes) {
        match serde_json::from_slice::<TicketEvent>(text) {
            Ok(event) if bad.is_none() => events.push((number, event)),
            Ok(_) => {}
            Err(err) => {
                if bad.as_ref().is_none_or(|(n, _)| number < *n) {
                    bad = Some((number, err.to_string()));
                }
            }
        }
    }
    match bad {
        Some(bad) => Err(Failure::Line(bad)),
        None => Ok(events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_events;

    const GOOD: &str = r#"{"tenant":"acme","ticket_id":"T","event_id":"E","at":"2026-03-02T09:00:00Z","kind":"created"}"#;

    fn lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n")).unwrap();
        path
    }

    fn good(ticket: usize) -> String {
        GOOD.replace(r#""T""#, &format!("\"{ticket}\""))
            .replace(r#""E""#, &format!("\"e{ticket}\""))
    }

    #[test]
    fn errors_name_the_first_bad_line_as_the_in_memory_reader_does() {
        let dir = tempfile::tempdir().unwrap();
        let mut text: Vec<String> = (0..400).map(good).collect();
        // Line 301 fails only the full parse; line 351 already the first pass.
        text[300] = good(300).replace(r#""kind""#, r#""unknown":1,"kind""#);
        text[350] = "{not json".into();
        let both = lines(dir.path(), "both.jsonl", &text);
        text[300] = good(300);
        let first_pass = lines(dir.path(), "first.jsonl", &text);
        text[350] = good(350);
        text[120] = good(120).replace("created", "deleted");
        let second_pass = lines(dir.path(), "second.jsonl", &text);
        for path in [both, first_pass, second_pass] {
            let expected = read_events(&path).unwrap_err().to_string();
            let err = match Buckets::read_with(&path, 512) {
                Ok(buckets) => buckets.fold(&|| (), &|_, _| Ok(())).unwrap_err(),
                Err(err) => err,
            };
            assert_eq!(err.to_string(), expected);
        }
    }

    #[test]
    fn blank_and_crlf_lines_are_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = lines(
            dir.path(),
            "blank.jsonl",
            &["  ".into(), good(1) + "\r", "".into()],
        );
        let buckets = Buckets::read_with(&path, 512).unwrap();
        assert_eq!(buckets.events, 1);
        let keep = |all: &mut Vec<Tickets>, tickets| {
            all.push(tickets);
            Ok(())
        };
        let tickets: Vec<Tickets> = buckets.fold(&Vec::new, &keep).unwrap().concat();
        let all: Vec<(u64, usize)> = tickets
            .iter()
            .flatten()
            .map(|(first, events)| (*first, events.len()))
            .collect();
        // The ticket's first event is on the second line (position 1).
        assert_eq!(all, vec![(1, 1)]);
        let empty = lines(dir.path(), "empty.jsonl", &["".into()]);
        let buckets = Buckets::read(&empty).unwrap();
        assert_eq!((buckets.events, buckets.latest), (0, None));
    }

    #[test]
    fn the_compact_key_is_the_json_parser_s_key() {
        let lines = [
            good(7),
            good(7).replace(':', ": "),
            good(7).replace(r#""acme""#, r#""ac\u006de""#),
            good(7).replace("09:00:00Z", "11:00:00+02:00"),
            good(7).replace(r#"{"tenant""#, r#"{"vendor":"x\"tenant\":\"y","tenant""#),
        ];
        let expected = key_of(good(7).as_bytes()).unwrap();
        for line in &lines {
            let parsed: Key = serde_json::from_str(line).unwrap();
            let by_parser = Some((ticket_hash(&parsed.tenant, &parsed.ticket_id), parsed.at));
            assert_eq!(by_parser, expected, "{line}");
            assert_eq!(key_of(line.as_bytes()).unwrap(), expected, "{line}");
        }
        assert!(compact_key(&lines[0]).is_some());
        assert!(compact_key(&lines[1]).is_none() && compact_key(&lines[2]).is_none());
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = Buckets::read(Path::new("/nonexistent/events.jsonl"))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("/nonexistent/events.jsonl"),
            "{err}"
        );
    }
}
