//! The SQLite read index: `open_cycles` (one row per open cycle, keyed by tenant and sort
//! key) and `completions` (keyed by tenant and completion instant), rewritten for a
//! ticket in the transaction that saves its record.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::queue::{QueueQuery, ReadIndex, TicketCompletion};
use crate::{Completion, OpenCycle, QueueItem, QueuePage, StoreError, TicketKey};

/// The index tables (created on open).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS open_cycles (
    tenant       TEXT NOT NULL,
    sort_key     TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    metric       TEXT NOT NULL,
    grp          TEXT,
    assignee     TEXT,
    organization TEXT,
    at_risk      INTEGER NOT NULL,
    row          TEXT NOT NULL,
    PRIMARY KEY (tenant, sort_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS open_cycles_ticket ON open_cycles (tenant, ticket_id);
CREATE INDEX IF NOT EXISTS open_cycles_metric ON open_cycles (tenant, metric, sort_key);
CREATE TABLE IF NOT EXISTS completions (
    tenant       TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    metric       TEXT NOT NULL,
    cycle        INTEGER NOT NULL,
    completed_at INTEGER NOT NULL,
    row          TEXT NOT NULL,
    PRIMARY KEY (tenant, ticket_id, metric, cycle)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS completions_at ON completions (tenant, completed_at);
";

fn backend(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend(format!("SQLite {doing}: {e}"))
}

fn encode<T: serde::Serialize>(key: &TicketKey, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::corrupt(key, format!("read index row does not serialize: {e}")))
}

/// Replaces the index rows of `key` by those of `index`.
pub(crate) fn rewrite(
    conn: &Connection,
    key: &TicketKey,
    index: &ReadIndex,
) -> Result<(), StoreError> {
    // Without `INDEXED BY`, SQLite may pick the primary key's `tenant` prefix: a scan of
    // every open cycle of the tenant at each save.
    for delete in [
        "DELETE FROM open_cycles INDEXED BY open_cycles_ticket WHERE tenant = ?1 AND ticket_id = ?2",
        "DELETE FROM completions WHERE tenant = ?1 AND ticket_id = ?2",
    ] {
        conn.prepare_cached(delete)
            .and_then(|mut stmt| stmt.execute(params![key.tenant, key.ticket_id]))
            .map_err(backend("clearing a ticket's read index"))?;
    }
    for cycle in &index.open {
        insert_open(conn, key, cycle)?;
    }
    for completion in &index.completions {
        let row = encode(key, completion)?;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO completions (tenant, ticket_id, metric, cycle, completed_at, row)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                key.tenant,
                key.ticket_id,
                completion.metric.as_str(),
                completion.cycle,
                completion.completed_at.timestamp_millis(),
                row,
            ])
        })
        .map_err(backend("indexing a completion"))?;
    }
    Ok(())
}

fn insert_open(conn: &Connection, key: &TicketKey, cycle: &OpenCycle) -> Result<(), StoreError> {
    let row = encode(key, cycle)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO open_cycles
         (tenant, sort_key, ticket_id, metric, grp, assignee, organization, at_risk, row)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            key.tenant,
            cycle.sort_key(&key.ticket_id),
            key.ticket_id,
            cycle.metric.as_str(),
            cycle.group,
            cycle.assignee,
            cycle.organization,
            cycle.at_risk,
            row,
        ])
    })
    .map(|_| ())
    .map_err(backend("indexing an open cycle"))
}

/// Deletes the index rows of records expiring at or before `now_s` (before the records).
pub(crate) fn purge(conn: &Connection, now_s: i64) -> Result<(), StoreError> {
    for table in ["open_cycles", "completions"] {
        conn.execute(
            &format!(
                "DELETE FROM {table} WHERE (tenant, ticket_id) IN
                 (SELECT tenant, ticket_id FROM tickets
                  WHERE expires_at IS NOT NULL AND expires_at <= ?1)"
            ),
            [now_s],
        )
        .map_err(backend("deleting the read index of expired tickets"))?;
    }
    Ok(())
}

/// One page of the queue, from the `(tenant, sort_key)` primary key.
pub(crate) fn queue_page(conn: &Connection, query: &QueueQuery) -> Result<QueuePage, StoreError> {
    let limit = query.limit.max(1);
    let filter = &query.filter;
    let mut stmt = conn
        .prepare_cached(
            "SELECT sort_key, ticket_id, row FROM open_cycles
             WHERE tenant = ?1 AND sort_key > ?2 AND sort_key < ?3
               AND (?4 IS NULL OR metric = ?4) AND (?5 IS NULL OR grp = ?5)
               AND (?6 IS NULL OR assignee = ?6) AND (?7 IS NULL OR organization = ?7)
               AND (?8 = 0 OR at_risk = 1)
             ORDER BY sort_key LIMIT ?9",
        )
        .map_err(backend("preparing the queue query"))?;
    let rows = stmt
        .query_map(
            params![
                query.tenant,
                query.window.after,
                query.window.before,
                filter.metric.map(|m| m.as_str()),
                filter.group,
                filter.assignee,
                filter.organization,
                filter.at_risk,
                i64::from(limit) + 1,
            ],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )
        .map_err(backend("querying the queue"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend("reading the queue"))?;
    let items = rows
        .into_iter()
        .map(|(sort_key, ticket_id, row)| {
            let key = TicketKey::new(query.tenant.clone(), ticket_id);
            let cycle: OpenCycle = decode(&key, &row)?;
            let item = QueueItem {
                ticket_id: key.ticket_id,
                cycle,
            };
            Ok((sort_key, item))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(QueuePage::of(items, limit))
}

/// Completions of `tenant` at or after `since`, from the `(tenant, completed_at)` index.
pub(crate) fn completions(
    conn: &Connection,
    tenant: &str,
    since: DateTime<Utc>,
) -> Result<Vec<TicketCompletion>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT ticket_id, row FROM completions WHERE tenant = ?1 AND completed_at >= ?2
             ORDER BY completed_at",
        )
        .map_err(backend("preparing the completions query"))?;
    let rows = stmt
        .query_map(params![tenant, since.timestamp_millis()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(backend("querying completions"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend("reading completions"))?;
    rows.into_iter()
        .map(|(ticket_id, row)| {
            let key = TicketKey::new(tenant, ticket_id);
            let completion: Completion = decode(&key, &row)?;
            Ok(TicketCompletion {
                ticket_id: key.ticket_id,
                completion,
            })
        })
        .collect()
}

fn decode<T: serde::de::DeserializeOwned>(key: &TicketKey, row: &str) -> Result<T, StoreError> {
    serde_json::from_str(row)
        .map_err(|e| StoreError::corrupt(key, format!("read index row is not valid JSON: {e}")))
}
