//! Reading values out of vendor records.
//!
//! The webhook adapters' readers in `sla-helpdesk` are private to it; these are the few
//! an export needs (instants are checked against the same supported range).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_helpdesk::instant_in_range;

/// A non-empty string or a number at `key`, as text.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    as_text(value.get(key)?)
}

/// A non-empty string or a number, as text.
pub(crate) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A boolean at `key` (JSON boolean, or the text `true`/`false`).
pub(crate) fn flag(value: &Value, key: &str) -> Option<bool> {
    match value.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An instant: RFC 3339 (an offset without colon too, as Jira writes it) or epoch
/// seconds; `None` if unreadable or outside the supported range.
pub(crate) fn instant(value: &Value) -> Option<DateTime<Utc>> {
    let at = match value {
        Value::Number(n) => DateTime::from_timestamp(n.as_i64()?, 0),
        Value::String(s) => parse_instant(s.trim()),
        _ => None,
    }?;
    instant_in_range(at).then_some(at)
}

/// Reads RFC 3339, `2017-05-18T20:49:58.000+0200` (Jira) or
/// `2017-05-18 20:49:58 +0200` / `18-05-2017 20:49:58 +0200` (Freshdesk exports).
pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%d-%m-%Y %H:%M:%S%.f %z",
    ]
    .iter()
    .find_map(|format| DateTime::parse_from_str(text, format).ok())
    .map(|at| at.with_timezone(&Utc))
}

/// A list of strings at `key` (a JSON array of strings, or one space-separated string).
pub(crate) fn words(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => Some(items.iter().filter_map(as_text).collect()),
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_vendors_time_format() {
        let expected = parse_instant("2017-05-18T18:49:58Z").unwrap();
        for input in [
            json!("2017-05-18T20:49:58.000+0200"),
            json!("2017-05-18T18:49:58Z"),
            json!(1_495_133_398),
            json!("18-05-2017 20:49:58 +0200"),
        ] {
            assert_eq!(instant(&input), Some(expected), "{input}");
        }
        assert_eq!(instant(&json!("2300-01-01T00:00:00Z")), None);
        assert_eq!(instant(&json!("yesterday")), None);
        assert_eq!(instant(&json!(-99_999_999_999_i64)), None);
    }
}
