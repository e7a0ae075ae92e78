//! The ledger in the ticket table on DynamoDB: one item per action, beside the tickets.
//!
//! - `pk = ACTION#<len>:<tenant>#<len>:<ticket>#<action id>`: ticket items start with
//!   `TENANT#`, and the length prefixes keep any two actions apart whatever their ids hold.
//! - Every write is conditional and bumps the item's `version`: enqueue puts only a new
//!   `pk`; record needs the action to exist and redrive needs it dead (`UpdateItem`); a
//!   claim reads the item (consistent `GetItem`), decides as the other backends do, and
//!   puts the claimed item only if `version` is still the one read, re-reading when it
//!   lost a race, so two Lambda instances never both acquire. (A single conditional
//!   `UpdateItem` would do on DynamoDB, but moto evaluates an update's condition apart
//!   from applying it, and the contract's concurrent claims then both acquire there.)
//! - `action-index` (`action_slot`, `action_sk`), sparse: pending and claimed actions sit
//!   in `due#<shard>` sorted by their enqueue sequence, so `due` reads in the trait's
//!   enqueue order, filtering on `action_due`, and a claim moves nothing in the index;
//!   dead actions sit in `dead#<shard>` sorted by `<died ms>#<pk>`; done actions leave
//!   it. The shard is the ticket's ([`shard_of`](crate::shard_of)), as for the due index;
//!   a query reads every shard and merges them by sort key.
//! - `ticket-actions-index` (`action_ticket`, `action_seq`): a ticket's actions in
//!   enqueue order.
//!
//! Both GSIs project every attribute (one Query returns the records); their reads are
//! eventually consistent, which is safe because acting on a listed action takes a claim.

mod item;

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use self::item::{
    claimed_item, dead_sort, ms, new_item, partition_key, record_of, slot, text, ticket_part,
};
use super::{ActionKey, ActionLedger, ActionRecord, ActionState, ActionUpdate, Claim, NewAction};
use crate::dynamodb::{number, put_if, sdk_failure, Item, ACTION_INDEX, TICKET_ACTIONS_INDEX};
use crate::StoreError;
pub use item::attr;

/// `action_due` of an action due at once, whatever the runner's clock.
const AT_ONCE: i64 = i64::MIN;

/// Most times a claim re-reads an action whose item changed under it.
const CLAIM_ROUNDS: usize = 8;

/// The action ledger in a DynamoDB table created by
/// [`create_table`](crate::dynamodb::create_table) (the ticket table).
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    client: Client,
    table: String,
    shards: u32,
}

impl DynamoLedger {
    /// The ledger in `table_name`, its indexes spread over `shards` shards (at least 1;
    /// keep it fixed for a table, like the ticket store's).
    pub fn new(client: Client, table_name: impl Into<String>, shards: u32) -> Self {
        Self {
            client,
            table: table_name.into(),
            shards: shards.max(1),
        }
    }

    /// A conditional update of `key`'s item: `update` and `condition` name attributes as
    /// `#<attribute>`.
    fn update(&self, key: &ActionKey, update: &str, condition: &str) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(crate::dynamodb::attr::PK, text(&partition_key(key)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(placeholders(&[update, condition])))
    }

    /// A strongly consistent read of `key`'s item.
    async fn get(&self, key: &ActionKey) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(crate::dynamodb::attr::PK, text(&partition_key(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_failure("GetItem action", &self.table, e))?;
        Ok(output.item().cloned())
    }

    /// Puts `item` if the stored one is still at `version`; false when it changed.
    async fn put_if_version(&self, item: Item, version: u64) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#version = :read")
            .expression_attribute_names("#version", crate::dynamodb::attr::VERSION)
            .expression_attribute_values(":read", number(version));
        put_if(put, "PutItem claim", &self.table).await
    }

    /// The items of `index` whose hash key `hash` is `value` (passing `filter`, whose value
    /// is `:filter`), in sort key order, until `wanted` are found.
    async fn query(
        &self,
        index: &str,
        (hash, value): (&str, String),
        filter: Option<(&str, AttributeValue)>,
        wanted: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let condition = format!("#{hash} = :hash");
        let expressions = [condition.as_str(), filter.as_ref().map_or("", |f| f.0)];
        let page = wanted.map(|w| i32::try_from(w.max(1)).unwrap_or(i32::MAX));
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression(&condition)
                .set_expression_attribute_names(Some(placeholders(&expressions)))
                .expression_attribute_values(":hash", AttributeValue::S(value.clone()))
                .set_limit(page)
                .set_exclusive_start_key(start.take());
            let query = match &filter {
                Some((expression, value)) => query
                    .filter_expression(*expression)
                    .expression_attribute_values(":filter", value.clone()),
                None => query,
            };
            let output = query
                .send()
                .await
                .map_err(|e| sdk_failure(&format!("Query {index}"), &self.table, e))?;
            found.extend(output.items().iter().cloned());
            start = output.last_evaluated_key().cloned();
            if start.is_none() || wanted.is_some_and(|w| found.len() >= w) {
                return Ok(found);
            }
        }
    }

    /// Up to `limit` records of the `kind` slots of `action-index` passing `filter`, every
    /// shard merged in sort key order.
    async fn slots(
        &self,
        kind: &str,
        filter: Option<(&str, AttributeValue)>,
        limit: usize,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for shard in 0..self.shards {
            let hash = (attr::SLOT, format!("{kind}#{shard}"));
            let items = self
                .query(ACTION_INDEX, hash, filter.clone(), Some(limit))
                .await?;
            found.extend(items);
        }
        found.sort_by(|a, b| sort_key(a).cmp(sort_key(b)));
        found.iter().take(limit).map(record_of).collect()
    }
}

/// An item's `action-index` sort key.
fn sort_key(item: &Item) -> &str {
    match item.get(attr::SORT) {
        Some(AttributeValue::S(sort)) => sort,
        _ => "",
    }
}

/// The `#name` placeholders of `expressions`, each standing for the attribute `name`.
fn placeholders(expressions: &[&str]) -> std::collections::HashMap<String, String> {
    expressions
        .iter()
        .flat_map(|e| e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '#')))
        .filter_map(|token| Some((token.to_owned(), token.strip_prefix('#')?.to_owned())))
        .collect()
}

/// `Ok` when an update failed on its condition, the failure otherwise.
fn refused(
    err: SdkError<UpdateItemError, impl std::fmt::Debug>,
    operation: &str,
    table: &str,
) -> Result<(), StoreError> {
    match err.as_service_error() {
        Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(()),
        _ => Err(sdk_failure(operation, table, err)),
    }
}

/// When a done action recorded at `now` expires (TTL, epoch seconds).
fn done_expiry(now: DateTime<Utc>) -> i64 {
    now.timestamp()
        .saturating_add(super::DONE_RETENTION.as_secs() as i64)
}

/// The update expression and its values recording `update` of `key` at `now`.
fn recording(
    key: &ActionKey,
    update: &ActionUpdate,
    now: DateTime<Utc>,
    shards: u32,
) -> (String, Vec<(&'static str, AttributeValue)>) {
    let (state, attempts, error, next) = update.parts();
    let mut set = vec![
        "#action_state = :state, #attempts = :attempts, #updated_at = :now",
        "#version = #version + :one",
    ];
    let mut values = vec![
        (":one", number(1)),
        (":state", text(state.name())),
        (":attempts", number(attempts)),
        (":now", ms(now)),
    ];
    if let Some(error) = error {
        set.push("#last_error = :error");
        values.push((":error", text(error)));
    }
    let remove = match (state, next) {
        (ActionState::Pending, Some(next)) => {
            set.push("#next_attempt_at = :next, #action_due = :next");
            set.push("#action_slot = :slot, #action_sk = #action_seq");
            values.push((":next", ms(next)));
            values.push((":slot", text(&slot("due", key, shards))));
            "#lease_until"
        }
        (ActionState::Dead, _) => {
            set.push("#action_slot = :slot, #action_sk = :sort");
            values.push((":slot", text(&slot("dead", key, shards))));
            values.push((":sort", text(&dead_sort(key, now))));
            "#next_attempt_at, #lease_until, #action_due"
        }
        _ => {
            // Done: kept for the ticket retention, then DynamoDB's TTL deletes it.
            set.push("#expires_at = :expires");
            values.push((":expires", number(done_expiry(now))));
            "#next_attempt_at, #lease_until, #action_due, #action_slot, #action_sk"
        }
    };
    (format!("SET {} REMOVE {remove}", set.join(", ")), values)
}

impl ActionLedger for DynamoLedger {
    async fn enqueue(
        &self,
        actions: &[NewAction],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut added = 0;
        for (index, action) in actions.iter().enumerate() {
            let item = new_item(&action.key, &action.payload, now, index, self.shards);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", crate::dynamodb::attr::PK);
            if put_if(put, "PutItem action", &self.table).await? {
                added += 1;
            }
        }
        Ok(added)
    }

    async fn claim(
        &self,
        key: &ActionKey,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        for _ in 0..CLAIM_ROUNDS {
            let Some(item) = self.get(key).await? else {
                return Ok(Claim::Unknown);
            };
            let mut record = record_of(&item)?;
            if let Some(refused) = record.claim_at(now, lease) {
                return Ok(refused);
            }
            let (claimed, read_version) = claimed_item(item, &record)?;
            if self.put_if_version(claimed, read_version).await? {
                return Ok(Claim::Acquired(record));
            }
        }
        Err(StoreError::Backend(format!(
            "claiming action {} lost {CLAIM_ROUNDS} races in a row",
            key.action_id
        )))
    }

    async fn record(
        &self,
        key: &ActionKey,
        update: &ActionUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (expression, values) = recording(key, update, now, self.shards);
        let mut request = self.update(key, &expression, "attribute_exists(#pk)");
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => {
                refused(err, "UpdateItem record", &self.table)?;
                Err(StoreError::Backend(format!(
                    "recording unknown action {}",
                    key.action_id
                )))
            }
        }
    }

    async fn ticket_actions(
        &self,
        tenant: &str,
        ticket_id: &str,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let hash = (attr::TICKET, ticket_part(tenant, ticket_id));
        let items = self.query(TICKET_ACTIONS_INDEX, hash, None, None).await?;
        items.iter().map(record_of).collect()
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ActionRecord>, StoreError> {
        let filter = ("#action_due <= :filter", ms(now));
        self.slots("due", Some(filter), limit).await
    }

    async fn dead(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let filter = tenant.map(|tenant| ("#tenant = :filter", text(tenant)));
        self.slots("dead", filter, limit).await
    }

    async fn redrive(&self, key: &ActionKey, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let redriven = self
            .update(
                key,
                "SET #action_state = :pending, #attempts = :zero, #updated_at = :now, \
                 #action_due = :at_once, #action_slot = :slot, #action_sk = #action_seq, \
                 #version = #version + :one REMOVE #next_attempt_at",
                "#action_state = :dead",
            )
            .expression_attribute_values(":pending", text(ActionState::Pending.name()))
            .expression_attribute_values(":dead", text(ActionState::Dead.name()))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", ms(now))
            .expression_attribute_values(":at_once", number(AT_ONCE))
            .expression_attribute_values(":slot", text(&slot("due", key, self.shards)))
            .send()
            .await;
        match redriven {
            Ok(_) => Ok(true),
            Err(err) => refused(err, "UpdateItem redrive", &self.table).map(|()| false),
        }
    }
}
