//! `GET /tenants/{tenant}/summary`: per metric and priority, the open cycles now (from
//! the queue index) and the cycles completed in the period (met, breached, met %).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use sla_core::chrono_tz::Tz;
use sla_core::{Metric, Priority};
use sla_store::{OpenState, Outcome, QueueFilter, QueueQuery, QueueStore, QueueWindow, StoreError};

use super::queue::{stamp, state_now};
use super::routing::{param, query_params};
use super::{ReadReply, ReadService};
use crate::record::earlier;

/// Open cycles read per store query while counting.
const COUNT_PAGE: u32 = 1000;

/// Counts of one (metric, priority) row, or of the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    running: u64,
    paused: u64,
    at_risk: u64,
    breached_open: u64,
    met: u64,
    breached: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.running += other.running;
        self.paused += other.paused;
        self.at_risk += other.at_risk;
        self.breached_open += other.breached_open;
        self.met += other.met;
        self.breached += other.breached;
    }

    fn json(&self) -> Value {
        let done = self.met + self.breached;
        let percent = (done > 0).then(|| (self.met as f64 * 1000.0 / done as f64).round() / 10.0);
        json!({
            "running": self.running, "paused": self.paused, "at_risk": self.at_risk,
            "breached_open": self.breached_open, "met": self.met, "breached": self.breached,
            "met_percent": percent,
        })
    }
}

/// The period's bounds: `today` from local midnight in `zone`, else the last 7 or 30 days.
fn period_start(period: &str, zone: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    match period {
        "7d" => Ok(earlier(now, Duration::days(7))),
        "30d" => Ok(earlier(now, Duration::days(30))),
        "today" => {
            let local = now.with_timezone(&zone).date_naive();
            // A midnight skipped by a DST change (e.g. America/Havana): the day starts
            // at the first local hour that exists.
            let start = (0..3)
                .filter_map(|hour| local.and_hms_opt(hour, 0, 0))
                .find_map(|at| zone.from_local_datetime(&at).earliest());
            Ok(start.map_or(now, |at| at.with_timezone(&Utc)))
        }
        other => Err(format!("period: {other:?} is not today, 7d or 30d")),
    }
}

pub(super) async fn answer<S: QueueStore>(
    service: &ReadService<S>,
    tenant: &str,
    query: &str,
    now: DateTime<Utc>,
) -> ReadReply {
    let params = query_params(query);
    let period = param(&params, "period").unwrap_or("today");
    let zone_name = param(&params, "timezone").unwrap_or("UTC");
    let zone: Tz = match zone_name.parse() {
        Ok(zone) => zone,
        Err(_) => {
            return ReadReply::error(
                400,
                format!("timezone: {zone_name:?} is not an IANA time zone"),
            )
        }
    };
    let from = match period_start(period, zone, now) {
        Ok(from) => from,
        Err(message) => return ReadReply::error(400, message),
    };
    let rows = match count(service, tenant, from, now).await {
        Ok(rows) => rows,
        Err(err) => {
            return ReadReply::unavailable(&format!("tenant {tenant}: summary query failed"), &err)
        }
    };
    let mut totals = Counts::default();
    let rows: Vec<Value> = rows
        .iter()
        .map(|((metric, priority), counts)| {
            totals.add(counts);
            let mut row = counts.json();
            row["metric"] = json!(metric);
            row["priority"] = json!(priority);
            row
        })
        .collect();
    ReadReply::json(
        200,
        &json!({
            "tenant": tenant, "period": period, "timezone": zone_name,
            "from": stamp(from), "to": stamp(now),
            "rows": rows, "totals": totals.json(),
        }),
    )
}

/// Counts per (metric, priority): open cycles now, completions in `[from, now]`.
async fn count<S: QueueStore>(
    service: &ReadService<S>,
    tenant: &str,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<BTreeMap<(Metric, Priority), Counts>, StoreError> {
    let mut rows: BTreeMap<(Metric, Priority), Counts> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = QueueQuery {
            tenant: tenant.to_string(),
            window: QueueWindow::all().resume(cursor.as_deref()),
            filter: QueueFilter::default(),
            limit: COUNT_PAGE,
        };
        let page = service.store.query_queue(&query).await?;
        for item in &page.items {
            let counts = rows
                .entry((item.cycle.metric, item.cycle.priority))
                .or_default();
            match state_now(&item.cycle, now) {
                OpenState::Running => {
                    counts.running += 1;
                    counts.at_risk += u64::from(item.cycle.at_risk);
                }
                OpenState::Paused => counts.paused += 1,
                OpenState::Breached => counts.breached_open += 1,
            }
        }
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    for done in service.store.query_completions(tenant, from).await? {
        let completion = done.completion;
        if completion.completed_at > now {
            continue;
        }
        let counts = rows
            .entry((completion.metric, completion.priority))
            .or_default();
        match completion.outcome {
            Outcome::Met => counts.met += 1,
            Outcome::Breached => counts.breached += 1,
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_starts_at_local_midnight() {
        let now: DateTime<Utc> = "2026-11-30T10:00:00Z".parse().unwrap();
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            period_start("today", paris, now).unwrap(),
            "2026-11-29T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            period_start("7d", Tz::UTC, now).unwrap(),
            now - Duration::days(7)
        );
        assert!(period_start("week", Tz::UTC, now).is_err());
        // Havana skipped 00:00-01:00 on 2026-03-08: that day starts at 01:00 (05:00 UTC).
        let havana: Tz = "America/Havana".parse().unwrap();
        let spring: DateTime<Utc> = "2026-03-08T12:00:00Z".parse().unwrap();
        assert_eq!(
            period_start("today", havana, spring).unwrap(),
            "2026-03-08T05:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
