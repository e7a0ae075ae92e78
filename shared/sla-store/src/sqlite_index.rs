//! The SQLite read index: `open_cycles` (one row per open cycle, keyed by tenant and sort
//! key) and `completions` (keyed by tenant and completion instant), brought up to date for
//! a ticket (only the rows that changed) in the transaction that saves its record.

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

/// Brings the index rows of `key` to those of `index`, writing only what changed: a row
/// whose key and content are unchanged is not written, an open cycle keeping its sort key
/// is updated in place (its secondary indexes untouched), rows gone are deleted.
pub(crate) fn rewrite(
    conn: &Connection,
    key: &TicketKey,
    index: &ReadIndex,
) -> Result<(), StoreError> {
    sync_open(conn, key, &index.open)?;
    sync_completions(conn, key, &index.completions)
}

/// The stored rows of `key` selected by `sql` (`?1` tenant, `?2` ticket), read by `map`.
fn stored<T>(
    conn: &Connection,
    key: &TicketKey,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_map(params![key.tenant, key.ticket_id], map)?
                .collect()
        })
        .map_err(backend("reading a ticket's read index"))
}

fn sync_open(conn: &Connection, key: &TicketKey, open: &[OpenCycle]) -> Result<(), StoreError> {
    // Without `INDEXED BY`, SQLite may pick the primary key's `tenant` prefix: a scan of
    // every open cycle of the tenant at each save.
    let old: Vec<(String, String)> = stored(
        conn,
        key,
        "SELECT sort_key, row FROM open_cycles INDEXED BY open_cycles_ticket
         WHERE tenant = ?1 AND ticket_id = ?2",
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let new = open
        .iter()
        .map(|cycle| Ok((cycle.sort_key(&key.ticket_id), encode(key, cycle)?, cycle)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    for (sort_key, _) in &old {
        if !new.iter().any(|(kept, ..)| kept == sort_key) {
            conn.prepare_cached("DELETE FROM open_cycles WHERE tenant = ?1 AND sort_key = ?2")
                .and_then(|mut stmt| stmt.execute(params![key.tenant, sort_key]))
                .map_err(backend("deleting an open cycle"))?;
        }
    }
    for (sort_key, row, cycle) in &new {
        match old.iter().find(|(stored, _)| stored == sort_key) {
            Some((_, stored)) if stored == row => {}
            Some(_) => update_open(conn, key, sort_key, row, cycle)?,
            None => insert_open(conn, key, sort_key, row, cycle)?,
        }
    }
    Ok(())
}

/// Rewrites the columns no index covers (the same sort key means the same ticket and
/// metric), so only the primary key's row changes.
fn update_open(
    conn: &Connection,
    key: &TicketKey,
    sort_key: &str,
    row: &str,
    cycle: &OpenCycle,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE open_cycles SET grp = ?3, assignee = ?4, organization = ?5, at_risk = ?6,
         row = ?7 WHERE tenant = ?1 AND sort_key = ?2",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            key.tenant,
            sort_key,
            cycle.group,
            cycle.assignee,
            cycle.organization,
            cycle.at_risk,
            row,
        ])
    })
    .map(|_| ())
    .map_err(backend("updating an open cycle"))
}

fn insert_open(
    conn: &Connection,
    key: &TicketKey,
    sort_key: &str,
    row: &str,
    cycle: &OpenCycle,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO open_cycles
         (tenant, sort_key, ticket_id, metric, grp, assignee, organization, at_risk, row)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            key.tenant,
            sort_key,
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

fn sync_completions(
    conn: &Connection,
    key: &TicketKey,
    completions: &[Completion],
) -> Result<(), StoreError> {
    let old: Vec<(String, u32, String)> = stored(
        conn,
        key,
        "SELECT metric, cycle, row FROM completions WHERE tenant = ?1 AND ticket_id = ?2",
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let same =
        |c: &Completion, metric: &str, cycle: u32| c.metric.as_str() == metric && c.cycle == cycle;
    for (metric, cycle, _) in &old {
        if !completions.iter().any(|c| same(c, metric, *cycle)) {
            conn.prepare_cached(
                "DELETE FROM completions
                 WHERE tenant = ?1 AND ticket_id = ?2 AND metric = ?3 AND cycle = ?4",
            )
            .and_then(|mut stmt| stmt.execute(params![key.tenant, key.ticket_id, metric, cycle]))
            .map_err(backend("deleting a completion"))?;
        }
    }
    for completion in completions {
        let row = encode(key, completion)?;
        let unchanged = old
            .iter()
            .any(|(metric, cycle, text)| same(completion, metric, *cycle) && *text == row);
        if !unchanged {
            insert_completion(conn, key, &row, completion)?;
        }
    }
    Ok(())
}

fn insert_completion(
    conn: &Connection,
    key: &TicketKey,
    row: &str,
    completion: &Completion,
) -> Result<(), StoreError> {
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
    .map(|_| ())
    .map_err(backend("indexing a completion"))
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sla_core::{Metric, Priority};

    use super::*;
    use crate::{OpenState, Outcome};

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn
    }

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 9, minute, 0).unwrap()
    }

    fn cycle(metric: Metric, deadline: Option<DateTime<Utc>>, left: i64) -> OpenCycle {
        OpenCycle {
            metric,
            cycle: 1,
            state: if deadline.is_some() {
                OpenState::Running
            } else {
                OpenState::Paused
            },
            at_risk: false,
            deadline,
            business_seconds_left: left,
            target_seconds: 3600,
            calendar: None,
            priority: Priority::Normal,
            policy: "default".into(),
            group: Some("emea".into()),
            assignee: None,
            organization: None,
        }
    }

    fn completion(metric: Metric, minute: u32) -> Completion {
        Completion {
            metric,
            cycle: 1,
            priority: Priority::Normal,
            completed_at: at(minute),
            outcome: Outcome::Met,
        }
    }

    /// Every index row of `ticket`, sorted.
    fn rows(conn: &Connection, ticket: &str) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT tenant || '|' || sort_key || '|' || ticket_id || '|' || metric || '|' ||
                        ifnull(grp, '') || '|' || ifnull(assignee, '') || '|' || at_risk || '|' || row
                 FROM open_cycles WHERE ticket_id = ?1
                 UNION ALL
                 SELECT tenant || '|' || ticket_id || '|' || metric || '|' || cycle || '|' ||
                        completed_at || '|' || row FROM completions WHERE ticket_id = ?1",
            )
            .unwrap();
        let mut rows: Vec<String> = stmt
            .query_map([ticket], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        rows
    }

    /// Rewrites `index` over `conn`: the rows it changed, and checks that the rows are
    /// those a first write of `index` gives.
    fn rewrite_counting(conn: &Connection, key: &TicketKey, index: &ReadIndex) -> u64 {
        let before = conn.total_changes();
        rewrite(conn, key, index).unwrap();
        let changed = conn.total_changes() - before;
        let fresh = self::conn();
        rewrite(&fresh, key, index).unwrap();
        assert_eq!(rows(conn, &key.ticket_id), rows(&fresh, &key.ticket_id));
        changed
    }

    /// Each save writes only the rows that changed, and leaves the same rows as writing
    /// the projection from scratch.
    #[test]
    fn a_rewrite_writes_only_what_changed() {
        let conn = conn();
        let key = TicketKey::new("acme", "t-1");
        let other = TicketKey::new("acme", "t-2");
        let first = ReadIndex {
            open: vec![
                cycle(Metric::FirstResponse, Some(at(30)), 1800),
                cycle(Metric::Resolution, Some(at(50)), 3000),
            ],
            completions: vec![completion(Metric::Acknowledgement, 5)],
        };
        assert_eq!(rewrite_counting(&conn, &other, &first), 3);
        assert_eq!(rewrite_counting(&conn, &key, &first), 3);
        assert_eq!(rewrite_counting(&conn, &key, &first), 0, "unchanged");

        let mut later = first.clone();
        later.open[1].business_seconds_left = 2900;
        later.open[1].assignee = Some("ana".into());
        assert_eq!(rewrite_counting(&conn, &key, &later), 1, "updated in place");

        let mut paused = later.clone();
        paused.open[1] = cycle(Metric::Resolution, None, 2900);
        assert_eq!(rewrite_counting(&conn, &key, &paused), 2, "new sort key");

        let met = ReadIndex {
            open: vec![paused.open[1].clone()],
            completions: vec![
                completion(Metric::Acknowledgement, 5),
                completion(Metric::FirstResponse, 20),
            ],
        };
        assert_eq!(
            rewrite_counting(&conn, &key, &met),
            2,
            "one closed, one completed"
        );
        assert_eq!(rewrite_counting(&conn, &key, &ReadIndex::default()), 3);
        assert_eq!(
            rows(&conn, "t-2").len(),
            3,
            "the other ticket's rows are kept"
        );
    }
}
