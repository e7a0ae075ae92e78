//! `GET /tenants/{tenant}/queue`: open cycles in deadline order (breached first, paused
//! last), filtered, paged with an opaque cursor.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use sla_core::duration::parse_duration;
use sla_core::{Metric, PolicySet};
use sla_store::queue::is_queue_cursor;
use sla_store::{
    OpenCycle, OpenState, QueueFilter, QueueItem, QueueQuery, QueueStore, QueueWindow,
};

use super::routing::{param, query_params};
use super::{ReadReply, ReadService};
use crate::record::later;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 100;
/// Largest page size accepted.
pub const MAX_LIMIT: u32 = 500;

/// The `state` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateFilter {
    Running,
    Paused,
    Breached,
    AtRisk,
}

pub(super) async fn answer<S: QueueStore>(
    service: &ReadService<S>,
    tenant: &str,
    query: &str,
    now: DateTime<Utc>,
) -> ReadReply {
    let policies = match service.policies(tenant) {
        Ok(policies) => policies,
        Err(reply) => return reply,
    };
    let request = match parse(tenant, query, now) {
        Ok(request) => request,
        Err(message) => return ReadReply::error(400, message),
    };
    let page = match service.store.query_queue(&request).await {
        Ok(page) => page,
        Err(err) => {
            return ReadReply::unavailable(&format!("tenant {tenant}: queue query failed"), &err)
        }
    };
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|item| item_json(service, tenant, item, policies, now))
        .collect();
    ReadReply::json(
        200,
        &json!({
            "tenant": tenant,
            "as_of": stamp(now),
            "items": items,
            "next_cursor": page.cursor,
        }),
    )
}

/// The store query of the request's parameters; a message naming the bad one.
pub(super) fn parse(tenant: &str, query: &str, now: DateTime<Utc>) -> Result<QueueQuery, String> {
    let params = query_params(query);
    let metric = param(&params, "metric")
        .map(|text| {
            serde_json::from_value::<Metric>(json!(text)).map_err(|_| {
                format!("metric: {text:?} is not a metric (acknowledgement, first_response, next_response, periodic_update, resolution)")
            })
        })
        .transpose()?;
    let state = param(&params, "state").map(parse_state).transpose()?;
    let within = param(&params, "within")
        .map(|text| {
            parse_duration(text)
                .map(|seconds| later(now, Duration::seconds(seconds)))
                .map_err(|e| format!("within: {e}"))
        })
        .transpose()?;
    let limit = match param(&params, "limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("limit: {text:?} is not a number from 1 to {MAX_LIMIT}"))?,
    };
    let cursor = param(&params, "cursor");
    if let Some(cursor) = cursor.filter(|c| !is_queue_cursor(c)) {
        return Err(format!(
            "cursor: {cursor:?} is not a cursor this API returned"
        ));
    }
    let window = match state {
        None => within.map_or_else(QueueWindow::all, |until| {
            QueueWindow::deadlines(None, Some(until))
        }),
        Some(StateFilter::Running | StateFilter::AtRisk) => {
            QueueWindow::deadlines(Some(now), within)
        }
        Some(StateFilter::Breached) => QueueWindow::deadlines(None, Some(now)),
        Some(StateFilter::Paused) => QueueWindow::paused(),
    };
    let text = |name: &str| param(&params, name).map(str::to_string);
    Ok(QueueQuery {
        tenant: tenant.to_string(),
        window: window.resume(cursor),
        filter: QueueFilter {
            metric,
            group: text("group"),
            assignee: text("assignee"),
            organization: text("organization"),
            at_risk: state == Some(StateFilter::AtRisk),
        },
        limit,
    })
}

fn parse_state(text: &str) -> Result<StateFilter, String> {
    match text {
        "running" => Ok(StateFilter::Running),
        "paused" => Ok(StateFilter::Paused),
        "breached" => Ok(StateFilter::Breached),
        "at_risk" => Ok(StateFilter::AtRisk),
        other => Err(format!(
            "state: {other:?} is not running, paused, breached or at_risk"
        )),
    }
}

/// The state of `cycle` at `now`: a deadline passed means breached.
pub(super) fn state_now(cycle: &OpenCycle, now: DateTime<Utc>) -> OpenState {
    match cycle.deadline {
        Some(deadline) if deadline <= now => OpenState::Breached,
        Some(_) if cycle.state == OpenState::Paused => OpenState::Paused,
        Some(_) => OpenState::Running,
        None => OpenState::Paused,
    }
}

/// Business seconds left at `now` on the cycle's calendar (negative once breached); a
/// paused cycle keeps what it had. Wall time when the calendar is unknown.
fn business_seconds_left(cycle: &OpenCycle, policies: &PolicySet, now: DateTime<Utc>) -> i64 {
    let Some(deadline) = cycle.deadline else {
        return cycle.business_seconds_left;
    };
    let calendar = cycle
        .calendar
        .as_ref()
        .and_then(|name| policies.calendars().get(name));
    match calendar {
        Some(calendar) if deadline >= now => calendar.between(now, deadline).num_seconds(),
        Some(calendar) => -calendar.between(deadline, now).num_seconds(),
        None => (deadline - now).num_seconds(),
    }
}

fn item_json<S: QueueStore>(
    service: &ReadService<S>,
    tenant: &str,
    item: &QueueItem,
    policies: &PolicySet,
    now: DateTime<Utc>,
) -> Value {
    let cycle = &item.cycle;
    let state = state_now(cycle, now);
    let left = business_seconds_left(cycle, policies, now);
    let used = cycle.target_seconds - left;
    let percent = (cycle.target_seconds > 0)
        .then(|| (used as f64 * 1000.0 / cycle.target_seconds as f64).round() / 10.0);
    json!({
        "ticket_id": item.ticket_id,
        "metric": cycle.metric,
        "cycle": cycle.cycle,
        "state": state,
        "at_risk": cycle.at_risk && state == OpenState::Running,
        "deadline": cycle.deadline.map(stamp),
        "business_seconds_left": left,
        "wall_seconds_left": cycle.deadline.map(|d| (d - now).num_seconds()),
        "target_seconds": cycle.target_seconds,
        "percent_used": percent,
        "priority": cycle.priority,
        "policy": cycle.policy,
        "group": cycle.group,
        "assignee": cycle.assignee,
        "organization": cycle.organization,
        "url": service.ticket_url(tenant, &item.ticket_id),
    })
}

/// RFC 3339 in UTC, whole seconds.
pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
