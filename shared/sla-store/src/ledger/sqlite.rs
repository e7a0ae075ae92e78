//! The ledger in the store's SQLite database: an `actions` table beside `tickets`, on the
//! store's connection (one file, one WAL). A claim reads and writes in one immediate
//! transaction, so two processes on the same file cannot both acquire an action.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{ActionKey, ActionLedger, ActionRecord, ActionState, ActionUpdate, Claim, NewAction};
use crate::{SqliteStore, StoreError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS actions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant          TEXT NOT NULL,
    ticket_id       TEXT NOT NULL,
    action_id       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    next_attempt_at INTEGER,
    lease_until     INTEGER,
    updated_at      INTEGER NOT NULL,
    UNIQUE (tenant, ticket_id, action_id)
);
CREATE INDEX IF NOT EXISTS actions_due ON actions (next_attempt_at, seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS actions_leased ON actions (lease_until, seq) WHERE state = 'claimed';
CREATE INDEX IF NOT EXISTS actions_dead ON actions (updated_at, seq) WHERE state = 'dead';
";

const COLUMNS: &str = "tenant, ticket_id, action_id, payload, state, attempts, last_error,
    next_attempt_at, lease_until, updated_at";

/// The ledger in a [`SqliteStore`]'s database.
#[derive(Debug, Clone)]
pub struct SqliteLedger {
    store: SqliteStore,
}

impl SqliteLedger {
    /// The ledger of `store`'s database, creating its table when missing.
    pub async fn open(store: &SqliteStore) -> Result<Self, StoreError> {
        store
            .with_conn(|conn| {
                conn.execute_batch(SCHEMA)
                    .map_err(backend("creating the actions table"))
            })
            .await?;
        Ok(Self {
            store: store.clone(),
        })
    }

    async fn query(
        &self,
        sql: &'static str,
        args: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        self.store
            .with_conn(move |conn| {
                let mut stmt = conn.prepare(sql).map_err(backend("reading actions"))?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(args), read_row)
                    .map_err(backend("reading actions"))?;
                rows.map(|row| row.map_err(backend("reading an action")).and_then(decode))
                    .collect()
            })
            .await
    }
}

fn backend(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend(format!("SQLite {doing}: {e}"))
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_ms(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// A row's columns, before the state is parsed.
type RawRow = (
    ActionKey,
    String,
    String,
    u32,
    Option<String>,
    [Option<i64>; 3],
);

fn read_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        ActionKey::new(
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ),
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        [row.get(7)?, row.get(8)?, Some(row.get(9)?)],
    ))
}

fn decode(raw: RawRow) -> Result<ActionRecord, StoreError> {
    let (key, payload, state, attempts, last_error, [next, lease, updated]) = raw;
    let state = ActionState::parse(&state).ok_or_else(|| {
        StoreError::Backend(format!(
            "action {} has an unknown state {state:?}",
            key.action_id
        ))
    })?;
    Ok(ActionRecord {
        key,
        payload,
        state,
        attempts,
        last_error,
        next_attempt_at: from_ms(next),
        lease_until: from_ms(lease),
        updated_at: from_ms(updated).unwrap_or_default(),
    })
}

fn load(conn: &Connection, key: &ActionKey) -> Result<Option<ActionRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM actions WHERE tenant = ?1 AND ticket_id = ?2 AND action_id = ?3"
    );
    conn.query_row(
        &sql,
        params![key.tenant, key.ticket_id, key.action_id],
        read_row,
    )
    .optional()
    .map_err(backend("loading an action"))?
    .map(decode)
    .transpose()
}

/// Writes the mutable columns of `record`.
fn update(conn: &Connection, record: &ActionRecord) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE actions SET state = ?4, attempts = ?5, last_error = ?6, next_attempt_at = ?7,
         lease_until = ?8, updated_at = ?9
         WHERE tenant = ?1 AND ticket_id = ?2 AND action_id = ?3",
        params![
            record.key.tenant,
            record.key.ticket_id,
            record.key.action_id,
            record.state.name(),
            record.attempts,
            record.last_error,
            record.next_attempt_at.map(ms),
            record.lease_until.map(ms),
            ms(record.updated_at),
        ],
    )
    .map_err(backend("updating an action"))?;
    Ok(())
}

/// Loads `key`, lets `change` edit it and writes it back, in one immediate transaction.
fn modify<T>(
    conn: &mut Connection,
    key: &ActionKey,
    change: impl FnOnce(Option<&mut ActionRecord>) -> (bool, T),
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend("starting an action transaction"))?;
    let mut record = load(&tx, key)?;
    let (write, answer) = change(record.as_mut());
    if let (true, Some(record)) = (write, record) {
        update(&tx, &record)?;
    }
    tx.commit().map_err(backend("committing an action"))?;
    Ok(answer)
}

impl ActionLedger for SqliteLedger {
    async fn enqueue(
        &self,
        actions: &[NewAction],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let actions = actions.to_vec();
        self.store
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend("starting an enqueue"))?;
                let mut added = 0;
                for action in &actions {
                    let key = &action.key;
                    added += tx
                        .execute(
                            "INSERT INTO actions (tenant, ticket_id, action_id, payload, state,
                             attempts, next_attempt_at, updated_at)
                             VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)
                             ON CONFLICT (tenant, ticket_id, action_id) DO NOTHING",
                            params![
                                key.tenant,
                                key.ticket_id,
                                key.action_id,
                                action.payload,
                                ms(now)
                            ],
                        )
                        .map_err(backend("enqueueing an action"))?;
                }
                tx.commit().map_err(backend("committing an enqueue"))?;
                Ok(added)
            })
            .await
    }

    async fn claim(
        &self,
        key: &ActionKey,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let key = key.clone();
        self.store
            .with_conn(move |conn| {
                modify(conn, &key, |record| {
                    let Some(record) = record else {
                        return (false, Claim::Unknown);
                    };
                    match record.claim_at(now, lease) {
                        None => (true, Claim::Acquired(record.clone())),
                        Some(refused) => (false, refused),
                    }
                })
            })
            .await
    }

    async fn record(
        &self,
        key: &ActionKey,
        change: &ActionUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = key.clone();
        let change = change.clone();
        self.store
            .with_conn(move |conn| {
                let found = modify(conn, &key, |record| {
                    let Some(record) = record else {
                        return (false, false);
                    };
                    record.apply(&change, now);
                    (true, true)
                })?;
                if found {
                    Ok(())
                } else {
                    Err(StoreError::Backend(format!(
                        "recording unknown action {}",
                        key.action_id
                    )))
                }
            })
            .await
    }

    async fn ticket_actions(
        &self,
        tenant: &str,
        ticket_id: &str,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        const SQL: &str = "SELECT tenant, ticket_id, action_id, payload, state, attempts,
            last_error, next_attempt_at, lease_until, updated_at
            FROM actions WHERE tenant = ?1 AND ticket_id = ?2 ORDER BY seq";
        self.query(
            SQL,
            vec![tenant.to_owned().into(), ticket_id.to_owned().into()],
        )
        .await
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ActionRecord>, StoreError> {
        const SQL: &str = "SELECT tenant, ticket_id, action_id, payload, state, attempts,
            last_error, next_attempt_at, lease_until, updated_at FROM actions
            WHERE seq IN (
                SELECT seq FROM actions WHERE state = 'pending'
                    AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                UNION
                SELECT seq FROM actions WHERE state = 'claimed' AND lease_until <= ?1)
            ORDER BY seq LIMIT ?2";
        self.query(SQL, vec![ms(now).into(), limit_value(limit)])
            .await
    }

    async fn dead(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        const SQL: &str = "SELECT tenant, ticket_id, action_id, payload, state, attempts,
            last_error, next_attempt_at, lease_until, updated_at FROM actions
            WHERE state = 'dead' AND (?1 IS NULL OR tenant = ?1)
            ORDER BY updated_at, seq LIMIT ?2";
        let tenant = tenant.map_or(rusqlite::types::Value::Null, |t| t.to_owned().into());
        self.query(SQL, vec![tenant, limit_value(limit)]).await
    }

    async fn redrive(&self, key: &ActionKey, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let key = key.clone();
        self.store
            .with_conn(move |conn| {
                modify(conn, &key, |record| {
                    let redriven = record.is_some_and(|record| record.redrive_at(now));
                    (redriven, redriven)
                })
            })
            .await
    }
}

fn limit_value(limit: usize) -> rusqlite::types::Value {
    i64::try_from(limit).unwrap_or(i64::MAX).into()
}
