//! An action's item: its partition key, its index keys and its conversion to and from an
//! [`ActionRecord`].

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use crate::dynamodb::{number, Item, ItemReader};
use crate::ledger::{ActionKey, ActionRecord, ActionState};
use crate::{shard_of, StoreError, TicketKey};

/// Attribute names of an action item (besides `pk`, `tenant` and `ticket_id`, named as
/// in a ticket's item).
pub mod attr {
    /// The action's id within its ticket.
    pub const ACTION_ID: &str = "action_id";
    /// The planned action, serialized by the caller.
    pub const PAYLOAD: &str = "action_payload";
    /// `pending`, `claimed`, `done` or `dead`.
    pub const STATE: &str = "action_state";
    /// Attempts made so far.
    pub const ATTEMPTS: &str = "attempts";
    /// The error of the last failed attempt.
    pub const LAST_ERROR: &str = "last_error";
    /// When a pending action is due (ms; absent: at once).
    pub const NEXT_ATTEMPT_AT: &str = "next_attempt_at";
    /// Until when a claimed action is held (ms).
    pub const LEASE_UNTIL: &str = "lease_until";
    /// When the action last changed (ms).
    pub const UPDATED_AT: &str = "updated_at";
    /// When a pending or claimed action may be claimed (ms): the due filter reads it.
    pub const DUE: &str = "action_due";
    /// `action-index` partition key: `due#<shard>` (pending, claimed) or `dead#<shard>`.
    pub const SLOT: &str = "action_slot";
    /// `action-index` sort key: the enqueue sequence (due slot) or
    /// `<died ms>#<pk>` (dead slot).
    pub const SORT: &str = "action_sk";
    /// `ticket-actions-index` partition key: the ticket, length-prefixed.
    pub const TICKET: &str = "action_ticket";
    /// `ticket-actions-index` sort key: `<enqueue ms, 16 digits>.<batch index, 6 digits>#<action id>`.
    pub const SEQ: &str = "action_seq";
}

/// `<tenant length>:<tenant>#<ticket length>:<ticket>`: distinct for distinct tickets,
/// whatever characters the ids hold.
pub(super) fn ticket_part(tenant: &str, ticket_id: &str) -> String {
    format!("{}:{tenant}#{}:{ticket_id}", tenant.len(), ticket_id.len())
}

/// `ACTION#<ticket part>#<action id>`: never a ticket's `TENANT#...` key nor another
/// action's.
pub(super) fn partition_key(key: &ActionKey) -> String {
    format!(
        "ACTION#{}#{}",
        ticket_part(&key.tenant, &key.ticket_id),
        key.action_id
    )
}

/// The enqueue sequence of the `index`-th action of a batch enqueued at `now`.
fn sequence(now: DateTime<Utc>, index: usize, action_id: &str) -> String {
    format!(
        "{:016}.{index:06}#{action_id}",
        now.timestamp_millis().max(0)
    )
}

/// The `action-index` partition of `key`'s due (`due`) or dead (`dead`) actions.
pub(super) fn slot(kind: &str, key: &ActionKey, shards: u32) -> String {
    let ticket = TicketKey::new(key.tenant.as_str(), key.ticket_id.as_str());
    format!("{kind}#{}", shard_of(&ticket, shards))
}

/// The dead-slot sort key of an action that died at `now`.
pub(super) fn dead_sort(key: &ActionKey, now: DateTime<Utc>) -> String {
    format!(
        "{:016}#{}",
        now.timestamp_millis().max(0),
        partition_key(key)
    )
}

pub(super) fn ms(at: DateTime<Utc>) -> AttributeValue {
    number(at.timestamp_millis())
}

pub(super) fn text(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// The item of a new pending action, due at `now`, `index`-th of its batch.
pub(super) fn new_item(
    key: &ActionKey,
    payload: &str,
    now: DateTime<Utc>,
    index: usize,
    shards: u32,
) -> Item {
    let seq = sequence(now, index, &key.action_id);
    Item::from([
        (crate::dynamodb::attr::PK.into(), text(&partition_key(key))),
        (crate::dynamodb::attr::TENANT.into(), text(&key.tenant)),
        (
            crate::dynamodb::attr::TICKET_ID.into(),
            text(&key.ticket_id),
        ),
        (attr::ACTION_ID.into(), text(&key.action_id)),
        (attr::PAYLOAD.into(), text(payload)),
        (attr::STATE.into(), text(ActionState::Pending.name())),
        (attr::ATTEMPTS.into(), number(0)),
        (crate::dynamodb::attr::VERSION.into(), number(0)),
        (attr::NEXT_ATTEMPT_AT.into(), ms(now)),
        (attr::UPDATED_AT.into(), ms(now)),
        (attr::DUE.into(), ms(now)),
        (attr::SLOT.into(), text(&slot("due", key, shards))),
        (attr::SORT.into(), text(&seq)),
        (
            attr::TICKET.into(),
            text(&ticket_part(&key.tenant, &key.ticket_id)),
        ),
        (attr::SEQ.into(), text(&seq)),
    ])
}

/// `item` changed to hold the claimed `record`, its version bumped, and the version read.
pub(super) fn claimed_item(
    mut item: Item,
    record: &ActionRecord,
) -> Result<(Item, u64), StoreError> {
    let ticket = TicketKey::new(record.key.tenant.as_str(), record.key.ticket_id.as_str());
    let version: u64 = ItemReader {
        key: &ticket,
        item: &item,
    }
    .number(crate::dynamodb::attr::VERSION)?
    .unwrap_or(0);
    let lease = record.lease_until.unwrap_or(record.updated_at);
    item.remove(attr::NEXT_ATTEMPT_AT);
    item.extend([
        (attr::STATE.into(), text(record.state.name())),
        (attr::LEASE_UNTIL.into(), ms(lease)),
        (attr::DUE.into(), ms(lease)),
        (attr::UPDATED_AT.into(), ms(record.updated_at)),
        (crate::dynamodb::attr::VERSION.into(), number(version + 1)),
    ]);
    Ok((item, version))
}

/// The record an action item holds, naming the first malformed attribute.
pub(super) fn record_of(item: &Item) -> Result<ActionRecord, StoreError> {
    let unknown = TicketKey::new("?", "?");
    let read = ItemReader {
        key: &unknown,
        item,
    };
    let ticket = TicketKey::new(
        read.string(crate::dynamodb::attr::TENANT)?,
        read.string(crate::dynamodb::attr::TICKET_ID)?,
    );
    let read = ItemReader { key: &ticket, item };
    let state = read.string(attr::STATE)?;
    let state = ActionState::parse(&state).ok_or_else(|| {
        StoreError::corrupt(&ticket, format!("action state {state:?} is unknown"))
    })?;
    let instant = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        read.number::<i64>(name)?
            .map(|ms| {
                DateTime::from_timestamp_millis(ms).ok_or_else(|| {
                    StoreError::corrupt(&ticket, format!("attribute `{name}` is out of range"))
                })
            })
            .transpose()
    };
    Ok(ActionRecord {
        key: ActionKey::new(
            ticket.tenant.as_str(),
            ticket.ticket_id.as_str(),
            read.string(attr::ACTION_ID)?,
        ),
        payload: read.string(attr::PAYLOAD)?,
        state,
        attempts: read.number(attr::ATTEMPTS)?.unwrap_or(0),
        last_error: read.optional_string(attr::LAST_ERROR)?,
        next_attempt_at: instant(attr::NEXT_ATTEMPT_AT)?,
        lease_until: instant(attr::LEASE_UNTIL)?,
        updated_at: instant(attr::UPDATED_AT)?.ok_or_else(|| read.missing(attr::UPDATED_AT))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_collide_with_tickets_or_each_other() {
        let a = ActionKey::new("a#TICKET#b", "c", "e:0.0");
        let b = ActionKey::new("a", "b#c", "e:0.0");
        assert_ne!(partition_key(&a), partition_key(&b));
        assert!(partition_key(&a).starts_with("ACTION#"));
        assert!(!TicketKey::new("ACTION", "x")
            .partition_key()
            .starts_with("ACTION#"));
        assert_eq!(ticket_part("acme", "T-1"), "4:acme#3:T-1");
    }

    #[test]
    fn a_new_item_round_trips_and_sorts_in_enqueue_order() {
        let now = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let key = ActionKey::new("acme", "T-1", "ev1:10.0");
        let item = new_item(&key, "{}", now, 2, 16);
        let record = record_of(&item).unwrap();
        assert_eq!(record.key, key);
        assert_eq!(record.state, ActionState::Pending);
        assert_eq!(record.next_attempt_at, Some(now));
        let later = new_item(&ActionKey::new("acme", "T-1", "ev1:2.0"), "{}", now, 10, 16);
        let seq = |item: &Item| match &item[attr::SEQ] {
            AttributeValue::S(seq) => seq.clone(),
            other => panic!("{other:?}"),
        };
        assert!(seq(&item) < seq(&later), "batch order, not id order");
    }
}
