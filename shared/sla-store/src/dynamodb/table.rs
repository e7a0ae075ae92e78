//! Creating the ticket table with the fixed layout (tests, `sla` dev tooling).

use std::time::Duration;

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use sla_core::sla_event::METRICS;

use super::queue::{queue_index, slot_attributes, DONE_INDEX};
use super::{attr, sdk_failure};
use crate::ledger::dynamodb::attr as action;
use crate::StoreError;

/// Name of the sparse GSI on (`due_shard`, `due_at`).
pub const DUE_INDEX: &str = "due-index";
/// Name of the sparse GSI on (`dead_shard`, `dead_at`): tickets holding dead letters.
pub const DEAD_LETTER_INDEX: &str = "dead-letter-index";
/// Name of the sparse GSI on (`action_slot`, `action_sk`): due and dead actions.
pub const ACTION_INDEX: &str = "action-index";
/// Name of the GSI on (`action_ticket`, `action_seq`): each ticket's actions.
pub const TICKET_ACTIONS_INDEX: &str = "ticket-actions-index";

const ACTIVE_POLL: Duration = Duration::from_millis(500);
const ACTIVE_POLLS: u32 = 240;

/// Creates `table_name` (on-demand billing, `pk` hash key, the `due-index` and
/// `dead-letter-index` GSIs projecting `tenant` and `ticket_id`, the read index and
/// action ledger GSIs), waits until it is active, then enables TTL on `expires_at`.
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let definition = |name: &str, kind| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
    };
    let build =
        |e: BuildError| StoreError::Backend(format!("building CreateTable for {table_name}: {e}"));
    let mut request = client.create_table();
    let mut indexes = read_indexes().map_err(build)?;
    indexes.extend(action_indexes().map_err(build)?);
    for (name, gsi) in indexes {
        request = request
            .attribute_definitions(definition(&name.0, ScalarAttributeType::S).map_err(build)?)
            .attribute_definitions(definition(&name.1, ScalarAttributeType::S).map_err(build)?)
            .global_secondary_indexes(gsi);
    }
    request
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(definition(attr::PK, ScalarAttributeType::S).map_err(build)?)
        .attribute_definitions(definition(attr::DUE_SHARD, ScalarAttributeType::N).map_err(build)?)
        .attribute_definitions(definition(attr::DUE_AT, ScalarAttributeType::N).map_err(build)?)
        .attribute_definitions(definition(attr::DEAD_SHARD, ScalarAttributeType::N).map_err(build)?)
        .attribute_definitions(definition(attr::DEAD_AT, ScalarAttributeType::N).map_err(build)?)
        .key_schema(key(attr::PK, KeyType::Hash).map_err(build)?)
        .global_secondary_indexes(
            sparse_index(DUE_INDEX, attr::DUE_SHARD, attr::DUE_AT).map_err(build)?,
        )
        .global_secondary_indexes(
            sparse_index(DEAD_LETTER_INDEX, attr::DEAD_SHARD, attr::DEAD_AT).map_err(build)?,
        )
        .send()
        .await
        .map_err(|e| sdk_failure("CreateTable", table_name, e))?;
    wait_until_active(client, table_name).await?;
    let ttl = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(attr::EXPIRES_AT)
        .build()
        .map_err(build)?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(ttl)
        .send()
        .await
        .map_err(|e| sdk_failure("UpdateTimeToLive", table_name, e))?;
    Ok(())
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
}

/// A GSI on (`shard`, `at`) projecting `tenant` and `ticket_id`.
fn sparse_index(name: &str, shard: &str, at: &str) -> Result<GlobalSecondaryIndex, BuildError> {
    let projection = Projection::builder()
        .projection_type(ProjectionType::Include)
        .non_key_attributes(attr::TENANT)
        .non_key_attributes(attr::TICKET_ID)
        .build();
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(shard, KeyType::Hash)?)
        .key_schema(key(at, KeyType::Range)?)
        .projection(projection)
        .build()
}

/// A GSI with its (hash, range) attribute names.
type NamedIndex = ((String, String), GlobalSecondaryIndex);

/// The read index GSIs (a queue index per metric slot, the completion index).
fn read_indexes() -> Result<Vec<NamedIndex>, BuildError> {
    let mut indexes = Vec::new();
    for metric in METRICS {
        let (pk, sk, row) = slot_attributes(metric);
        let gsi = included_index(&queue_index(metric), &pk, &sk, &[attr::TICKET_ID, &row])?;
        indexes.push(((pk, sk), gsi));
    }
    let done = included_index(
        DONE_INDEX,
        attr::DONE_PK,
        attr::DONE_SK,
        &[attr::TICKET_ID, attr::READ],
    )?;
    indexes.push(((attr::DONE_PK.into(), attr::DONE_SK.into()), done));
    Ok(indexes)
}

/// The action ledger GSIs, projecting every attribute.
fn action_indexes() -> Result<Vec<NamedIndex>, BuildError> {
    [
        (ACTION_INDEX, action::SLOT, action::SORT),
        (TICKET_ACTIONS_INDEX, action::TICKET, action::SEQ),
    ]
    .into_iter()
    .map(|(name, hash, range)| {
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash)?)
            .key_schema(key(range, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()?;
        Ok(((hash.to_owned(), range.to_owned()), gsi))
    })
    .collect()
}

/// A GSI on (`hash`, `range`) projecting `attributes`.
fn included_index(
    name: &str,
    hash: &str,
    range: &str,
    attributes: &[&str],
) -> Result<GlobalSecondaryIndex, BuildError> {
    let projection = Projection::builder()
        .projection_type(ProjectionType::Include)
        .set_non_key_attributes(Some(attributes.iter().map(|a| a.to_string()).collect()))
        .build();
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(hash, KeyType::Hash)?)
        .key_schema(key(range, KeyType::Range)?)
        .projection(projection)
        .build()
}

async fn wait_until_active(client: &Client, table_name: &str) -> Result<(), StoreError> {
    for _ in 0..ACTIVE_POLLS {
        let described = client
            .describe_table()
            .table_name(table_name)
            .send()
            .await
            .map_err(|e| sdk_failure("DescribeTable", table_name, e))?;
        let table = described.table();
        let table_active = table.and_then(|t| t.table_status()) == Some(&TableStatus::Active);
        let indexes_active = table
            .map(|t| t.global_secondary_indexes())
            .unwrap_or_default()
            .iter()
            .all(|index| index.index_status().is_none_or(|s| s.as_str() == "ACTIVE"));
        if table_active && indexes_active {
            return Ok(());
        }
        tokio::time::sleep(ACTIVE_POLL).await;
    }
    Err(StoreError::Backend(format!(
        "table {table_name} did not become ACTIVE within {} s",
        (ACTIVE_POLL * ACTIVE_POLLS).as_secs()
    )))
}
