//! The embedded store: one SQLite file in WAL mode, the same row shape as the DynamoDB
//! item (the outbox lives in the ticket's row, so it survives a crash before delivery).
//! rusqlite is synchronous: reads run on tokio's blocking pool over a mutex'd connection
//! (a ticket's load on the calling thread when that connection is free); saves are
//! group-committed by one writer thread (`sqlite_writer`).
//! Files of the first format (without the dead-letter columns) are upgraded on open.

use std::path::Path;
use std::sync::{Arc, Mutex, TryLockError};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::codec::{ceil_seconds, StoredRow};
use crate::cursor::DueCursor;
use crate::queue::{QueuePage, QueueQuery, QueueStore, TicketCompletion};
use crate::sqlite_cache::{self, RecordCache};
use crate::sqlite_index;
use crate::sqlite_writer::GroupWriter;
use crate::{
    delivery_key, DeadLetterPage, DuePage, DueTicket, StoreError, TicketKey, TicketRecord,
    TicketStore,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tickets (
    pk         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    ticket_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    sla        BLOB NOT NULL,
    outbox     BLOB NOT NULL,
    due_at     INTEGER,
    expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS tickets_due_at ON tickets (due_at, pk) WHERE due_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS deliveries (
    pk         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_expires_at ON deliveries (expires_at);
CREATE TABLE IF NOT EXISTS sweep_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

/// Columns added after the first format, with their type; added on open when missing.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("dead_letters", "BLOB"),
    ("dead_at", "INTEGER"),
    ("read_index", "TEXT"),
];

/// Indexes over the added columns (created once they exist).
const ADDED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS tickets_dead_at ON tickets (dead_at, pk) WHERE dead_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_expires_at ON tickets (expires_at) WHERE expires_at IS NOT NULL;
";

/// A ticket store in one SQLite database; one shard.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Saves, group-committed by one writer thread (see `sqlite_writer`).
    writer: GroupWriter,
    /// The records saved last, decoded (see `sqlite_cache`).
    cache: Arc<RecordCache>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, in WAL mode, with the schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let open = || {
            Connection::open(path).map_err(|e| {
                StoreError::Backend(format!("opening SQLite database {}: {e}", path.display()))
            })
        };
        let conn = Arc::new(Mutex::new(Self::init(open()?)?));
        // Saves get their own connection: WAL readers then run during a batch's fsync.
        let writer = Arc::new(Mutex::new(configure(open()?)?));
        Self::with_writer(conn, writer)
    }

    /// A private database that lives as long as the store (tests, replays).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()
            .map_err(|e| StoreError::Backend(format!("opening in-memory SQLite database: {e}")))?;
        let conn = Arc::new(Mutex::new(Self::init(conn)?));
        Self::with_writer(Arc::clone(&conn), conn)
    }

    fn with_writer(
        conn: Arc<Mutex<Connection>>,
        writer: Arc<Mutex<Connection>>,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            conn,
            writer: GroupWriter::start(writer)?,
            cache: Arc::new(RecordCache::new(sqlite_cache::DEFAULT_BUDGET)),
        })
    }

    fn init(conn: Connection) -> Result<Connection, StoreError> {
        // WAL lets readers run beside the writer.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(backend("setting journal_mode=WAL"))?;
        let conn = configure(conn)?;
        conn.execute_batch(SCHEMA)
            .map_err(backend("creating the tickets schema"))?;
        conn.execute_batch(sqlite_index::SCHEMA)
            .map_err(backend("creating the read index schema"))?;
        upgrade(&conn)?;
        Ok(conn)
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn with_conn<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("SQLite task failed: {e}")))?
    }

    /// Runs `f` on this thread when the connection is free, else returns `None`. For point
    /// reads (a few microseconds): cheaper than a hand-off to the blocking pool, and never
    /// waits for a connection another task holds.
    fn try_inline<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> Option<T> {
        match self.conn.try_lock() {
            Ok(mut guard) => Some(f(&mut guard)),
            Err(TryLockError::Poisoned(poisoned)) => Some(f(&mut poisoned.into_inner())),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Drops the decoded copy of `key`'s record (tests that damage a row in place).
    #[cfg(feature = "testkit")]
    pub(crate) fn forget_cached(&self, key: &TicketKey) {
        self.cache.forget(&key.partition_key());
    }
}

/// Settings of every connection: FULL syncs each commit so a recorded outbox survives
/// power loss, not only a process crash.
fn configure(conn: Connection) -> Result<Connection, StoreError> {
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(backend("setting synchronous=FULL"))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(backend("setting busy_timeout"))?;
    Ok(conn)
}

fn backend(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend(format!("SQLite {doing}: {e}"))
}

/// Adds the columns and indexes a file of an older format lacks.
fn upgrade(conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info('tickets')")
        .map_err(backend("reading the tickets columns"))?;
    let columns = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(backend("reading the tickets columns"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend("reading the tickets columns"))?;
    for (name, kind) in ADDED_COLUMNS {
        if !columns.iter().any(|c| c == name) {
            conn.execute_batch(&format!("ALTER TABLE tickets ADD COLUMN {name} {kind}"))
                .map_err(backend("adding a column to an older tickets table"))?;
        }
    }
    conn.execute_batch(ADDED_INDEXES)
        .map_err(backend("creating the tickets indexes"))
}

/// What a load found: the row, or only its version when that is the version `cached`.
enum Found {
    Row(StoredRow),
    Cached,
}

/// Reads `key`'s row; only its version when that equals `cached` (the version the
/// record cache holds).
fn find_row(
    conn: &Connection,
    key: &TicketKey,
    cached: Option<u64>,
) -> Result<Option<Found>, StoreError> {
    if let Some(cached) = cached {
        let version = conn
            .prepare_cached("SELECT version FROM tickets WHERE pk = ?1")
            .and_then(|mut stmt| {
                stmt.query_row(params![key.partition_key()], |row| row.get::<_, u64>(0))
                    .optional()
            })
            .map_err(backend("loading a ticket's version"))?;
        match version {
            None => return Ok(None),
            Some(version) if version == cached => return Ok(Some(Found::Cached)),
            Some(_) => {}
        }
    }
    Ok(load_row(conn, key)?.map(Found::Row))
}

fn load_row(conn: &Connection, key: &TicketKey) -> Result<Option<StoredRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT version, sla, outbox, due_at, expires_at, dead_letters, dead_at, read_index
             FROM tickets WHERE pk = ?1",
        )
        .map_err(backend("preparing the ticket load"))?;
    stmt.query_row(params![key.partition_key()], |row| {
        Ok(StoredRow {
            key: key.clone(),
            version: row.get(0)?,
            sla: required_bytes(row, 1)?,
            outbox: required_bytes(row, 2)?,
            due_at_ms: row.get(3)?,
            expires_at_s: row.get(4)?,
            dead_letters: field_bytes(row, 5)?,
            dead_at_ms: row.get(6)?,
            read: row.get(7)?,
        })
    })
    .optional()
    .map_err(|e| match e {
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
            StoreError::corrupt(key, format!("row has a column of the wrong type: {e}"))
        }
        other => backend("loading a ticket")(other),
    })
}

/// A state column's bytes: a BLOB (compact encoding) or TEXT (JSON of older rows).
fn field_bytes(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Option<Vec<u8>>> {
    use rusqlite::types::ValueRef;
    match row.get_ref(index)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Ok(Some(bytes.to_vec())),
        other => Err(rusqlite::Error::InvalidColumnType(
            index,
            format!("column {index}"),
            other.data_type(),
        )),
    }
}

/// Same as [`field_bytes`], for a column that must hold a value.
fn required_bytes(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Vec<u8>> {
    field_bytes(row, index)?.ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(
            index,
            format!("column {index}"),
            rusqlite::types::Type::Null,
        )
    })
}

/// Inserts a ticket never stored (`ON CONFLICT DO NOTHING`: 0 rows when it exists).
const INSERT_TICKET: &str =
    "INSERT INTO tickets (pk, tenant, ticket_id, version, sla, outbox, due_at, expires_at,
             dead_letters, dead_at, read_index)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (pk) DO NOTHING";

/// Updates a ticket if its stored version is the one read (`?9`).
const UPDATE_TICKET: &str =
    "UPDATE tickets SET tenant = ?2, ticket_id = ?3, version = ?4, sla = ?5, outbox = ?6,
             due_at = ?7, expires_at = ?8, dead_letters = ?10, dead_at = ?11, read_index = ?12
             WHERE pk = ?1 AND version = ?9";

/// Inserts (expected version 0) or updates (expected version n) `row` with cached
/// statements; returns rows changed.
fn write_row(conn: &Connection, row: &StoredRow, expected: u64) -> Result<usize, StoreError> {
    let result = if expected == 0 {
        conn.prepare_cached(INSERT_TICKET).and_then(|mut stmt| {
            stmt.execute(params![
                row.key.partition_key(),
                row.key.tenant,
                row.key.ticket_id,
                row.version,
                row.sla,
                row.outbox,
                row.due_at_ms,
                row.expires_at_s,
                row.dead_letters,
                row.dead_at_ms,
                row.read,
            ])
        })
    } else {
        conn.prepare_cached(UPDATE_TICKET).and_then(|mut stmt| {
            stmt.execute(params![
                row.key.partition_key(),
                row.key.tenant,
                row.key.ticket_id,
                row.version,
                row.sla,
                row.outbox,
                row.due_at_ms,
                row.expires_at_s,
                expected,
                row.dead_letters,
                row.dead_at_ms,
                row.read,
            ])
        })
    };
    result.map_err(backend("saving a ticket"))
}

/// Tickets with their index instant (epoch ms), and the cursor of the next page.
type KeysetPage = (Vec<(TicketKey, i64)>, Option<String>);

/// One keyset page of tickets ordered by `(instant, pk)`: `sql` selects `pk, tenant,
/// ticket_id, instant` and takes `leading` parameters, then the cursor's instant and pk,
/// then the row limit. Returns the page and the cursor of the next one.
fn keyset_page(
    conn: &Connection,
    sql: &str,
    leading: &[i64],
    limit: u32,
    cursor: Option<DueCursor>,
    doing: &'static str,
) -> Result<KeysetPage, StoreError> {
    let limit = limit.max(1);
    let (after_at, after_pk) = cursor.map_or((i64::MIN, String::new()), |c| (c.due_at_ms, c.pk));
    let mut stmt = conn.prepare_cached(sql).map_err(backend(doing))?;
    let fetch = i64::from(limit) + 1;
    let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(leading.len() + 3);
    params.extend(leading.iter().map(|p| p as &dyn rusqlite::ToSql));
    params.extend([
        &after_at as &dyn rusqlite::ToSql,
        &after_pk as &dyn rusqlite::ToSql,
        &fetch as &dyn rusqlite::ToSql,
    ]);
    let rows = stmt
        .query_map(params.as_slice(), |row| {
            Ok((
                row.get::<_, String>(0)?,
                TicketKey::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                row.get::<_, i64>(3)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(backend(doing))?;
    let more = rows.len() > limit as usize;
    let page: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let cursor = more.then(|| page.last()).flatten().map(|(pk, _, at)| {
        DueCursor {
            due_at_ms: *at,
            pk: pk.clone(),
        }
        .encode()
    });
    Ok((
        page.into_iter().map(|(_, key, at)| (key, at)).collect(),
        cursor,
    ))
}

fn due_page(
    conn: &Connection,
    now_ms: i64,
    limit: u32,
    cursor: Option<DueCursor>,
) -> Result<DuePage, StoreError> {
    let (page, cursor) = keyset_page(
        conn,
        "SELECT pk, tenant, ticket_id, due_at FROM tickets
         WHERE due_at IS NOT NULL AND due_at <= ?1 AND (due_at, pk) > (?2, ?3)
         ORDER BY due_at, pk LIMIT ?4",
        &[now_ms],
        limit,
        cursor,
        "querying due tickets",
    )?;
    let tickets = page
        .into_iter()
        .map(|(key, due)| {
            DateTime::from_timestamp_millis(due)
                .map(|due_at| DueTicket {
                    key: key.clone(),
                    due_at,
                })
                .ok_or_else(|| {
                    StoreError::corrupt(&key, format!("field `due_at` = {due} is out of range"))
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(DuePage { tickets, cursor })
}

impl TicketStore for SqliteStore {
    async fn load(&self, key: &TicketKey) -> Result<Option<TicketRecord>, StoreError> {
        let cached = self.cache.get(&key.partition_key());
        let version = cached.as_ref().map(|record| record.version);
        let found = match self.try_inline(|conn| find_row(conn, key, version)) {
            Some(found) => found?,
            None => {
                let key = key.clone();
                self.with_conn(move |conn| find_row(conn, &key, version))
                    .await?
            }
        };
        match found {
            None => Ok(None),
            Some(Found::Row(row)) => row.decode().map(Some),
            Some(Found::Cached) => Ok(cached),
        }
    }

    async fn save(&self, record: &TicketRecord) -> Result<u64, StoreError> {
        let new_version = record.version.saturating_add(1);
        let row = StoredRow::encode(record, new_version)?;
        let stored = row
            .as_loaded(record.clone())
            .map(|loaded| (loaded, row.item_bytes()));
        let expected = record.version;
        let index = record.read.clone();
        let changed = self
            .writer
            .save(Box::new(move |conn| {
                // Runs in a savepoint of the writer's batch transaction.
                let changed = write_row(conn, &row, expected)?;
                if changed == 1 {
                    sqlite_index::rewrite(conn, &row.key, &index)?;
                }
                Ok(changed)
            }))
            .await?;
        let pk = record.key.partition_key();
        if changed == 1 {
            match stored {
                Some((stored, bytes)) => self.cache.put(pk, stored, bytes),
                None => self.cache.forget(&pk),
            }
            Ok(new_version)
        } else {
            self.cache.forget(&pk);
            Err(StoreError::conflict(&record.key, expected))
        }
    }

    fn shards(&self) -> u32 {
        1
    }

    async fn query_due(
        &self,
        _shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        let now_ms = now.timestamp_millis();
        self.with_conn(move |conn| due_page(conn, now_ms, limit, cursor))
            .await
    }

    async fn query_dead_letters(
        &self,
        _shard: u32,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<DeadLetterPage, StoreError> {
        let cursor = cursor.as_deref().map(DueCursor::decode).transpose()?;
        self.with_conn(move |conn| dead_letter_page(conn, limit, cursor))
            .await
    }

    async fn remember_delivery(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let pk = delivery_key(tenant, digest);
        let (now_s, until) = (now.timestamp(), ceil_seconds(expires_at));
        let changed = self
            .with_conn(move |conn| {
                conn.execute(
                    "INSERT INTO deliveries (pk, expires_at) VALUES (?1, ?2)
                     ON CONFLICT (pk) DO UPDATE SET expires_at = excluded.expires_at
                     WHERE deliveries.expires_at <= ?3",
                    params![pk, until, now_s],
                )
                .map_err(backend("remembering a delivery"))
            })
            .await?;
        Ok(changed == 1)
    }

    async fn delivery_seen(
        &self,
        tenant: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let pk = delivery_key(tenant, digest);
        let now_s = now.timestamp();
        self.with_conn(move |conn| {
            conn.query_row(
                "SELECT 1 FROM deliveries WHERE pk = ?1 AND expires_at > ?2",
                params![pk, now_s],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(backend("looking up a delivery"))
        })
        .await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now_s = now.timestamp();
        self.with_conn(move |conn| {
            conn.execute("DELETE FROM deliveries WHERE expires_at <= ?1", [now_s])
                .map_err(backend("deleting expired deliveries"))?;
            sqlite_index::purge(conn, now_s)?;
            conn.execute(
                "DELETE FROM tickets WHERE expires_at IS NOT NULL AND expires_at <= ?1",
                [now_s],
            )
            .map(|n| n as u64)
            .map_err(backend("deleting expired tickets"))
        })
        .await
    }

    async fn load_sweep_cursor(&self) -> Result<u32, StoreError> {
        self.with_conn(|conn| {
            conn.query_row(
                "SELECT value FROM sweep_state WHERE name = 'next_shard'",
                [],
                |row| row.get::<_, u32>(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(backend("reading the sweep cursor"))
        })
        .await
    }

    async fn save_sweep_cursor(&self, shard: u32) -> Result<(), StoreError> {
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO sweep_state (name, value) VALUES ('next_shard', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [shard],
            )
            .map(|_| ())
            .map_err(backend("saving the sweep cursor"))
        })
        .await
    }
}

/// One page of tickets holding dead letters, oldest dead letter first.
fn dead_letter_page(
    conn: &Connection,
    limit: u32,
    cursor: Option<DueCursor>,
) -> Result<DeadLetterPage, StoreError> {
    let (page, cursor) = keyset_page(
        conn,
        "SELECT pk, tenant, ticket_id, dead_at FROM tickets
         WHERE dead_at IS NOT NULL AND (dead_at, pk) > (?1, ?2)
         ORDER BY dead_at, pk LIMIT ?3",
        &[],
        limit,
        cursor,
        "querying dead letters",
    )?;
    let tickets = page.into_iter().map(|(key, _)| key).collect();
    Ok(DeadLetterPage { tickets, cursor })
}

impl QueueStore for SqliteStore {
    async fn query_queue(&self, query: &QueueQuery) -> Result<QueuePage, StoreError> {
        let query = query.clone();
        self.with_conn(move |conn| sqlite_index::queue_page(conn, &query))
            .await
    }

    async fn query_completions(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<TicketCompletion>, StoreError> {
        let tenant = tenant.to_string();
        self.with_conn(move |conn| sqlite_index::completions(conn, &tenant, since))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OutboxEntry;
    use sla_core::{PolicySet, TicketEvent, TicketSla};

    /// The example week's tickets with several events, folded under the example policy
    /// at a late instant (clocks, announcements, an outbox) and given a due instant with
    /// nanoseconds (stored rounded up to the millisecond).
    fn records() -> Vec<TicketRecord> {
        let policies =
            PolicySet::from_yaml("policy.yaml", include_str!("../../../examples/policy.yaml"))
                .unwrap();
        let events: Vec<TicketEvent> = include_str!("../../../examples/tickets.jsonl")
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let now: DateTime<Utc> = "2026-11-27T18:00:00.123456789Z".parse().unwrap();
        let mut by_ticket: std::collections::BTreeMap<String, TicketSla> = Default::default();
        for event in events {
            by_ticket
                .entry(event.ticket_id.clone())
                .or_default()
                .ingest(event);
        }
        by_ticket
            .into_iter()
            .filter(|(_, sla)| sla.history.len() >= 4)
            .take(20)
            .map(|(id, mut sla)| {
                let advance = sla.advance(&policies, now);
                let mut record = TicketRecord::new(TicketKey::new("acme", id), sla);
                record.outbox = advance
                    .new_events
                    .into_iter()
                    .map(OutboxEntry::new)
                    .collect();
                record.due_at = Some(now);
                record.expires_at = Some(now + chrono::TimeDelta::days(90));
                record
            })
            .collect()
    }

    /// What the cache serves equals what decoding the row gives, field for field.
    #[tokio::test]
    async fn a_cached_load_equals_a_decoded_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sla.db");
        let writer = SqliteStore::open(&path).unwrap();
        let reader = SqliteStore::open(&path).unwrap();
        let records = records();
        assert!(records.len() >= 5, "enough tickets with history");
        for record in &records {
            writer.save(record).await.unwrap();
            let pk = record.key.partition_key();
            let held = writer.cache.get(&pk).map(|held| held.version);
            assert_eq!(held, Some(1), "held after the save");
            let cached = writer.load(&record.key).await.unwrap().unwrap();
            let decoded = reader.load(&record.key).await.unwrap().unwrap();
            assert_eq!(cached, decoded, "ticket {}", record.key.ticket_id);
            assert_eq!(cached.version, 1);
            assert!(!cached.outbox.is_empty() || !cached.sla.history.is_empty());
        }
    }

    /// Another writer's save is seen at once: the cache serves only the stored version.
    #[tokio::test]
    async fn another_writers_version_is_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sla.db");
        let ours = SqliteStore::open(&path).unwrap();
        let theirs = SqliteStore::open(&path).unwrap();
        let record = records().remove(0);
        ours.save(&record).await.unwrap();
        let mut changed = theirs.load(&record.key).await.unwrap().unwrap();
        changed.outbox.clear();
        changed.due_at = None;
        theirs.save(&changed).await.unwrap();
        let loaded = ours.load(&record.key).await.unwrap().unwrap();
        assert_eq!(loaded.version, 2);
        assert!(loaded.outbox.is_empty() && loaded.due_at.is_none());
        // A conflicting save of the stale copy fails and is not served afterwards.
        let mut stale = record.clone();
        stale.version = 1;
        assert!(ours.save(&stale).await.is_err());
        assert_eq!(ours.load(&record.key).await.unwrap().unwrap(), loaded);
    }
}
