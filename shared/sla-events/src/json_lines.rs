//! Sinks writing one JSON object (the `SlaEvent`) per line: stdout and an append-only file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sla_core::SlaEvent;

use crate::{EventSink, PublishReport, SinkError};

/// The events as JSON lines, each ending in `\n`.
fn to_lines(events: &[SlaEvent]) -> Result<Vec<u8>, SinkError> {
    let mut out = Vec::new();
    for event in events {
        serde_json::to_writer(&mut out, event).map_err(|e| {
            SinkError::Backend(format!("event {} does not serialize: {e}", event.event_id))
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

fn all_published(events: &[SlaEvent]) -> PublishReport {
    PublishReport {
        published: events.iter().map(|e| e.event_id.clone()).collect(),
        failed: Vec::new(),
    }
}

/// Writes events to standard output as JSON lines (local mode).
#[derive(Debug, Clone, Copy, Default)]
pub struct StdoutSink;

impl StdoutSink {
    /// A sink on this process's stdout.
    pub fn new() -> Self {
        Self
    }
}

impl EventSink for StdoutSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let lines = to_lines(events)?;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&lines)
            .and_then(|()| stdout.flush())
            .map_err(|e| SinkError::Backend(format!("writing events to stdout: {e}")))?;
        Ok(all_published(events))
    }
}

/// Appends events to a file as JSON lines and syncs it to disk before reporting them
/// published, so a crash after `publish` returns loses none.
#[derive(Debug, Clone)]
pub struct JsonLinesFileSink {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

impl JsonLinesFileSink {
    /// Opens `path` for appending, creating it if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SinkError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                SinkError::Backend(format!("opening event file {}: {e}", path.display()))
            })?;
        Ok(Self {
            path,
            file: Arc::new(Mutex::new(file)),
        })
    }

    /// The file events are appended to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl EventSink for JsonLinesFileSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let lines = to_lines(events)?;
        let file = Arc::clone(&self.file);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            file.write_all(&lines).and_then(|()| file.sync_data())
        })
        .await
        .map_err(|e| SinkError::Backend(format!("event file writer task failed: {e}")))?
        .map_err(|e| SinkError::Backend(format!("appending events to {}: {e}", path.display())))?;
        Ok(all_published(events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_events::event;

    #[tokio::test]
    async fn file_sink_appends_one_json_object_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let sink = JsonLinesFileSink::open(&path).unwrap();
        let report = sink.publish(&[event("a"), event("b")]).await.unwrap();
        assert_eq!(report.published, ["a", "b"]);
        let reopened = JsonLinesFileSink::open(&path).unwrap();
        reopened.publish(&[event("c")]).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|line| serde_json::from_str::<SlaEvent>(line).unwrap().event_id)
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn lines_are_the_event_json() {
        let lines = to_lines(&[event("x")]).unwrap();
        let text = String::from_utf8(lines).unwrap();
        assert!(text.ends_with('\n') && text.matches('\n').count() == 1);
        let value: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(value["event_id"], "x");
        assert_eq!(value["type"], "breached");
    }

    #[test]
    fn file_sink_names_the_path_it_cannot_open() {
        let err = JsonLinesFileSink::open("/nonexistent-dir/events.jsonl").unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent-dir/events.jsonl"),
            "{err}"
        );
    }
}
