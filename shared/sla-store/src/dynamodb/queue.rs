//! The read index on DynamoDB: one sparse GSI per metric slot (`queue-<slot>` on
//! `q<slot>_pk = QUEUE#<tenant>`, `q<slot>_sk = <sort key>`, projecting the cycle's
//! compact row `q<slot>_row`), and `done-index` on (`done_pk = DONE#<tenant>`,
//! `done_sk = <last completion ms>#<ticket>`) projecting `read`. A metric filter is one
//! Query; no metric filter merges the five slots' Queries. Never a Scan.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use sla_core::sla_event::METRICS;
use sla_core::Metric;

use super::item::{attr, Item, ItemReader};
use super::{sdk_failure, DynamoStore};
use crate::queue::{completions_of, decode_read, QueueQuery, TicketCompletion};
use crate::{OpenCycle, QueueItem, QueuePage, ReadIndex, StoreError, TicketKey};

/// Name of the queue GSI of `metric`.
pub fn queue_index(metric: Metric) -> String {
    format!("queue-{}", metric.slot())
}

/// Name of the GSI of tickets by last completion.
pub const DONE_INDEX: &str = "done-index";

/// The queue GSI attribute names of a metric slot: (partition key, sort key, row).
pub fn slot_attributes(metric: Metric) -> (String, String, String) {
    let slot = metric.slot();
    (
        format!("q{slot}_pk"),
        format!("q{slot}_sk"),
        format!("q{slot}_row"),
    )
}

/// The index attributes of a record with `index`: at most one queue row per metric slot
/// (the earliest sort key) and the completion index keys.
pub(crate) fn index_attributes(key: &TicketKey, index: &ReadIndex) -> Result<Item, StoreError> {
    let mut item = Item::new();
    let mut open: Vec<&OpenCycle> = index.open.iter().collect();
    open.sort_by_key(|cycle| std::cmp::Reverse(cycle.sort_key(&key.ticket_id)));
    for cycle in open {
        let (pk, sk, row) = slot_attributes(cycle.metric);
        let json = serde_json::to_string(cycle).map_err(|e| {
            StoreError::corrupt(key, format!("read index row does not serialize: {e}"))
        })?;
        item.insert(pk, AttributeValue::S(format!("QUEUE#{}", key.tenant)));
        item.insert(sk, AttributeValue::S(cycle.sort_key(&key.ticket_id)));
        item.insert(row, AttributeValue::S(json));
    }
    if let Some(last) = index.last_completion() {
        item.insert(
            attr::DONE_PK.into(),
            AttributeValue::S(format!("DONE#{}", key.tenant)),
        );
        item.insert(
            attr::DONE_SK.into(),
            AttributeValue::S(format!(
                "{:016}#{}",
                last.timestamp_millis().max(0),
                key.ticket_id
            )),
        );
    }
    Ok(item)
}

impl DynamoStore {
    /// Up to `limit + 1` rows of one metric slot in the window passing the filters,
    /// following the Query's pages.
    async fn slot_rows(
        &self,
        metric: Metric,
        query: &QueueQuery,
        limit: usize,
    ) -> Result<Vec<(String, QueueItem)>, StoreError> {
        let (pk, sk, row) = slot_attributes(metric);
        let index = queue_index(metric);
        let mut rows = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table_name())
                .index_name(&index)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :after AND :before")
                .expression_attribute_names("#pk", &pk)
                .expression_attribute_names("#sk", &sk)
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(format!("QUEUE#{}", query.tenant)),
                )
                .expression_attribute_values(
                    ":after",
                    AttributeValue::S(query.window.after.clone()),
                )
                .expression_attribute_values(
                    ":before",
                    AttributeValue::S(query.window.before.clone()),
                )
                .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_failure(&format!("Query {index}"), self.table_name(), e))?;
            for item in output.items() {
                if let Some(found) = queue_row(item, &sk, &row, &query.tenant)? {
                    if query.window.contains(&found.0) && query.filter.matches(&found.1.cycle) {
                        rows.push(found);
                    }
                }
            }
            start = output.last_evaluated_key().cloned();
            if rows.len() > limit || start.is_none() {
                return Ok(rows);
            }
        }
    }

    /// Completions of `tenant` since `since`, from `done-index`.
    async fn done_rows(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<TicketCompletion>, StoreError> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table_name())
                .index_name(DONE_INDEX)
                .key_condition_expression("#pk = :pk AND #sk >= :since")
                .expression_attribute_names("#pk", attr::DONE_PK)
                .expression_attribute_names("#sk", attr::DONE_SK)
                .expression_attribute_values(":pk", AttributeValue::S(format!("DONE#{tenant}")))
                .expression_attribute_values(
                    ":since",
                    AttributeValue::S(format!("{:016}", since.timestamp_millis().max(0))),
                )
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_failure(&format!("Query {DONE_INDEX}"), self.table_name(), e))?;
            for item in output.items() {
                let key = item_key(item, tenant)?;
                let read = ItemReader { key: &key, item }.optional_string(attr::READ)?;
                let index = decode_read(&key, read.as_deref())?;
                found.extend(completions_of(&key.ticket_id, &index, since));
            }
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(found);
            }
        }
    }
}

fn item_key(item: &Item, tenant: &str) -> Result<TicketKey, StoreError> {
    let placeholder = TicketKey::new(tenant, "?");
    let ticket = ItemReader {
        key: &placeholder,
        item,
    }
    .string(attr::TICKET_ID)?;
    Ok(TicketKey::new(tenant, ticket))
}

/// The (sort key, queue item) of an index item.
fn queue_row(
    item: &Item,
    sk: &str,
    row: &str,
    tenant: &str,
) -> Result<Option<(String, QueueItem)>, StoreError> {
    let key = item_key(item, tenant)?;
    let read = ItemReader { key: &key, item };
    let sort_key = read.string(sk)?;
    let cycle: OpenCycle = serde_json::from_str(&read.string(row)?).map_err(|e| {
        StoreError::corrupt(&key, format!("attribute `{row}` is not a queue row: {e}"))
    })?;
    let item = QueueItem {
        ticket_id: key.ticket_id,
        cycle,
    };
    Ok(Some((sort_key, item)))
}

impl crate::QueueStore for DynamoStore {
    async fn query_queue(&self, query: &QueueQuery) -> Result<QueuePage, StoreError> {
        let limit = query.limit.max(1) as usize;
        let metrics: Vec<Metric> = match query.filter.metric {
            Some(metric) => vec![metric],
            None => METRICS.to_vec(),
        };
        let mut rows = Vec::new();
        for metric in metrics {
            rows.extend(self.slot_rows(metric, query, limit).await?);
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(QueuePage::of(rows, query.limit))
    }

    async fn query_completions(
        &self,
        tenant: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<TicketCompletion>, StoreError> {
        self.done_rows(tenant, since).await
    }
}
