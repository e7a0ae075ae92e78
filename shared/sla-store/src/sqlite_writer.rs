//! Group commit for [`SqliteStore`](crate::SqliteStore) saves: concurrent saves are queued
//! to one writer thread, which runs everything queued in one transaction and one fsync
//! (WAL, `synchronous=FULL`), then answers each caller. A caller is answered only after
//! its batch committed, so an acknowledged save survives a crash or power loss.
//!
//! Each save runs in its own savepoint: a save that fails (a version conflict changes no
//! row; an error rolls its savepoint back) fails alone, the rest of the batch commits.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use crate::StoreError;

/// Most saves committed in one transaction.
const MAX_BATCH: usize = 256;

/// One save: its statements, run on the writer's connection inside the batch
/// transaction; returns the rows changed (0: version conflict).
pub(crate) type SaveFn = Box<dyn FnOnce(&Connection) -> Result<usize, StoreError> + Send>;

struct Job {
    save: SaveFn,
    reply: oneshot::Sender<Result<usize, StoreError>>,
}

/// The queue to the writer thread; the thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub(crate) struct GroupWriter {
    queue: Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl GroupWriter {
    /// Starts the writer thread over `conn` (shared with readers for in-memory
    /// databases, its own connection for files).
    pub fn start(conn: Arc<Mutex<Connection>>) -> Result<Self, StoreError> {
        let (queue, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("sla-sqlite-writer".into())
            .spawn(move || run(&conn, &jobs))
            .map_err(|e| StoreError::Backend(format!("starting the SQLite writer: {e}")))?;
        Ok(Self { queue })
    }

    /// Runs `save` in the next batch; resolves once that batch committed.
    pub async fn save(&self, save: SaveFn) -> Result<usize, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { save, reply })
            .map_err(|_| StoreError::Backend("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the SQLite writer dropped a save".into()))?
    }
}

fn run(conn: &Mutex<Connection>, jobs: &Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (saves, replies): (Vec<SaveFn>, Vec<_>) =
            batch.into_iter().map(|job| (job.save, job.reply)).unzip();
        let results = {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            commit_batch(&mut guard, saves)
        };
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that went away (its request was cancelled) needs no answer.
            let _ = reply.send(result);
        }
    }
}

/// Runs `saves` in one transaction, each in a savepoint; one result per save. When the
/// commit fails, every save fails.
fn commit_batch(conn: &mut Connection, saves: Vec<SaveFn>) -> Vec<Result<usize, StoreError>> {
    let count = saves.len();
    let failed = |e: rusqlite::Error, doing: &str| {
        (0..count)
            .map(|_| Err(StoreError::Backend(format!("SQLite {doing}: {e}"))))
            .collect()
    };
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return failed(e, "starting a batch of saves"),
    };
    let mut results = Vec::with_capacity(count);
    for save in saves {
        results.push(in_savepoint(&mut tx, save));
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => failed(e, "committing a batch of saves"),
    }
}

/// Runs one save in a savepoint, rolled back when it fails.
fn in_savepoint(tx: &mut rusqlite::Transaction<'_>, save: SaveFn) -> Result<usize, StoreError> {
    let savepoint = tx
        .savepoint()
        .map_err(|e| StoreError::Backend(format!("SQLite opening a savepoint: {e}")))?;
    let run = std::panic::AssertUnwindSafe(|| save(&savepoint));
    let changed = std::panic::catch_unwind(run)
        .map_err(|_| StoreError::Backend("a save panicked; it was rolled back".into()))??;
    savepoint
        .commit()
        .map_err(|e| StoreError::Backend(format!("SQLite releasing a savepoint: {e}")))?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (GroupWriter, Arc<Mutex<Connection>>) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY)")
            .unwrap();
        let conn = Arc::new(Mutex::new(conn));
        (GroupWriter::start(Arc::clone(&conn)).unwrap(), conn)
    }

    fn insert(k: i64, fail: bool) -> SaveFn {
        Box::new(move |conn| {
            conn.execute("INSERT INTO t (k) VALUES (?1)", [k])
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            if fail {
                return Err(StoreError::Backend(format!("save {k} fails")));
            }
            Ok(1)
        })
    }

    /// Concurrent saves share batches; one that fails after writing is rolled back
    /// alone and answered with its error, the others commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_save_fails_alone() {
        let (writer, conn) = writer();
        let mut saves = tokio::task::JoinSet::new();
        for k in 0..60 {
            let writer = writer.clone();
            saves.spawn(async move { (k, writer.save(insert(k, k % 7 == 0)).await) });
        }
        while let Some(done) = saves.join_next().await {
            let (k, result) = done.unwrap();
            match result {
                Ok(changed) => assert!(k % 7 != 0 && changed == 1, "{k}"),
                Err(err) => assert!(k % 7 == 0 && err.to_string().contains("fails"), "{k}"),
            }
        }
        let conn = conn.lock().unwrap();
        let stored: Vec<i64> = conn
            .prepare("SELECT k FROM t ORDER BY k")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Vec<i64> = (0..60).filter(|k| k % 7 != 0).collect();
        assert_eq!(stored, expected);
    }

    /// A panicking save is rolled back and answered; the writer keeps serving.
    #[tokio::test]
    async fn a_panicking_save_does_not_stop_the_writer() {
        let (writer, _conn) = writer();
        let err = writer
            .save(Box::new(|_| panic!("bug in a save")))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        assert_eq!(writer.save(insert(1, false)).await.unwrap(), 1);
    }
}
