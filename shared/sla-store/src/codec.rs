//! The encoded form of a [`TicketRecord`] shared by every store: the SLA state, the
//! outbox and the dead letters in the compact encoding (`crate::compact`: a version byte,
//! then compressed JSON; JSON text of older records still loads), `due_at`/`dead_at` in
//! epoch milliseconds, `expires_at` in epoch seconds.

use chrono::{DateTime, Utc};

use crate::compact;
use crate::{DeadLetter, OutboxEntry, StoreError, TicketKey, TicketRecord};

/// DynamoDB's item size limit (400 KB), enforced by every store so local runs fail where
/// DynamoDB would.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Bytes DynamoDB may charge for one number attribute value (38 digits, at most 21 bytes).
const NUMBER_BYTES: usize = 21;

/// A record as stored: every field a store writes, already encoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRow {
    pub key: TicketKey,
    pub version: u64,
    /// `TicketSla`, compact-encoded (JSON text in older records).
    pub sla: Vec<u8>,
    /// `Vec<OutboxEntry>`, compact-encoded (JSON text in older records).
    pub outbox: Vec<u8>,
    pub due_at_ms: Option<i64>,
    pub expires_at_s: Option<i64>,
    /// `Vec<DeadLetter>`, compact-encoded; absent when there is none (and in
    /// first-format rows).
    pub dead_letters: Option<Vec<u8>>,
    /// The oldest dead letter's instant (epoch ms): the sparse dead-letter index key.
    pub dead_at_ms: Option<i64>,
    /// `ReadIndex` as JSON; absent when empty (and in rows of older formats).
    pub read: Option<String>,
}

impl StoredRow {
    /// Encodes `record` as it will be stored under `version`, refusing oversized items.
    pub fn encode(record: &TicketRecord, version: u64) -> Result<Self, StoreError> {
        let key = &record.key;
        let sla = encode_field(key, "sla", &record.sla)?;
        let outbox = encode_field(key, "outbox", &record.outbox)?;
        let dead_letters = (!record.dead_letters.is_empty())
            .then(|| encode_field(key, "dead_letters", &record.dead_letters))
            .transpose()?;
        let row = Self {
            key: key.clone(),
            version,
            sla,
            outbox,
            due_at_ms: record.due_at.map(ceil_millis),
            expires_at_s: record.expires_at.map(ceil_seconds),
            dead_letters,
            dead_at_ms: record.oldest_dead_letter().map(|at| at.timestamp_millis()),
            read: crate::queue::encode_read(record)?,
        };
        row.check_size()?;
        Ok(row)
    }

    /// Decodes the stored fields, naming the field that is malformed.
    pub fn decode(self) -> Result<TicketRecord, StoreError> {
        let key = self.key;
        let sla = decode_field(&key, "sla", "a TicketSla", &self.sla)?;
        let outbox: Vec<OutboxEntry> =
            decode_field(&key, "outbox", "outbox entries", &self.outbox)?;
        let due_at = decode_instant(&key, "due_at", self.due_at_ms, from_millis)?;
        let expires_at = decode_instant(&key, "expires_at", self.expires_at_s, from_seconds)?;
        let dead_letters: Vec<DeadLetter> = match &self.dead_letters {
            None => Vec::new(),
            Some(bytes) => decode_field(&key, "dead_letters", "dead letters", bytes)?,
        };
        let read = crate::queue::decode_read(&key, self.read.as_deref())?;
        Ok(TicketRecord {
            read,
            key,
            version: self.version,
            sla,
            outbox,
            due_at,
            expires_at,
            dead_letters,
        })
    }

    /// `record`, saved as this row, as a load of the row returns it: this row's version
    /// and instants rounded as stored (the encoded fields round-trip unchanged). `None`
    /// when a rounded instant is out of range (a load would report it).
    pub fn as_loaded(&self, mut record: TicketRecord) -> Option<TicketRecord> {
        let key = &record.key;
        let due_at = decode_instant(key, "due_at", self.due_at_ms, from_millis).ok()?;
        let expires_at = decode_instant(key, "expires_at", self.expires_at_s, from_seconds).ok()?;
        record.version = self.version;
        record.due_at = due_at;
        record.expires_at = expires_at;
        Some(record)
    }

    /// DynamoDB's size of this item: attribute names plus UTF-8 values, numbers counted
    /// at their maximum.
    pub fn item_bytes(&self) -> usize {
        let strings = [
            ("pk", self.key.partition_key().len()),
            ("tenant", self.key.tenant.len()),
            ("ticket_id", self.key.ticket_id.len()),
            ("sla", self.sla.len()),
            ("outbox", self.outbox.len()),
            (
                "dead_letters",
                self.dead_letters.as_ref().map_or(0, Vec::len),
            ),
            ("read", self.read.as_ref().map_or(0, String::len)),
            ("", crate::queue::index_bytes(self)),
        ];
        let numbers = [
            ("version", true),
            ("due_at", self.due_at_ms.is_some()),
            ("due_shard", self.due_at_ms.is_some()),
            ("expires_at", self.expires_at_s.is_some()),
            ("dead_at", self.dead_at_ms.is_some()),
            ("dead_shard", self.dead_at_ms.is_some()),
        ];
        let string_bytes: usize = strings.iter().map(|(name, len)| name.len() + len).sum();
        let number_bytes: usize = numbers
            .iter()
            .filter(|(_, present)| *present)
            .map(|(name, _)| name.len() + NUMBER_BYTES)
            .sum();
        string_bytes + number_bytes
    }

    fn check_size(&self) -> Result<(), StoreError> {
        let bytes = self.item_bytes();
        if bytes > MAX_ITEM_BYTES {
            return Err(StoreError::TooLarge {
                tenant: self.key.tenant.clone(),
                ticket_id: self.key.ticket_id.clone(),
                bytes,
                limit: MAX_ITEM_BYTES,
            });
        }
        Ok(())
    }
}

/// `value` compact-encoded, naming `field` if it does not serialize.
fn encode_field<T: serde::Serialize>(
    key: &TicketKey,
    field: &str,
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    compact::encode(value)
        .map_err(|e| StoreError::corrupt(key, format!("field `{field}` does not serialize: {e}")))
}

/// The value of a stored field in either encoding, naming `field` and what it should hold.
fn decode_field<T: serde::de::DeserializeOwned>(
    key: &TicketKey,
    field: &str,
    what: &str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    compact::decode(bytes)
        .map_err(|e| StoreError::corrupt(key, format!("field `{field}` is not {what}: {e}")))
}

/// Epoch milliseconds, rounded up so the sweep never looks before the instant.
pub(crate) fn ceil_millis(at: DateTime<Utc>) -> i64 {
    let floor = at.timestamp_millis();
    if DateTime::from_timestamp_millis(floor) == Some(at) {
        floor
    } else {
        floor.saturating_add(1)
    }
}

/// Epoch seconds, rounded up so a record never expires early.
pub(crate) fn ceil_seconds(at: DateTime<Utc>) -> i64 {
    at.timestamp()
        .saturating_add(i64::from(at.timestamp_subsec_nanos() > 0))
}

fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

fn from_seconds(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

fn decode_instant(
    key: &TicketKey,
    field: &str,
    value: Option<i64>,
    convert: impl Fn(i64) -> Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    value
        .map(|raw| {
            convert(raw).ok_or_else(|| {
                StoreError::corrupt(key, format!("field `{field}` = {raw} is out of range"))
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn record() -> TicketRecord {
        TicketRecord::new(TicketKey::new("acme", "1"), Default::default())
    }

    #[test]
    fn rounds_instants_up() {
        let exact = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let later = exact + TimeDelta::nanoseconds(1);
        assert_eq!(ceil_millis(exact), exact.timestamp_millis());
        assert_eq!(ceil_millis(later), exact.timestamp_millis() + 1);
        assert_eq!(ceil_seconds(exact), exact.timestamp());
        assert_eq!(ceil_seconds(later), exact.timestamp() + 1);
    }

    #[test]
    fn round_trips_a_record() {
        let mut rec = record();
        rec.due_at = Some(Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap());
        rec.expires_at = Some(Utc.with_ymd_and_hms(2027, 3, 4, 5, 6, 7).unwrap());
        let row = StoredRow::encode(&rec, 3).unwrap();
        let back = row.decode().unwrap();
        assert_eq!(back, TicketRecord { version: 3, ..rec });
    }

    #[test]
    fn round_trips_dead_letters_and_indexes_the_oldest() {
        let mut rec = record();
        let event: sla_core::SlaEvent = serde_json::from_value(first_format_event()).unwrap();
        let at = |h| Utc.with_ymd_and_hms(2026, 3, 4, h, 0, 0).unwrap();
        for hour in [9, 7] {
            rec.dead_letters.push(DeadLetter {
                event: event.clone(),
                attempts: 20,
                last_error: "AccessDenied".into(),
                dead_at: at(hour),
            });
        }
        let row = StoredRow::encode(&rec, 1).unwrap();
        assert_eq!(row.dead_at_ms, Some(at(7).timestamp_millis()));
        assert_eq!(row.clone().decode().unwrap().dead_letters, rec.dead_letters);
        let empty = StoredRow::encode(&record(), 1).unwrap();
        assert_eq!((empty.dead_letters, empty.dead_at_ms), (None, None));
    }

    fn first_format_event() -> serde_json::Value {
        serde_json::json!({
            "event_id": "e1", "type": "breached", "tenant": "acme", "ticket_id": "1",
            "metric": "first_response", "cycle": 1, "policy": "p", "priority": "high",
            "target_seconds": 60, "deadline": "2026-01-01T00:00:00Z",
            "at": "2026-01-01T00:00:00Z", "elapsed_seconds": 60
        })
    }

    /// A row written before attempts and dead letters existed still loads.
    #[test]
    fn loads_rows_of_the_first_format() {
        let mut row = StoredRow::encode(&record(), 1).unwrap();
        row.outbox = serde_json::json!([{ "event": first_format_event() }])
            .to_string()
            .into_bytes();
        let rec = row.decode().unwrap();
        assert_eq!(rec.outbox[0].attempts, 0);
        assert_eq!(rec.outbox[0].last_error, None);
        assert!(rec.dead_letters.is_empty());
    }

    #[test]
    fn names_the_corrupt_field() {
        let mut row = StoredRow::encode(&record(), 1).unwrap();
        row.outbox = b"{".to_vec();
        let err = row.decode().unwrap_err().to_string();
        assert!(
            err.contains("acme/1") && err.contains("field `outbox`"),
            "{err}"
        );
    }

    #[test]
    fn refuses_items_over_the_limit() {
        let mut row = StoredRow::encode(&record(), 1).unwrap();
        row.sla = vec![b'x'; MAX_ITEM_BYTES];
        let err = row.check_size().unwrap_err();
        assert!(matches!(err, StoreError::TooLarge { bytes, .. } if bytes > MAX_ITEM_BYTES));
    }
}
