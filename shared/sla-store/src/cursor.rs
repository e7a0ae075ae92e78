//! The opaque paging cursor of `query_due`: the position of the last ticket returned.

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Position after which the next page starts: `(due_at, partition key)` order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DueCursor {
    pub due_at_ms: i64,
    pub pk: String,
}

impl DueCursor {
    /// Encodes the cursor as the string handed to callers.
    pub fn encode(&self) -> String {
        // An integer and a string always serialize; the fallback is never taken.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a cursor previously returned by [`DueCursor::encode`].
    pub fn decode(text: &str) -> Result<Self, StoreError> {
        serde_json::from_str(text)
            .map_err(|e| StoreError::Backend(format!("query_due cursor {text:?} is invalid: {e}")))
    }

    /// Whether `(due_at_ms, pk)` comes after this cursor.
    pub fn is_before(&self, due_at_ms: i64, pk: &str) -> bool {
        (self.due_at_ms, self.pk.as_str()) < (due_at_ms, pk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let cursor = DueCursor {
            due_at_ms: 42,
            pk: "TENANT#a#TICKET#1".into(),
        };
        assert_eq!(DueCursor::decode(&cursor.encode()).unwrap(), cursor);
        let err = DueCursor::decode("nope").unwrap_err().to_string();
        assert!(err.contains("cursor \"nope\" is invalid"), "{err}");
    }

    #[test]
    fn orders_by_due_then_key() {
        let cursor = DueCursor {
            due_at_ms: 10,
            pk: "b".into(),
        };
        assert!(cursor.is_before(10, "c"));
        assert!(cursor.is_before(11, "a"));
        assert!(!cursor.is_before(10, "b"));
        assert!(!cursor.is_before(9, "z"));
    }
}
