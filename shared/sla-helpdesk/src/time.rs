//! Vendors' time formats: epoch seconds or milliseconds (numbers or digit strings,
//! fractions allowed), RFC 3339 with any precision, and offsets without a colon.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// Epoch values at or above this are read as milliseconds (year 5138 in seconds).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Reads an instant from a JSON number or string; `None` if it is not one.
pub(crate) fn instant(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => from_text(s),
        _ => None,
    }
}

/// Reads an instant from text in any accepted format.
pub(crate) fn from_text(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return from_epoch(text.parse().ok()?);
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(parsed) = DateTime::parse_from_str(text, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    // A trailing `Z` on the space-separated form, or no zone at all: UTC.
    let bare = text.trim_end_matches(['Z', 'z']).trim_end_matches(" UTC");
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(parsed) = NaiveDateTime::parse_from_str(bare, format) {
            return Some(parsed.and_utc());
        }
    }
    None
}

fn from_epoch(value: f64) -> Option<DateTime<Utc>> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let millis = if value >= MILLIS_THRESHOLD {
        value
    } else {
        value * 1000.0
    };
    if millis > i64::MAX as f64 {
        return None;
    }
    DateTime::from_timestamp_millis(millis.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn accepts_every_vendor_format() {
        let cases = [
            (json!(1_525_698_237), "2018-05-07T13:03:57Z"),
            (json!(1_525_698_237_764_i64), "2018-05-07T13:03:57.764Z"),
            (json!("1525698237"), "2018-05-07T13:03:57Z"),
            (json!(1_453_770_984.123), "2016-01-26T01:16:24.123Z"),
            (
                json!("2025-01-08T14:25:30.123456789Z"),
                "2025-01-08T14:25:30.123456789Z",
            ),
            (
                json!("2018-05-07T15:03:57.000+0200"),
                "2018-05-07T13:03:57Z",
            ),
            (json!("2018-05-07T15:03:57+02:00"), "2018-05-07T13:03:57Z"),
            (json!("2018-05-07 13:03:57 +0000"), "2018-05-07T13:03:57Z"),
            (json!("2018-05-07 13:03:57Z"), "2018-05-07T13:03:57Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(instant(&input), Some(at(expected)), "{input}");
        }
    }

    #[test]
    fn rejects_non_times() {
        for input in [
            json!(""),
            json!("soon"),
            json!(-1),
            json!(true),
            json!(1e300),
            json!(null),
        ] {
            assert_eq!(instant(&input), None, "{input}");
        }
    }
}
