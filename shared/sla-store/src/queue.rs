//! The read index: a record's open cycles and recent completions (computed by the
//! application at every save), and the queue every store answers from it: open cycles of
//! one tenant in deadline order, paged by an opaque cursor (the last row's sort key).
//!
//! Sort keys order every open cycle of a tenant: `D<deadline ms, 16 digits>#<ticket>#<slot>`
//! for cycles with a deadline (running, or breached and still open), then
//! `P<business seconds left + 10^12, 13 digits>#<ticket>#<slot>` for paused ones.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sla_core::{Metric, Priority};

use crate::codec::StoredRow;
use crate::{StoreError, TicketKey, TicketRecord, TicketStore};

/// Most completions kept per record (the most recent).
pub const MAX_COMPLETIONS: usize = 50;

/// What the read API needs of one record, stored with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadIndex {
    /// Cycles still open (running, paused, or breached and running), at most one per metric.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open: Vec<OpenCycle>,
    /// Cycles completed (met or breached and stopped) recently, most recent last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completions: Vec<Completion>,
}

impl ReadIndex {
    /// Whether the index holds nothing (records of older formats, closed tickets).
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.completions.is_empty()
    }

    /// The latest completion's instant (the summary index key).
    pub fn last_completion(&self) -> Option<DateTime<Utc>> {
        self.completions.iter().map(|c| c.completed_at).max()
    }
}

/// An open cycle's state when saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    /// Counting business time.
    Running,
    /// Paused by a pausing status.
    Paused,
    /// The target is used up and the cycle still runs.
    Breached,
}

/// One open cycle of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCycle {
    /// The metric.
    pub metric: Metric,
    /// The cycle number.
    pub cycle: u32,
    /// Its state when saved.
    pub state: OpenState,
    /// A warning was announced and the cycle still runs.
    #[serde(default)]
    pub at_risk: bool,
    /// When the target is used up (`None` while paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// Business seconds left when saved (what a paused cycle keeps).
    pub business_seconds_left: i64,
    /// The target, in business seconds.
    pub target_seconds: i64,
    /// The business-hours calendar the cycle runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The priority its target is for.
    pub priority: Priority,
    /// The policy measuring it.
    pub policy: String,
    /// The ticket's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The ticket's assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The ticket's organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

impl OpenCycle {
    /// The cycle's sort key within its tenant's queue (see the module docs).
    pub fn sort_key(&self, ticket_id: &str) -> String {
        let slot = self.metric.slot();
        match self.deadline {
            Some(deadline) => format!("D{}#{ticket_id}#{slot}", deadline_part(deadline)),
            None => format!(
                "P{}#{ticket_id}#{slot}",
                paused_part(self.business_seconds_left)
            ),
        }
    }
}

/// How a completed cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Within the target.
    Met,
    /// After the target was used up.
    Breached,
}

/// One completed cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// The metric.
    pub metric: Metric,
    /// The cycle number.
    pub cycle: u32,
    /// The priority its target was for.
    pub priority: Priority,
    /// When it stopped.
    pub completed_at: DateTime<Utc>,
    /// Met or breached.
    pub outcome: Outcome,
}

const PAUSED_OFFSET: i64 = 1_000_000_000_000;
const PAUSED_MAX: i64 = 9_999_999_999_999;

fn deadline_part(deadline: DateTime<Utc>) -> String {
    format!("{:016}", deadline.timestamp_millis().max(0))
}

fn paused_part(seconds_left: i64) -> String {
    format!(
        "{:013}",
        seconds_left
            .saturating_add(PAUSED_OFFSET)
            .clamp(0, PAUSED_MAX)
    )
}

/// A range of sort keys, both bounds exclusive: bounds end in `$` (after `#`), so they
/// never equal a row's key and `D<ms>$` sorts after every key of that millisecond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueWindow {
    /// Keys strictly after this one.
    pub after: String,
    /// Keys strictly before this one.
    pub before: String,
}

impl QueueWindow {
    /// Every open cycle.
    pub fn all() -> Self {
        Self {
            after: "!".into(),
            before: "~".into(),
        }
    }

    /// Cycles with a deadline in `(after, until]` (either end open when `None`).
    pub fn deadlines(after: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Self {
        Self {
            after: after.map_or("D".into(), |at| format!("D{}$", deadline_part(at))),
            before: until.map_or("E".into(), |at| format!("D{}$", deadline_part(at))),
        }
    }

    /// Paused cycles.
    pub fn paused() -> Self {
        Self {
            after: "P".into(),
            before: "Q".into(),
        }
    }

    /// This window from after `cursor` (a page's last key) on.
    pub fn resume(mut self, cursor: Option<&str>) -> Self {
        if let Some(cursor) = cursor {
            if cursor > self.after.as_str() {
                self.after = cursor.to_string();
            }
        }
        self
    }

    /// Whether `key` lies in the window.
    pub fn contains(&self, key: &str) -> bool {
        self.after.as_str() < key && key < self.before.as_str()
    }
}

/// Whether `cursor` can be a queue cursor (a sort key handed out by a page).
pub fn is_queue_cursor(cursor: &str) -> bool {
    let mut parts = cursor.splitn(3, '#');
    let head = parts.next().unwrap_or_default();
    let (kind, digits) = head.split_at(head.len().min(1));
    let digits_ok = match kind {
        "D" => digits.len() == 16,
        "P" => digits.len() == 13,
        _ => false,
    } && digits.bytes().all(|b| b.is_ascii_digit());
    digits_ok && parts.next().is_some() && parts.next().is_some()
}

/// Filters applied after the window (DynamoDB: after the key condition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Only this metric.
    pub metric: Option<Metric>,
    /// Only tickets of this group.
    pub group: Option<String>,
    /// Only tickets held by this assignee.
    pub assignee: Option<String>,
    /// Only tickets of this organization.
    pub organization: Option<String>,
    /// Only cycles that announced a warning.
    pub at_risk: bool,
}

impl QueueFilter {
    /// Whether `cycle` passes.
    pub fn matches(&self, cycle: &OpenCycle) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        self.metric.is_none_or(|m| m == cycle.metric)
            && same(&self.group, &cycle.group)
            && same(&self.assignee, &cycle.assignee)
            && same(&self.organization, &cycle.organization)
            && (!self.at_risk || cycle.at_risk)
    }
}

/// A queue request to a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    /// The tenant.
    pub tenant: String,
    /// Which sort keys (already resumed after the cursor).
    pub window: QueueWindow,
    /// Filters.
    pub filter: QueueFilter,
    /// Most rows returned (at least 1).
    pub limit: u32,
}

/// One open cycle in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// The ticket.
    pub ticket_id: String,
    /// The cycle.
    pub cycle: OpenCycle,
}

/// A page of the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueuePage {
    /// Open cycles in sort-key order.
    pub items: Vec<QueueItem>,
    /// Pass back (as [`QueueWindow::resume`]'s cursor) for the next page; `None` at the end.
    pub cursor: Option<String>,
}

impl QueuePage {
    /// The first `limit` of `sorted` (sort key, item) rows that passed the filters, with
    /// a cursor when more remain.
    pub(crate) fn of(sorted: Vec<(String, QueueItem)>, limit: u32) -> Self {
        let limit = limit.max(1) as usize;
        let more = sorted.len() > limit;
        let mut items = Vec::with_capacity(limit.min(sorted.len()));
        let mut cursor = None;
        for (key, item) in sorted.into_iter().take(limit) {
            cursor = Some(key);
            items.push(item);
        }
        Self {
            items,
            cursor: cursor.filter(|_| more),
        }
    }
}

/// A completion of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCompletion {
    /// The ticket.
    pub ticket_id: String,
    /// The completion.
    pub completion: Completion,
}

/// The read index queries, answered from an index (never a scan of every ticket).
pub trait QueueStore: TicketStore {
    /// Open cycles of `query.tenant` in the window that pass the filters, in sort-key
    /// order, at most `query.limit`.
    fn query_queue(
        &self,
        query: &QueueQuery,
    ) -> impl Future<Output = Result<QueuePage, StoreError>> + Send;

    /// Completions of `tenant` at or after `since`, from tickets whose last completion is
    /// at or after `since`.
    fn query_completions(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<TicketCompletion>, StoreError>> + Send;
}

/// The rows of one record in `query`'s window passing its filters.
pub(crate) fn rows_of(
    ticket_id: &str,
    index: &ReadIndex,
    query: &QueueQuery,
) -> Vec<(String, QueueItem)> {
    index
        .open
        .iter()
        .map(|cycle| (cycle.sort_key(ticket_id), cycle))
        .filter(|(key, cycle)| query.window.contains(key) && query.filter.matches(cycle))
        .map(|(key, cycle)| {
            let item = QueueItem {
                ticket_id: ticket_id.to_string(),
                cycle: cycle.clone(),
            };
            (key, item)
        })
        .collect()
}

/// The completions of one record at or after `since`.
pub(crate) fn completions_of(
    ticket_id: &str,
    index: &ReadIndex,
    since: DateTime<Utc>,
) -> Vec<TicketCompletion> {
    index
        .completions
        .iter()
        .filter(|c| c.completed_at >= since)
        .map(|c| TicketCompletion {
            ticket_id: ticket_id.to_string(),
            completion: c.clone(),
        })
        .collect()
}

/// The record's read index as stored: JSON, `None` when empty.
pub(crate) fn encode_read(record: &TicketRecord) -> Result<Option<String>, StoreError> {
    (!record.read.is_empty())
        .then(|| serde_json::to_string(&record.read))
        .transpose()
        .map_err(|e| {
            StoreError::corrupt(&record.key, format!("field `read` does not serialize: {e}"))
        })
}

/// The stored read index (empty when absent: rows of older formats).
pub(crate) fn decode_read(key: &TicketKey, text: Option<&str>) -> Result<ReadIndex, StoreError> {
    text.map_or(Ok(ReadIndex::default()), |text| {
        serde_json::from_str(text).map_err(|e| {
            StoreError::corrupt(
                key,
                format!("field `read` is not valid JSON of a read index: {e}"),
            )
        })
    })
}

/// An upper bound of the bytes the index attributes add to a DynamoDB item: per metric
/// slot a partition key, a sort key and the cycle's row (at most the whole index's JSON
/// together), plus the completion index's two keys.
pub(crate) fn index_bytes(row: &StoredRow) -> usize {
    let Some(read) = &row.read else { return 0 };
    let tenant = row.key.tenant.len();
    let ticket = row.key.ticket_id.len();
    let per_slot =
        "q0_pk".len() + "QUEUE#".len() + tenant + "q0_sk".len() + 20 + ticket + "q0_row".len();
    let done = "done_pk".len() + "DONE#".len() + tenant + "done_sk".len() + 18 + ticket;
    read.len() + sla_core::sla_event::METRICS.len() * per_slot + done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(deadline: Option<&str>, left: i64) -> OpenCycle {
        OpenCycle {
            metric: Metric::FirstResponse,
            cycle: 1,
            state: if deadline.is_some() {
                OpenState::Running
            } else {
                OpenState::Paused
            },
            at_risk: false,
            deadline: deadline.map(|d| d.parse().unwrap()),
            business_seconds_left: left,
            target_seconds: 3600,
            calendar: None,
            priority: Priority::High,
            policy: "standard".into(),
            group: None,
            assignee: None,
            organization: None,
        }
    }

    #[test]
    fn deadlines_sort_before_paused_cycles_and_in_time_order() {
        let early = cycle(Some("2026-01-01T10:00:00Z"), 0).sort_key("9");
        let late = cycle(Some("2026-01-01T11:00:00Z"), 0).sort_key("1");
        let paused_short = cycle(None, -5).sort_key("1");
        let paused_long = cycle(None, 600).sort_key("0");
        assert!(early < late && late < paused_short && paused_short < paused_long);
        for key in [&early, &late, &paused_short, &paused_long] {
            assert!(is_queue_cursor(key), "{key}");
        }
        assert!(!is_queue_cursor("D12#x#1") && !is_queue_cursor("garbage"));
    }

    #[test]
    fn windows_bound_deadlines_inclusively_at_the_end() {
        let at: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        let on_time = cycle(Some("2026-01-01T10:00:00Z"), 0).sort_key("z");
        assert!(QueueWindow::deadlines(None, Some(at)).contains(&on_time));
        assert!(!QueueWindow::deadlines(Some(at), None).contains(&on_time));
        assert!(!QueueWindow::paused().contains(&on_time));
        let paused = cycle(None, 1).sort_key("a");
        assert!(QueueWindow::paused().contains(&paused) && QueueWindow::all().contains(&paused));
        let resumed = QueueWindow::all().resume(Some(&on_time));
        assert!(!resumed.contains(&on_time) && resumed.contains(&paused));
    }
}
